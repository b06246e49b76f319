// The try-it path of admin consent, as a person does it: Copy Admin-Consent URL from the palette, Open URL in
// the notification, and the customer's admin signs in and accepts on the page that opens in the browser. In
// code-server a loopback URL would be sent to the port-forwarding proxy and fail; the page must load.
import * as assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { hostFixture } from '../../tools/test-host/fixture';
import type { OpenWorkbench } from '../../tools/test-host/workbench';
import { escapeRegExp, openSignedInWorkbench, runFromPalette } from './support';

describe('Admin consent in the browser (UI, sandbox)', function () {
  this.timeout(150_000);
  let workbench: OpenWorkbench;
  let page: Page;

  before(async () => {
    workbench = await openSignedInWorkbench();
    page = workbench.page;
  });
  after(async () => {
    await workbench?.close();
    // The seeded tenant again (the app not consented in the customer tenant) for the suites after this one.
    hostFixture().sandbox.reset(1);
  });

  it('opens the consent page from the notification; the customer admin accepts and the app gets its service principal there', async () => {
    const { sandbox } = hostFixture();
    const { info } = sandbox;
    const app = sandbox.core.state.findApplicationByAppId(info.multiTenantApp.appId)!;
    assert.equal(sandbox.core.state.findServicePrincipal(info.customerTenant.id, app.appId), undefined, 'not consented yet');

    await runFromPalette(page, 'Federated Credentials: Copy Admin-Consent URL');
    const input = page.locator('.quick-input-widget input').first();
    await input.waitFor({ timeout: 30_000 });
    await input.fill(app.displayName);
    await page
      .getByRole('option', { name: new RegExp(escapeRegExp(app.displayName)) })
      .first()
      .waitFor({ timeout: 30_000 });
    await page.keyboard.press('Enter');
    await page.waitForTimeout(300);
    await input.fill(info.customerTenant.domain);
    await page.keyboard.press('Enter');

    const toast = page.locator('.notification-toast').filter({ hasText: /Copied the admin-consent URL/ });
    await toast.waitFor({ timeout: 30_000 });
    const opened = page.context().waitForEvent('page', { timeout: 30_000 });
    await toast.getByRole('button', { name: 'Open URL' }).click();
    // VS Code asks before it opens an external site.
    const confirm = page.getByRole('dialog').filter({ hasText: /open the external website/i });
    await confirm.waitFor({ timeout: 15_000 });
    await confirm.getByRole('button', { name: 'Open' }).click();

    const consentPage = await opened;
    await consentPage.waitForLoadState('domcontentloaded');
    assert.doesNotMatch(consentPage.url(), /\/proxy\//, `opened directly, not through the proxy: ${consentPage.url()}`);
    assert.match(consentPage.url(), new RegExp(`/${escapeRegExp(info.customerTenant.domain)}/adminconsent\\?client_id=${app.appId}`));
    await consentPage.getByRole('heading', { name: 'Permissions requested' }).waitFor({ timeout: 15_000 });
    assert.match(await consentPage.getByRole('list', { name: 'Requested permissions' }).innerText(), /User\.Read\.All/);
    await consentPage.getByLabel('Email or username').fill(info.admins.customer.username);
    await consentPage.getByLabel('Password').fill(info.admins.customer.password);
    await consentPage.getByRole('button', { name: 'Accept' }).click();
    await consentPage.waitForLoadState('domcontentloaded');

    const sp = sandbox.core.state.findServicePrincipal(info.customerTenant.id, app.appId);
    assert.ok(sp, `the app has a service principal in the customer tenant (page: ${consentPage.url()})`);
    await consentPage.close();
  });
});
