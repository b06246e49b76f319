// Data safety of Deploy Runbook: the deploy sequence (deployer.ts) over the extension's ArmClient and
// AutomationClient, unchanged, against the sandbox's Automation account. A drop or an error on one ARM
// step (pathPrefix + method), a cancel in flight, or an abort at each step boundary (the model of the
// extension host closing) leaves the published runbook old or new, never mixed or empty, and the
// message names the state; reading the runbook back afterwards shows that same state.
import assert from 'node:assert/strict';
import { ClientSecretCredential } from '@azure/identity';
import { ArmClient } from '../../../../src/arm/armClient';
import { AutomationClient } from '../../../../src/arm/automation';
import { deployRunbookToAccount, DeployInterruptedError, type DeployHooks, type DeployRequest } from '../../../../src/commands/runbooks/deployer';
import { planRunbookFile } from '../../../../src/commands/runbooks/runbookFile';
import { resolveCloud } from '../../../../src/domain/clouds';
import { renderRunbook } from '../../../../src/runbooks';
import { UserCancelledError } from '../../../../src/util/cancellation';
import { setArmSettings } from '../../../../sandbox/arm';
import { DEFAULT_ARM_SETTINGS } from '../../../../sandbox/arm/common';
import { startSandbox, type Sandbox } from '../../../../sandbox/index';
import type { LoggedRequest } from '../../../../sandbox/requestLog';
import { trustSandboxCa } from '../../../../sandbox/trust';
import { DEFAULT_RETRY_POLICY } from '../../../../src/http/retryPolicy';

