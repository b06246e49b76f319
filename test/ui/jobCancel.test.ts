// A person runs a runbook from the palette and cancels it from the progress notification: the job is stopped in
// Azure Automation (ARM's Job_Stop), the notification says so, and the job's status is Stopped.
import * as assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { hostFixture } from '../../tools/test-host/fixture';
import type { OpenWorkbench } from '../../tools/test-host/workbench';
import { openSignedInWorkbench, runFromPalette } from './support';

const SLOW = 'import time\nprint("started", flush=True)\ntime.sleep(120)\nprint("never printed")\n';

describe('Cancel a runbook job from the progress notification (UI, sandbox)', function () {
  this.timeout(150_000);
  let workbench: OpenWorkbench;
  let page: Page;

  before(async () => {
    const { sandbox } = hostFixture();
    const account = sandbox.core.state.findAutomationAccount(sandbox.info.automationAccount.id)!;
    const now = new Date().toISOString();
    account.runbooks.set('slow-job', {
      name: 'Slow-Job',
      location: account.location,
      tags: {},
      runbookType: 'Python3',
      state: 'Published',
      description: 'Sleeps for two minutes.',
      logVerbose: false,
      logProgress: false,
      logActivityTrace: 0,
      draftContent: null,
      publishedContent: SLOW,
      creationTime: now,
      lastModifiedTime: now,
      etag: '"slow"',
    });
    workbench = await openSignedInWorkbench();
    page = workbench.page;
  });
  after(async () => {
    await workbench?.close();
    hostFixture().sandbox.core.state.findAutomationAccount(hostFixture().sandbox.info.automationAccount.id)?.runbooks.delete('slow-job');
  });

  it('stops the job in Azure Automation and says so', async () => {
    const { sandbox } = hostFixture();
    const since = sandbox.core.log.last;
    await runFromPalette(page, 'Federated Credentials: Start Runbook Job');
    const input = page.locator('.quick-input-widget input').first();
    await input.waitFor({ timeout: 30_000 });
    // Subscription (the sandbox's one), then the Automation account, then the runbook, each typed to filter.
    await page.getByRole('option').first().waitFor({ timeout: 30_000 });
    await page.keyboard.press('Enter');
    await input.fill(sandbox.info.automationAccount.name);
    await page
      .getByRole('option', { name: new RegExp(sandbox.info.automationAccount.name) })
      .first()
      .waitFor({ timeout: 30_000 });
    await page.keyboard.press('Enter');
    // Other suites leave runbooks of their own in the account: pick this one by clicking it.
    await input.fill('Slow-Job');
    const slowJob = page.getByRole('option', { name: /Slow-Job/ }).first();
    await slowJob.waitFor({ timeout: 30_000 });
    await slowJob.click();

    const progress = page.locator('.notification-toast').filter({ hasText: /Slow-Job in / });
    await progress
      .filter({ hasText: /Running/ })
      .waitFor({ timeout: 60_000 })
      .catch(async (error: unknown) => {
        const toasts = await page.locator('.notification-toast').allTextContents();
        throw new Error(
          `${String(error)}\nNotifications: ${JSON.stringify(toasts)}\nARM: ${sandbox
            .requests(since)
            .filter((r) => r.area === 'arm')
            .map((r) => `${r.method} ${r.path} ${r.status}`)
            .join(', ')}`,
        );
      });
    await progress.getByRole('button', { name: 'Cancel' }).click({ timeout: 10_000 });

    const message = page.locator('.notification-toast').filter({ hasText: /was stopped from VS Code/ });
    await message.waitFor({ timeout: 60_000 });
    assert.match((await message.textContent()) ?? '', /The job of Slow-Job was stopped from VS Code \(Stopped\)\./);
    const requests = sandbox.requests(since).filter((r) => r.area === 'arm' && r.path.includes('/jobs/'));
    const started = requests.find((r) => r.method === 'PUT');
    assert.ok(started, 'the job was started through Job_Create');
    const jobPath = started.path;
    assert.ok(
      requests.some((r) => r.method === 'POST' && r.path === `${jobPath}/stop`),
      `Job_Stop was sent: ${requests.map((r) => `${r.method} ${r.path}`).join(', ')}`,
    );
  });
});
