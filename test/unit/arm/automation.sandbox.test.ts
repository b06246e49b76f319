// The extension's ARM clients (src/arm/armClient.ts + src/arm/automation.ts), unchanged, against the sandbox:
// a ClientSecretCredential for the seeded confidential client (Contributor on the home subscription) and the
// sandbox as a custom cloud, whose ARM root has a path (/arm).
import assert from 'node:assert/strict';
import { ClientSecretCredential } from '@azure/identity';
import { ArmClient, ArmRequestError, listTenants } from '../../../src/arm/armClient';
import {
  AutomationClient,
  AutomationOperationError,
  hasSystemAssignedIdentity,
  POWERSHELL72_API_VERSION,
  AUTOMATION_API_VERSION,
} from '../../../src/arm/automation';
import { resolveCloud } from '../../../src/domain/clouds';
import { powerShellGalleryContentLink } from '../../../src/runbooks/runtimes';
import { setArmSettings } from '../../../sandbox/arm';
import { DEFAULT_ARM_SETTINGS } from '../../../sandbox/arm/common';
import { Sandbox, startSandbox } from '../../../sandbox/index';
import { trustSandboxCa } from '../../../sandbox/trust';
import { DEFAULT_RETRY_POLICY } from '../../../src/http/retryPolicy';