describe('deploy runbook: an interrupted deploy leaves the old or the new state and says which (sandbox)', () => {
  const f = {} as { sandbox: Sandbox };
  let untrust: (() => void) | undefined;
  let automation: AutomationClient;
  let run = 0;

  before(async () => {
    f.sandbox = await startSandbox({ seed: 97, size: { apps: 10 } });
    untrust = trustSandboxCa(f.sandbox.caCertPem);
    const { info } = f.sandbox;
    const cloud = resolveCloud('Custom', info.customCloud);
    const credential = new ClientSecretCredential(info.homeTenant.id, info.confidentialClient.clientId, info.confidentialClient.clientSecret, {
      authorityHost: info.loginUrl,
      disableInstanceDiscovery: true,
    });
    // No pipeline retries: each injected fault reaches the deploy as it is.
    automation = new AutomationClient(new ArmClient({ cloud, credential, retry: { ...DEFAULT_RETRY_POLICY, maxAttempts: 1, baseDelayMs: 0 } }), cloud.armUrl, {
      pollIntervalMs: 5,
    });
  });
  after(async () => {
    untrust?.();
    await f.sandbox?.stop();
  });
  beforeEach(() => {
    setArmSettings(f.sandbox.core, { ...DEFAULT_ARM_SETTINGS, retryAfterSeconds: 0 });
    f.sandbox.setFaults([]);
  });

  const generated = renderRunbook({
    template: 'python',
    runtime: 'Python-3.10',
    identity: { kind: 'userAssigned', clientId: '00000000-0000-0000-0000-000000000001' },
    appClientId: '11111111-1111-1111-1111-111111111111',
    homeTenantId: '22222222-2222-2222-2222-222222222222',
    targetTenants: ['contoso.com'],
    cloud: { loginUrl: 'https://login.microsoftonline.com', graphUrl: 'https://graph.microsoft.com', tokenExchangeAudience: 'api://AzureADTokenExchange' },
    generatedOn: '2025-06-01',
  });
  const OLD = `${generated.content}\n# version 1\n`;
  const NEW = `${generated.content}\n# version 2\n`;

  function request(runbookName: string, content: string, publish = true): DeployRequest {
    return {
      accountId: f.sandbox.info.automationAccount.id,
      runbookName,
      content,
      plan: planRunbookFile(content, generated.fileName),
      publish,
      importModules: 'no',
      enableIdentity: 'no',
      cloud: { name: 'Custom', displayName: 'Sandbox' },
    };
  }
  const hooks = (over: Partial<DeployHooks> = {}): DeployHooks => ({
    confirm: async () => false,
    report: () => undefined,
    info: () => undefined,
    warn: () => undefined,
    ...over,
  });
  const runbookOf = (name: string) => f.sandbox.core.state.findAutomationAccount(f.sandbox.info.automationAccount.id)?.runbooks.get(name.toLowerCase());
  const path = (name: string, suffix = '') => `/arm${f.sandbox.info.automationAccount.id}/runbooks/${name}${suffix}`;

  /** A runbook whose published content is OLD, deployed through the same code. */
  async function published(): Promise<string> {
    const name = `Safety-${++run}`;
    await deployRunbookToAccount(automation, request(name, OLD), hooks());
    assert.equal(runbookOf(name)?.publishedContent, OLD);
    return name;
  }

  async function fails(name: string, content: string, pattern: RegExp, h: DeployHooks = hooks()): Promise<Error> {
    let caught: unknown;
    await deployRunbookToAccount(automation, request(name, content), h).then(
      () => assert.fail('the deploy should not succeed'),
      (e: unknown) => {
        caught = e;
      },
    );
    assert.ok(caught instanceof Error);
    assert.match(caught.message, pattern);
    return caught;
  }

  /** The next read (what a refresh shows): the published and draft contents as ARM serves them. */
  async function readBack(name: string): Promise<{ published?: string; draft?: string }> {
    const { id } = f.sandbox.info.automationAccount;
    const published = await automation.getRunbookContent(id, name, 'published').catch(() => undefined);
    const draft = await automation.getRunbookContent(id, name, 'draft').catch(() => undefined);
    return { published, draft };
  }

  it('a dropped connection while uploading the draft: the published runbook is unchanged, and the message says so', async () => {
    const name = await published();
    f.sandbox.setFaults([{ kind: 'drop', method: 'PUT', pathPrefix: path(name, '/draft/content') }]);
    const error = await fails(
      name,
      NEW,
      /The runbook Safety-\d+ exists\. The new draft was not uploaded, and it was not published; the published runbook is unchanged \(the previous version keeps running\)\. Run Deploy Runbook again to finish\.$/,
    );
    assert.ok(error instanceof DeployInterruptedError);
    assert.equal(runbookOf(name)?.publishedContent, OLD);
    assert.equal(runbookOf(name)?.draftContent, null, 'no partial draft either');
    assert.equal((await readBack(name)).published, OLD);
  });

  it('an error on publish: the draft was uploaded but not published; the published runbook is unchanged', async () => {
    const name = await published();
    f.sandbox.setFaults([{ kind: 'error', status: 409, method: 'POST', pathPrefix: path(name, '/publish') }]);
    await fails(
      name,
      NEW,
      /answered 409.* The draft was uploaded but not published \(checked\); the published runbook is still the previous version\. Run Deploy Runbook again to finish\.$/,
    );
    assert.equal(runbookOf(name)?.publishedContent, OLD);
    assert.equal(runbookOf(name)?.draftContent, NEW);
    assert.deepEqual(await readBack(name), { published: OLD, draft: NEW });
  });

  it('a drop while waiting for the publish operation Azure accepted: read back, it is the previous version (not finished) or the new one (finished)', async () => {
    const name = await published();
    // Not finished yet: ARM asks for 30 s between polls (this client polls sooner), and the poll is dropped.
    setArmSettings(f.sandbox.core, { ...DEFAULT_ARM_SETTINGS, retryAfterSeconds: 30, lroPolls: 3, enforceRetryAfter: false });
    f.sandbox.setFaults([{ kind: 'drop', method: 'GET', pathPrefix: path(name, '/publish/operationResults') }]);
    const { info } = f.sandbox;
    const cloud = resolveCloud('Custom', info.customCloud);
    const credential = new ClientSecretCredential(info.homeTenant.id, info.confidentialClient.clientId, info.confidentialClient.clientSecret, {
      authorityHost: info.loginUrl,
      disableInstanceDiscovery: true,
    });
    const impatient = new AutomationClient(
      new ArmClient({ cloud, credential, retry: { ...DEFAULT_RETRY_POLICY, maxAttempts: 1, baseDelayMs: 0 } }),
      cloud.armUrl,
      { pollIntervalMs: 5, maxRetryAfterMs: 5 },
    );
    let caught: unknown;
    await deployRunbookToAccount(impatient, request(name, NEW), hooks()).catch((e: unknown) => {
      caught = e;
    });
    assert.match(
      String((caught as Error).message),
      /The draft was uploaded and Azure accepted the publish request, but had not finished when checked: the published runbook is still the previous version, until Azure completes it\. Run Deploy Runbook again to finish\.$/,
    );
    assert.equal(runbookOf(name)?.publishedContent, OLD);

    // Finished in Azure although the answer was lost (the operation is due at once): the new version is live, and the message says so.
    setArmSettings(f.sandbox.core, { ...DEFAULT_ARM_SETTINGS, retryAfterSeconds: 0, lroPolls: 3 });
    const second = await published();
    f.sandbox.setFaults([{ kind: 'drop', method: 'GET', pathPrefix: path(second, '/publish/operationResults') }]);
    await fails(second, NEW, /socket hang up\. The draft was uploaded and published: the new version is live, although Azure's answer was lost\.$/);
    assert.equal(runbookOf(second)?.publishedContent, NEW);
  });

  it('a new runbook whose create fails: "may have been created, without content" (a new runbook can answer 404 for a while on Azure), and nothing exists', async () => {
    const name = `Safety-new-${++run}`;
    f.sandbox.setFaults([{ kind: 'error', status: 500, method: 'PUT', pathPrefix: path(name) }]);
    // The read-back finds nothing, but on Azure a runbook created a moment ago reads 404 too: it cannot say "not created".
    await fails(
      name,
      NEW,
      /answered 500.* The runbook Safety-new-\d+ may have been created, without content: it has no published version\. Run Deploy Runbook again to finish\.$/,
    );
    assert.equal(runbookOf(name), undefined);
  });

  it('cancelled while the draft upload is in flight: "may still complete", published unchanged, and no request starts after the cancel', async () => {
    const name = await published();
    f.sandbox.setFaults([{ kind: 'latency', method: 'PUT', pathPrefix: path(name, '/draft/content'), latencyMs: 500 }]);
    const controller = new AbortController();
    const since = f.sandbox.core.log.last;
    let cancelledAt = 0;
    const h = hooks({
      signal: controller.signal,
      report: (message) => {
        if (message !== 'Uploading the draft') return;
        // Cancel once the PUT has reached the sandbox (it is then in flight).
        const wait = setInterval(() => {
          if (!f.sandbox.requests(since).some((r) => r.method === 'PUT' && r.path.endsWith('/draft/content'))) return;
          clearInterval(wait);
          cancelledAt = f.sandbox.core.log.last;
          controller.abort();
        }, 5);
      },
    });
    const error = await fails(
      name,
      NEW,
      /^Cancelled while uploading the draft\. The runbook Safety-\d+ exists\. The upload of the new draft may still complete in Azure, and it was not published; the published runbook is unchanged \(the previous version keeps running\)\. Run Deploy Runbook again to finish\.$/,
      h,
    );
    assert.ok(error instanceof UserCancelledError && error.outcome);
    assert.equal(error.name, 'UserCancelledError');
    await new Promise((r) => setTimeout(r, 700));
    const after = f.sandbox.requests(cancelledAt).filter((r: LoggedRequest) => r.area === 'arm');
    assert.deepEqual(
      after.map((r) => `${r.method} ${r.path}`),
      [],
      'no ARM request after the cancel',
    );
    assert.equal(runbookOf(name)?.publishedContent, OLD, 'the published version changes only on publish');
  });

  it('cancelled while publishing: "the previous version or the new one", and it is one of them', async () => {
    const name = await published();
    setArmSettings(f.sandbox.core, { ...DEFAULT_ARM_SETTINGS, retryAfterSeconds: 0, lroPolls: 3 });
    f.sandbox.setFaults([{ kind: 'latency', method: 'GET', pathPrefix: path(name, '/publish/operationResults'), latencyMs: 300 }]);
    const controller = new AbortController();
    const h = hooks({
      signal: controller.signal,
      report: (message) => {
        if (message === 'Publishing') setTimeout(() => controller.abort(), 150);
      },
    });
    await fails(
      name,
      NEW,
      /^Cancelled while publishing\. The draft was uploaded; publishing had been requested when you cancelled and may still complete in Azure, so the published runbook is either the previous version or the new one\./,
      h,
    );
    assert.ok([OLD, NEW].includes(runbookOf(name)?.publishedContent ?? ''), 'old or new, never mixed or empty');
  });

  // The extension host closing half-way cannot be simulated exactly: it is an abort at a step
  // boundary, the same path as a cancel. At each boundary the message names the state, and the
  // next read shows exactly that state.
  const boundaries: Array<{ before: string; message: RegExp; expect: { published: 'OLD' | 'NEW'; draft: 'OLD' | 'NEW' } }> = [
    {
      before: 'Reading the Automation account',
      message: /^Cancelled while reading the Automation account\. Nothing was changed on the runbook Safety-\d+\. Run/,
      expect: { published: 'OLD', draft: 'OLD' },
    },
    {
      before: 'Looking for a Python 3.10 runtime environment',
      message:
        /^Cancelled while looking for the runtime environment\. Nothing was changed on the runbook Safety-\d+; the published runbook is unchanged \(the previous version keeps running\)\. Run/,
      expect: { published: 'OLD', draft: 'OLD' },
    },
    {
      before: 'Creating or updating the runbook',
      message:
        /^Cancelled while creating or updating the runbook\. Nothing was changed on the runbook Safety-\d+; the published runbook is unchanged \(the previous version keeps running\)\. Run/,
      expect: { published: 'OLD', draft: 'OLD' },
    },
    {
      before: 'Uploading the draft',
      message:
        /^Cancelled while uploading the draft\. The runbook Safety-\d+ exists\. The new draft was not uploaded, and it was not published; the published runbook is unchanged/,
      expect: { published: 'OLD', draft: 'OLD' },
    },
    {
      before: 'Publishing',
      message:
        /^Cancelled while publishing\. The draft was uploaded but not published; the published runbook is unchanged \(the previous version keeps running\)\. Run Deploy Runbook again to finish\.$/,
      expect: { published: 'OLD', draft: 'NEW' },
    },
  ];
  for (const b of boundaries) {
    it(`an abort just before "${b.before}" (the host closing there): the message and the next read agree`, async () => {
      const name = await published();
      const controller = new AbortController();
      let since = 0;
      const h = hooks({
        signal: controller.signal,
        report: (message) => {
          if (message.startsWith(b.before)) {
            since = f.sandbox.core.log.last;
            controller.abort();
          }
        },
      });
      await fails(name, NEW, b.message, h);
      assert.ok(!f.sandbox.requests(since).some((r) => r.method !== 'GET'), 'nothing was written after the abort');
      const seen = await readBack(name);
      // ARM serves the published script as the draft when there is no draft of its own.
      assert.deepEqual(seen, { published: b.expect.published === 'OLD' ? OLD : NEW, draft: b.expect.draft === 'OLD' ? OLD : NEW });
    });
  }
});
