// What the UI suites do in the workbench the way a person does: run a command from the palette,
// allow the extension to sign in.
import type { Page } from 'playwright-core';

/** A literal string as a RegExp source. */
export const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export async function runFromPalette(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input').first();
  await input.waitFor({ timeout: 15_000 });
  await input.fill(`>${title}`);
  await page
    .getByRole('option', { name: new RegExp(escapeRegExp(title)) })
    .first()
    .waitFor({ timeout: 15_000 });
  await page.keyboard.press('Enter');
}

/** Clicks Allow on VS Code's "The extension wants to sign in" dialog. */
export async function allowSignIn(page: Page): Promise<void> {
  const dialog = page.getByRole('dialog').filter({ hasText: /wants to sign in/ });
  await dialog.waitFor({ timeout: 30_000 });
  await dialog.getByRole('button', { name: 'Allow' }).click();
}
