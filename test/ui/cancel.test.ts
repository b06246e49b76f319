// A person cancels a slow multi-app add from its progress notification: select many apps in the
// App Registrations view, Add Managed Identity Credential, then click Cancel on the notification
// while the first $batch write is in flight (the sandbox holds it back). The work stops (the
// sandbox's request log: one $batch write, nothing after), the message says what was added, what may
// have been (in flight) and what was not attempted, and the sandbox's state agrees.
import * as assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { hostFixture, openExtensionWorkbench } from '../../tools/test-host/fixture';
import type { OpenWorkbench } from '../../tools/test-host/workbench';
import { allowSignIn } from './support';

const BATCH = '/graph/v1.0/$batch';
const LATENCY_MS = 6_000;

describe('Cancel from the progress notification (UI, sandbox)', function () {
  this.timeout(180_000);
  let workbench: OpenWorkbench;
  let page: Page;

  before(async () => {
    workbench = await openExtensionWorkbench();
    page = workbench.page;
    await page.getByRole('tab', { name: /^Federated Credentials/ }).click({ timeout: 60_000 });
  });
  after(async () => {
    hostFixture().sandbox.setFaults([]);
    await workbench?.close();
  });

  it('stops a multi-app add before its next $batch and says what was and was not done', async () => {
    const { sandbox } = hostFixture();
    const identity = sandbox.info.automationAccount.userAssigned;
    await page.getByRole('button', { name: 'Sign In' }).first().click({ timeout: 30_000 });
    await allowSignIn(page);
    const tree = page.getByRole('tree', { name: /App Registrations/ });
    await tree.getByRole('treeitem').first().waitFor({ timeout: 30_000 });

    // Select 30 apps: click the first (a click also expands it: collapse it again), then Shift+Down.
    const first = tree.getByRole('treeitem').first();
    await first.click();
    await page.keyboard.press('ArrowLeft');
    for (let i = 0; i < 29; i++) await page.keyboard.press('Shift+ArrowDown');
    const selected = tree.locator('.monaco-list-row.selected');
    assert.equal((await selected.count()) >= 1, true);

    await tree.locator('.monaco-list-row.focused').click({ button: 'right' });
    const menuItem = page.getByRole('menuitem', { name: /Add Managed Identity Credential/ });
    await menuItem.hover();
    await page.keyboard.press('Enter');
    const input = page.locator('.quick-input-widget input').first();
    await input.waitFor({ timeout: 30_000 });
    await input.fill(identity.name);
    await page
      .getByRole('option', { name: new RegExp(identity.name) })
      .first()
      .waitFor({ timeout: 30_000 });
    await page.keyboard.press('Enter');
    await page.waitForTimeout(500);
    await page.keyboard.press('Enter'); // name: msi-{identity}
    await page.waitForTimeout(500);
    const trusting = () =>
      sandbox.core.state
        .applicationsOf(sandbox.info.homeTenant.id)
        .filter((a) => a.federatedIdentityCredentials.some((c) => c.subject === identity.principalId))
        .map((a) => a.id);
    const trustedBefore = new Set(trusting());
    const since = sandbox.core.log.last;
    // Hold every $batch write back, so the first one is in flight when Cancel is clicked.
    sandbox.setFaults([{ kind: 'latency', method: 'POST', pathPrefix: BATCH, latencyMs: LATENCY_MS }]);
    await page.keyboard.press('Enter'); // description
    // Some of the apps are single-tenant: the warning asks before anything is written.
    const warning = page.getByRole('dialog').filter({ hasText: /not multi-tenant|Before you go on/ });
    if (
      await warning.waitFor({ timeout: 15_000 }).then(
        () => true,
        () => false,
      )
    )
      await warning.getByRole('button', { name: 'Continue' }).click();

    const batches = () => sandbox.requests(since).filter((r) => r.method === 'POST' && r.path === BATCH && r.headers['x-sandbox-batch-id'] === undefined);
    const deadline = Date.now() + 30_000;
    while (batches().length === 0) {
      assert.ok(Date.now() < deadline, 'the first $batch write was sent');
      await page.waitForTimeout(50);
    }
    const progress = page.locator('.notification-toast').filter({ hasText: /Adding credential msi-/ });
    await progress.getByRole('button', { name: 'Cancel' }).click({ timeout: 10_000 });
    const cancelledAt = sandbox.core.log.last;

    // The message: what was added, what may have been (the batch in flight), what was not attempted.
    const message = page
      .locator('.notification-toast')
      .filter({ hasText: /^Cancelled: the credential/ })
      .first();
    await message.waitFor({ timeout: 15_000 });
    const text = (await message.locator('.notification-list-item-message').textContent()) ?? '';
    const m =
      /^Cancelled: the credential "(msi-[\w-]+)" was added to 0 of (\d+) apps\. 20 more apps may have it: the write was in flight when you cancelled, and the refreshed view shows whether it was applied \([^)]*\)\. Not attempted: (\d+) apps? \(/.exec(
        text,
      );
    assert.ok(m, text);
    const [, , , notAttempted] = m;

    // The work stopped: one $batch write in all, and no write after the cancel even once the held-back batch lands.
    await page.waitForTimeout(LATENCY_MS + 1_000);
    assert.equal(batches().length, 1, 'exactly one $batch write reached Graph');
    const writesAfter = sandbox.requests(cancelledAt).filter((r) => r.method !== 'GET' && r.headers['x-sandbox-batch-id'] === undefined);
    assert.deepEqual(
      writesAfter.map((r) => `${r.method} ${r.path}`),
      [],
      'no write started after the cancel',
    );
    // The state agrees: the in-flight batch (20 apps) was applied by the service, the rest were never written.
    assert.equal(trusting().filter((id) => !trustedBefore.has(id)).length, 20);
    assert.ok(Number(notAttempted) > 0);
  });
});
