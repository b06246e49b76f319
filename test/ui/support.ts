// What the UI suites do in the workbench the way a person does: run a command from the palette,
// allow the extension to sign in.
import type { Page } from 'playwright-core';
import { openExtensionWorkbench } from '../../tools/test-host/fixture';
import type { OpenWorkbench } from '../../tools/test-host/workbench';

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

/** A fresh workbench with the Federated Credentials views open and the sandbox account signed in (the tree lists apps). */
export async function openSignedInWorkbench(): Promise<OpenWorkbench> {
  const workbench = await openExtensionWorkbench();
  const { page } = workbench;
  await page.getByRole('tab', { name: /^Federated Credentials/ }).click({ timeout: 60_000 });
  await page.getByRole('button', { name: 'Sign In' }).first().click({ timeout: 30_000 });
  await allowSignIn(page);
  await page
    .getByRole('tree', { name: /App Registrations/ })
    .getByRole('treeitem')
    .first()
    .waitFor({ timeout: 30_000 });
  return workbench;
}
