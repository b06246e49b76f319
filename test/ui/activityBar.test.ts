import * as assert from 'node:assert/strict';
import { openExtensionWorkbench } from '../../tools/test-host/fixture';
import type { OpenWorkbench } from '../../tools/test-host/workbench';

describe('Activity bar (UI)', function () {
  let workbench: OpenWorkbench;

  before(async () => {
    workbench = await openExtensionWorkbench();
  });
  after(async () => {
    await workbench?.close();
  });

  it('shows both views when the Federated Credentials icon is clicked', async () => {
    const { page } = workbench;
    const tab = page.getByRole('tab', { name: /^Federated Credentials/ });
    await tab.waitFor({ timeout: 30_000 });
    await tab.click();
    // View panes render their title as a collapsible heading button.
    const apps = page.getByRole('button', { name: /App Registrations/ }).first();
    const identities = page.getByRole('button', { name: /Managed Identities/ }).first();
    await apps.waitFor({ timeout: 15_000 });
    await identities.waitFor({ timeout: 15_000 });
    assert.equal(await apps.isVisible(), true);
    assert.equal(await identities.isVisible(), true);
    // The welcome view of an empty tree is the view's content, shown to the user.
    await page.getByText(/Manage the federated identity credentials/).waitFor({ timeout: 15_000 });
  });
});
