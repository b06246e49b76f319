// `npm start`, driven the way a newcomer uses it: the same startEnvironment() the script runs
// (build, sandbox, code-server with the extension and the sandbox sign-in provider), its URL opened
// in Chromium, the sign-in allowed when VS Code asks, the sandbox's app registrations in the tree,
// and the walkthrough opened from the command palette.
import * as assert from 'node:assert/strict';
import type { BrowserContext, Page } from 'playwright-core';
import { startEnvironment, type StartedEnvironment } from '../../scripts/start';
import { hostFixture } from '../../tools/test-host/fixture';
import { newWorkbenchContext } from '../../tools/test-host/workbench';
import { escapeRegExp, runFromPalette } from './support';

describe('npm start (UI, the start path)', function () {
  this.timeout(240_000);
  let environment: StartedEnvironment;
  let context: BrowserContext;
  let page: Page;

  before(async () => {
    environment = await startEnvironment({ log: () => undefined });
    context = await newWorkbenchContext(hostFixture().browser);
    page = await context.newPage();
    await page.goto(environment.url);
  });
  after(async () => {
    await context?.close();
    await environment?.stop();
  });

  it('prints a loopback URL that opens VS Code with the Federated Credentials view', async () => {
    assert.match(environment.url, /^http:\/\/(127\.0\.0\.1|localhost):\d+\/\?folder=/);
    await page.getByRole('tab', { name: /^Federated Credentials/ }).click({ timeout: 90_000 });
    await page
      .getByRole('button', { name: /App Registrations/ })
      .first()
      .waitFor({ timeout: 30_000 });
  });

  it('opens the walkthrough from the command palette, with every step of the journey', async () => {
    await runFromPalette(page, 'Welcome: Open Walkthrough...');
    await page.locator('.quick-input-widget input').first().fill('Get Started with Federated Credentials');
    await page
      .getByRole('option', { name: /Get Started with Federated Credentials/ })
      .first()
      .waitFor({ timeout: 15_000 });
    await page.keyboard.press('Enter');
    const walkthrough = page.locator('.gettingStartedContainer');
    await walkthrough.getByText('Get Started with Federated Credentials').first().waitFor({ timeout: 30_000 });
    for (const step of [
      'Sign in to Microsoft Entra ID',
      'Create or pick a multi-tenant app registration',
      'Trust the managed identity',
      "Get the customer admin's consent",
      'Scaffold the runbook',
      'Deploy it to Azure Automation',
      "Run it and see the customers' data",
      'Check the whole trust',
    ]) {
      await walkthrough.getByText(step).first().waitFor({ timeout: 15_000 });
    }
    assert.equal(await walkthrough.locator('[role=checkbox][aria-checked=true]').count(), 0, 'no step is done yet');
  });

  it("signs in from the walkthrough's button once the extension is allowed: the step is done and the tree shows the sandbox's apps", async () => {
    const walkthrough = page.locator('.gettingStartedContainer');
    // The step itself is a button whose name contains "Sign in": the command's button is the exact match.
    await walkthrough.getByRole('button', { name: 'Sign In', exact: true }).click({ timeout: 15_000 });
    const dialog = page.getByRole('dialog').filter({ hasText: /wants to sign in/ });
    await dialog.waitFor({ timeout: 30_000 });
    await dialog.getByRole('button', { name: 'Allow' }).click();
    // The step completes on success (the signedIn context key), not on the click.
    await walkthrough.locator('[role=checkbox][aria-checked=true][aria-label*="Sign in to Microsoft Entra ID"]').waitFor({ timeout: 30_000 });

    const { sandbox } = environment;
    const homeApps = sandbox.core.state.applicationsOf(sandbox.info.homeTenant.id).map((a) => a.displayName);
    assert.ok(homeApps.length > 0, 'the sandbox seeds app registrations');
    const tree = page.getByRole('tree', { name: /App Registrations/ });
    await tree.getByRole('treeitem').first().waitFor({ timeout: 60_000 });
    const shown = await tree.getByRole('treeitem').evaluateAll((items) => items.map((i) => i.getAttribute('aria-label') ?? ''));
    const known = shown.filter((label) => homeApps.some((name) => label.startsWith(name)));
    assert.ok(known.length > 0, `the tree shows none of the sandbox's apps: ${JSON.stringify(shown.slice(0, 10))}`);
    // The story's multi-tenant app, found with the view's search as a person would among many.
    const storyApp = sandbox.core.state.findApplicationByAppId(sandbox.info.multiTenantApp.appId)!;
    await runFromPalette(page, 'Federated Credentials: Search App Registrations');
    await page.locator('.quick-input-widget input').first().fill(storyApp.displayName);
    await page.keyboard.press('Enter');
    await tree
      .getByRole('treeitem', { name: new RegExp(escapeRegExp(storyApp.displayName)) })
      .first()
      .waitFor({ timeout: 30_000 });
  });
});