describe('arm: AutomationClient against the sandbox', () => {
  const f = {} as { sandbox: Sandbox };
  let untrust: (() => void) | undefined;
  let arm: ArmClient;
  let automation: AutomationClient;
  const slept: number[] = [];

  before(async () => {
    f.sandbox = await startSandbox({ seed: 47 });
    untrust = trustSandboxCa(f.sandbox.caCertPem);
    const { info } = f.sandbox;
    const cloud = resolveCloud('Custom', info.customCloud);
    const credential = new ClientSecretCredential(info.homeTenant.id, info.confidentialClient.clientId, info.confidentialClient.clientSecret, {
      authorityHost: info.loginUrl,
      disableInstanceDiscovery: true,
    });
    arm = new ArmClient({ cloud, credential, retry: { ...DEFAULT_RETRY_POLICY, maxAttempts: 3, baseDelayMs: 0 } });
    automation = new AutomationClient(arm, cloud.armUrl, {
      pollIntervalMs: 5,
      sleep: (ms) => {
        slept.push(ms);
        return new Promise((r) => setTimeout(r, ms));
      },
    });
  });
  after(async () => {
    untrust?.();
    await f.sandbox?.stop();
  });
  beforeEach(() => {
    setArmSettings(f.sandbox.core, { ...DEFAULT_ARM_SETTINGS, retryAfterSeconds: 0 });
    slept.length = 0;
    f.sandbox.setFaults([]);
  });

  it('lists tenants, subscriptions and accounts', async () => {
    const { info } = f.sandbox;
    assert.deepEqual(
      (await listTenants(arm)).map((t) => t.tenantId),
      [info.homeTenant.id],
    );
    const subs = await automation.listSubscriptions();
    assert.deepEqual(
      subs.map((s) => s.subscriptionId),
      [info.subscriptions.home],
    );
    const accounts = await automation.listAccounts(info.subscriptions.home);
    assert.deepEqual(
      accounts.map((a) => a.id),
      [info.automationAccount.id],
    );
    const account = await automation.getAccount(info.automationAccount.id);
    assert.equal(account.identity?.principalId, info.automationAccount.systemAssigned.principalId);
  });

  it('create → draft → publish → content for a PowerShell 7.6 runbook through a new runtime environment', async () => {
    const { info, core } = f.sandbox;
    const account = await automation.getAccount(info.automationAccount.id);
    const ensured = await automation.ensureRuntimeEnvironment(account, {
      language: 'PowerShell',
      version: '7.6',
      newName: 'PowerShell-7_6',
      defaultPackages: { Az: '12.3.0' },
    });
    assert.equal(ensured.created, true);
    assert.equal(ensured.environment.name, 'PowerShell-7_6');
    assert.deepEqual(ensured.environment.properties?.runtime, { language: 'PowerShell', version: '7.6' });
    const again = await automation.ensureRuntimeEnvironment(account, { language: 'PowerShell', version: '7.6', newName: 'PowerShell-7_6' });
    assert.deepEqual([again.created, again.environment.name], [false, 'PowerShell-7_6']);
    // Python 3.10: the account's system-generated Python-3.10 serves; nothing is created.
    const python = await automation.ensureRuntimeEnvironment(account, { language: 'Python', version: '3.10', newName: 'Python-3_10' });
    assert.deepEqual([python.created, python.environment.name], [false, 'Python-3.10']);

    const runbook = await automation.createOrUpdateRunbook(account.id, 'Invoke-FederatedGraph', account.location, {
      runbookType: 'PowerShell',
      runtimeEnvironment: 'PowerShell-7_6',
      apiVersion: AUTOMATION_API_VERSION,
      description: 'from the test',
    });
    assert.equal(runbook.properties.state, 'New');
    assert.equal(runbook.properties.runtimeEnvironment, 'PowerShell-7_6');
    const script = 'param([string]$TenantId)\nWrite-Output "tenant: $TenantId"\n# quotes \' " ` $ survive\n';
    await automation.uploadDraftContent(account.id, 'Invoke-FederatedGraph', script, AUTOMATION_API_VERSION);
    assert.equal(await automation.getRunbookContent(account.id, 'Invoke-FederatedGraph', 'draft'), script);
    await automation.publishRunbook(account.id, 'Invoke-FederatedGraph', AUTOMATION_API_VERSION);
    assert.equal((await automation.getRunbook(account.id, 'Invoke-FederatedGraph'))?.properties.state, 'Published');
    assert.equal(await automation.getRunbookContent(account.id, 'Invoke-FederatedGraph', 'published'), script);
    assert.equal(core.state.findAutomationAccount(account.id)?.runbooks.get('invoke-federatedgraph')?.publishedContent, script);

    // What the client sent: the documented paths and bodies.
    const sent = f.sandbox.requests().filter((r) => r.area === 'arm' && /Invoke-FederatedGraph/.test(r.path));
    const put = sent.find((r) => r.method === 'PUT' && r.path.endsWith('/runbooks/Invoke-FederatedGraph'));
    assert.equal(put?.query['api-version'], '2024-10-23');
    assert.deepEqual((put?.body as { properties: unknown }).properties, {
      runbookType: 'PowerShell',
      runtimeEnvironment: 'PowerShell-7_6',
      logVerbose: false,
      logProgress: false,
      description: 'from the test',
      draft: {},
    });
    assert.equal(sent.find((r) => r.path.endsWith('/draft/content') && r.method === 'PUT')?.headers['content-type'], 'text/powershell');
    assert.ok(sent.some((r) => r.method === 'POST' && r.path.endsWith('/runbooks/Invoke-FederatedGraph/publish')));
    assert.ok(
      sent.some((r) => r.method === 'GET' && /\/publish\/operationResults\//.test(r.path)),
      'the publish Location was polled',
    );
    assert.ok(
      f.sandbox.requests().some((r) => /\/operationStatuses\//.test(r.path)),
      'the draft Azure-AsyncOperation was polled',
    );
  });

  it("PowerShell72 runbook (2023-11-01) and the account's PowerShell 7.2 module import through to Succeeded", async () => {
    const { info } = f.sandbox;
    setArmSettings(f.sandbox.core, { moduleImportPolls: 3 });
    await automation.createOrUpdateRunbook(info.automationAccount.id, 'Legacy72', 'westeurope', {
      runbookType: 'PowerShell72',
      apiVersion: POWERSHELL72_API_VERSION,
    });
    await automation.uploadDraftContent(info.automationAccount.id, 'Legacy72', 'Write-Output 72', POWERSHELL72_API_VERSION);
    await automation.publishRunbook(info.automationAccount.id, 'Legacy72', POWERSHELL72_API_VERSION);
    assert.equal(await automation.getRunbookContent(info.automationAccount.id, 'Legacy72', 'published', POWERSHELL72_API_VERSION), 'Write-Output 72');

    const states: string[] = [];
    const imported = await automation.importModule(
      info.automationAccount.id,
      { kind: 'powerShell72' },
      { name: 'TokenMagician', contentLink: powerShellGalleryContentLink('TokenMagician') },
      undefined,
      (s) => states.push(s),
    );
    assert.equal(imported.properties?.provisioningState, 'Succeeded');
    assert.equal(imported.properties?.version, '0.1.1');
    assert.deepEqual(states, ['Creating', 'RunningImportModuleRunbook', 'ContentRetrieved', 'Succeeded']);
    const listed = await automation.listModules(info.automationAccount.id, { kind: 'powerShell72' });
    assert.deepEqual(listed.map((m) => m.name).sort(), ['Az.Accounts', 'TokenMagician']);

    await assert.rejects(
      automation.importModule(
        info.automationAccount.id,
        { kind: 'powerShell72' },
        { name: 'NoSuchThing', contentLink: powerShellGalleryContentLink('NoSuchThing') },
      ),
      (e: unknown) =>
        e instanceof AutomationOperationError && /Importing NoSuchThing failed: .*no package 'NoSuchThing'/.test(e.message) && e.code === 'ModuleImportFailed',
    );
  });

  it('right after a runbook is created ARM may answer 404 for it (consistency knob): the draft upload waits and succeeds', async () => {
    const { info, core } = f.sandbox;
    const before = core.consistency;
    core.consistency = { ...before, runbookPropagationMs: 300 };
    try {
      const account = await automation.getAccount(info.automationAccount.id);
      await automation.createOrUpdateRunbook(account.id, 'Fresh-Runbook', account.location, { runbookType: 'PowerShell', apiVersion: AUTOMATION_API_VERSION });
      let waited = 0;
      const realSleep = async (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
      const patient = new AutomationClient(arm, resolveCloud('Custom', info.customCloud).armUrl, { pollIntervalMs: 50, sleep: realSleep });
      await patient.uploadDraftContent(account.id, 'Fresh-Runbook', 'Write-Output 1', AUTOMATION_API_VERSION, undefined, undefined, { onWait: () => waited++ });
      assert.equal(waited, 1);
      const refused = f.sandbox.requests().filter((r) => r.method === 'PUT' && r.path.endsWith('/Fresh-Runbook/draft/content') && r.status === 404);
      assert.ok(refused.length >= 1, 'ARM answered 404 at first');
      assert.equal(await patient.getRunbookContent(account.id, 'Fresh-Runbook', 'draft'), 'Write-Output 1');
    } finally {
      core.consistency = before;
    }
  });

  it('imports a package into a runtime environment', async () => {
    const { info } = f.sandbox;
    const account = await automation.getAccount(info.automationAccount.id);
    const { environment } = await automation.ensureRuntimeEnvironment(account, { language: 'PowerShell', version: '7.6', newName: 'PowerShell-7_6' });
    const target = { kind: 'runtimeEnvironment', name: environment.name } as const;
    const pkg = await automation.importModule(account.id, target, {
      name: 'Microsoft.Graph.Authentication',
      contentLink: powerShellGalleryContentLink('Microsoft.Graph.Authentication', '2.26.1'),
      version: '2.26.1',
    });
    assert.equal(pkg.properties?.provisioningState, 'Succeeded');
    const listed = (await automation.listModules(account.id, target)).find((m) => m.name === 'Microsoft.Graph.Authentication');
    assert.equal(listed?.properties?.version, '2.26.1', 'imported at the version of the link, not the latest');
    // A version the gallery does not have fails to import, in ARM's words.
    await assert.rejects(
      automation.importModule(account.id, target, {
        name: 'Microsoft.Graph.Users',
        contentLink: powerShellGalleryContentLink('Microsoft.Graph.Users', '9.9.9'),
        version: '9.9.9',
      }),
      (e: unknown) => e instanceof AutomationOperationError && /no version 9\.9\.9 of 'Microsoft\.Graph\.Users'/.test(e.message),
    );
  });

  it('turns on the system-assigned identity keeping the user-assigned ones; the service principal exists', async () => {
    const { info, core } = f.sandbox;
    const path = `/subscriptions/${info.subscriptions.home}/resourceGroups/rg-automation/providers/Microsoft.Automation/automationAccounts/aa-identity-test`;
    await arm.request('PUT', path, {
      apiVersion: AUTOMATION_API_VERSION,
      body: { location: 'westeurope', identity: { type: 'UserAssigned', userAssignedIdentities: { [info.spareIdentity.id]: {} } } },
    });
    const before = await automation.getAccount(path);
    assert.equal(hasSystemAssignedIdentity(before), false);
    const after = await automation.enableSystemAssignedIdentity(before);
    assert.equal(after.identity?.type, 'SystemAssigned, UserAssigned');
    assert.deepEqual(Object.keys(after.identity?.userAssignedIdentities ?? {}), [info.spareIdentity.id]);
    const sp = core.state.servicePrincipals.get(after.identity?.principalId ?? '');
    assert.equal(sp?.servicePrincipalType, 'ManagedIdentity');
    assert.deepEqual(sp?.alternativeNames, ['isExplicit=False', path]);
  });

  it('waits Retry-After between polls and survives throttling (429 + Retry-After)', async function () {
    this.timeout(15000);
    const { info } = f.sandbox;
    await automation.createOrUpdateRunbook(info.automationAccount.id, 'Slow-One', 'westeurope', {
      runbookType: 'PowerShell',
      apiVersion: AUTOMATION_API_VERSION,
    });
    setArmSettings(f.sandbox.core, { retryAfterSeconds: 1, lroPolls: 1 });
    const t0 = Date.now();
    await automation.uploadDraftContent(info.automationAccount.id, 'Slow-One', 'slow', AUTOMATION_API_VERSION);
    assert.ok(Date.now() - t0 >= 1900, `took ${Date.now() - t0} ms; the client must wait Retry-After twice`);
    assert.deepEqual(slept, [1000, 1000]);
    f.sandbox.setFaults([{ kind: 'throttle', pathPrefix: '/arm/subscriptions', method: 'GET', count: 1, retryAfterSeconds: 1 }]);
    assert.equal(await automation.getRunbookContent(info.automationAccount.id, 'Slow-One', 'draft'), 'slow');
    assert.ok(f.sandbox.requests().some((r) => r.fault === 'throttle'));
  });

  it('surfaces ARM errors: 404 as undefined for gets, ArmRequestError with the code otherwise', async () => {
    const { info } = f.sandbox;
    assert.equal(await automation.getRunbook(info.automationAccount.id, 'Does-Not-Exist'), undefined);
    await assert.rejects(
      automation.getAccount(
        `/subscriptions/${info.subscriptions.home}/resourceGroups/rg-automation/providers/Microsoft.Automation/automationAccounts/aa-missing`,
      ),
      (e: unknown) => e instanceof ArmRequestError && e.status === 404 && e.code === 'ResourceNotFound',
    );
    await assert.rejects(
      automation.publishRunbook(info.automationAccount.id, 'Does-Not-Exist', AUTOMATION_API_VERSION),
      (e: unknown) => e instanceof ArmRequestError && e.status === 404,
    );
    await assert.rejects(
      automation.listAccounts(info.subscriptions.customer),
      (e: unknown) => e instanceof ArmRequestError && e.status === 401 && e.code === 'InvalidAuthenticationTokenTenant',
    );
  });
});
