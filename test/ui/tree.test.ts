// A person's path through the UI: open the Federated Credentials view, sign in (allowing the
// extension to use the sandbox account), expand an app, and add a managed-identity credential
// through the prompts from the app's context menu.
import * as assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { hostFixture, openExtensionWorkbench } from '../../tools/test-host/fixture';
import type { OpenWorkbench } from '../../tools/test-host/workbench';
import { allowSignIn, runFromPalette } from './support';

describe('Tree and prompts (UI, sandbox)', function () {
  this.timeout(120_000);
  let workbench: OpenWorkbench;
  let page: Page;

  before(async () => {
    workbench = await openExtensionWorkbench();
    page = workbench.page;
    await page.getByRole('tab', { name: /^Federated Credentials/ }).click({ timeout: 60_000 });
  });
  after(async () => {
    await workbench?.close();
  });

  it("signs in from the welcome view and lists the tenant's app registrations", async () => {
    await page.getByRole('button', { name: 'Sign In' }).first().click({ timeout: 30_000 });
    await allowSignIn(page);
    const { sandbox } = hostFixture();
    const app = sandbox.core.state.findApplicationByAppId(sandbox.info.multiTenantApp.appId)!;
    const tree = page.getByRole('tree', { name: /App Registrations/ });
    await tree.getByRole('treeitem').first().waitFor({ timeout: 30_000 });
    // Find the app with the view's search (server-side), as a person would among many apps.
    await runFromPalette(page, 'Federated Credentials: Search App Registrations');
    const search = page.locator('.quick-input-widget input').first();
    await search.fill(app.displayName);
    await page.keyboard.press('Enter');
    const item = tree.getByRole('treeitem', { name: new RegExp(app.displayName) }).first();
    await item.waitFor({ timeout: 30_000 });
    await item.click();
    await tree.getByRole('treeitem', { name: new RegExp(sandbox.info.multiTenantApp.ficName) }).waitFor({ timeout: 30_000 });
  });

  it("adds a managed-identity credential through the prompts of the app's context menu", async () => {
    const { sandbox } = hostFixture();
    const app = sandbox.core.state.findApplicationByAppId(sandbox.info.multiTenantApp.appId)!;
    const tree = page.getByRole('tree', { name: /App Registrations/ });
    await tree
      .getByRole('treeitem', { name: new RegExp(app.displayName) })
      .first()
      .click({ button: 'right' });
    // VS Code's context menu acts on the focused item: move to it, then Enter.
    const menuItem = page.getByRole('menuitem', { name: /Add Managed Identity Credential/ });
    await menuItem.hover();
    await page.keyboard.press('Enter');
    // Step: the identity, typed to filter the list, then the name and description defaults.
    const input = page.locator('.quick-input-widget input').first();
    await input.waitFor({ timeout: 30_000 });
    await input.fill(sandbox.info.spareIdentity.name);
    await page
      .getByRole('option', { name: new RegExp(sandbox.info.spareIdentity.name) })
      .first()
      .waitFor({ timeout: 30_000 });
    await page.keyboard.press('Enter');
    await page.waitForTimeout(500);
    await page.keyboard.press('Enter'); // name: msi-{identity}
    await page.waitForTimeout(500);
    await page.keyboard.press('Enter'); // description: Credential for {identity} in {group} ({subscription})
    const expected = `msi-${sandbox.info.spareIdentity.name}`;
    await tree.getByRole('treeitem', { name: new RegExp(expected) }).waitFor({ timeout: 30_000 });
    const stored = [...app.federatedIdentityCredentials].find((c) => c.name === expected);
    assert.ok(stored, 'the sandbox holds the new credential');
    assert.equal(stored.subject, sandbox.info.spareIdentity.principalId);
  });
});
