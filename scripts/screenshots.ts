// `npm run screenshots`: the README's pictures, taken on the same start path as `npm start` (the
// sandbox tenant in code-server, headless Chromium): the App Registrations tree with the story's
// multi-tenant app expanded, and the walkthrough. Writes PNGs into media/screenshots/.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { startEnvironment } from './start';
import { ensureTestHost } from '../tools/test-host/install';
import { launchBrowser, newWorkbenchContext } from '../tools/test-host/workbench';

const out = resolve(__dirname, '..', 'media', 'screenshots');

async function palette(page: Page, command: string, pick?: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input').first();
  await input.fill(`>${command}`);
  await page
    .getByRole('option', { name: new RegExp(command.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) })
    .first()
    .waitFor({ timeout: 15_000 });
  await page.keyboard.press('Enter');
  if (pick !== undefined) {
    await input.fill(pick);
    await page.waitForTimeout(500);
    await page.keyboard.press('Enter');
  }
}

async function main(): Promise<void> {
  mkdirSync(out, { recursive: true });
  const environment = await startEnvironment({ log: () => undefined });
  const browser = await launchBrowser(ensureTestHost().chromiumBin);
  try {
    const context = await newWorkbenchContext(browser);
    const page = await context.newPage();
    await page.goto(environment.url);
    await page.getByRole('tab', { name: /^Federated Credentials/ }).click({ timeout: 90_000 });
    await page.getByRole('button', { name: 'Sign In', exact: true }).first().click({ timeout: 30_000 });
    const dialog = page.getByRole('dialog').filter({ hasText: /wants to sign in/ });
    await dialog.waitFor({ timeout: 30_000 });
    await dialog.getByRole('button', { name: 'Allow' }).click();

    const tree = page.getByRole('tree', { name: /App Registrations/ });
    await tree.getByRole('treeitem').first().waitFor({ timeout: 60_000 });
    const { sandbox } = environment;
    const app = sandbox.core.state.findApplicationByAppId(sandbox.info.multiTenantApp.appId)!;
    await palette(page, 'Federated Credentials: Search App Registrations', app.displayName);
    const item = tree.getByRole('treeitem', { name: new RegExp(app.displayName) }).first();
    await item.waitFor({ timeout: 30_000 });
    await item.click();
    await tree
      .getByRole('treeitem', { name: new RegExp(sandbox.info.multiTenantApp.ficName) })
      .first()
      .waitFor({ timeout: 30_000 });
    await page.mouse.move(700, 800); // no hover highlight
    await page.waitForTimeout(1_000);
    await page.screenshot({ path: join(out, 'tree.png') });

    await palette(page, 'Welcome: Open Walkthrough...', 'Get Started with Federated Credentials');
    const walkthrough = page.locator('.gettingStartedContainer');
    await walkthrough
      .locator('[role=checkbox][aria-checked=true]')
      .first()
      .waitFor({ timeout: 30_000 })
      .catch(() => undefined);
    await walkthrough.getByText('Trust the managed identity').first().click();
    await page.waitForTimeout(1_500);
    await page.screenshot({ path: join(out, 'walkthrough.png') });
    process.stdout.write(`Wrote ${join(out, 'tree.png')} and ${join(out, 'walkthrough.png')}\n`);
  } finally {
    await browser.close();
    await environment.stop();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
