// The Automation client's request sequence and long-running-operation handling against a scripted
// ARM stub (paths, bodies, api-versions, polling). These are logic tests: that the real service or
// the sandbox emulator answers these requests the same way is NOT covered here (see the report).
import * as assert from 'node:assert/strict';
import { ArmRequestError, type ArmResponse } from '../../../src/arm/armClient';
import {
  AutomationClient,
  chooseRuntimeEnvironment,
  compareModules,
  isSystemGeneratedEnvironment,
  needsImport,
  identityPatchEnablingSystemAssigned,
  parseAutomationAccountId,
  retryAfterMs,
  runbookNameFromFileName,
  checkRunbookName,
  type ArmRequester,
} from '../../../src/arm/automation';
import { compareModuleVersions, powerShellGalleryContentLink } from '../../../src/runbooks';

const ARM = 'https://management.azure.com';
const ACCOUNT = '/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Automation/automationAccounts/aa';

interface Call {
  method: string;
  path: string;
  apiVersion: string;
  body?: unknown;
  text?: { content: string; contentType: string };
}
type Handler = (call: Call) => Partial<ArmResponse<unknown>> | Error;

class StubArm implements ArmRequester {
  readonly calls: Call[] = [];
  constructor(private readonly handlers: Handler[]) {}
  async request<T>(
    method: 'GET' | 'PUT' | 'PATCH' | 'POST' | 'DELETE',
    path: string,
    options: { apiVersion: string; body?: unknown; text?: { content: string; contentType: string }; signal?: AbortSignal },
  ): Promise<ArmResponse<T>> {
    const call: Call = {
      method,
      path,
      apiVersion: options.apiVersion,
      ...(options.body !== undefined ? { body: options.body } : {}),
      ...(options.text ? { text: options.text } : {}),
    };
    this.calls.push(call);
    const handler = this.handlers.shift();
    if (!handler) throw new Error(`unexpected request ${method} ${path}`);
    const result = handler(call);
    if (result instanceof Error) throw result;
    return { status: 200, headers: {}, body: undefined, ...result } as ArmResponse<T>;
  }
  async listAll<T>(path: string, apiVersion: string): Promise<T[]> {
    const r = await this.request<{ value: T[] }>('GET', path, { apiVersion });
    return r.body.value;
  }
}

function client(stub: StubArm, sleeps: number[] = []) {
  return new AutomationClient(stub, ARM, {
    pollIntervalMs: 5,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });
}

describe('Automation client (scripted ARM stub)', () => {
  it("creates a runbook as a draft with its type and runtime environment, on the account's path", async () => {
    const stub = new StubArm([
      () => ({ status: 201, body: { id: `${ACCOUNT}/runbooks/rb`, name: 'rb', properties: { state: 'New' } } }),
      () => ({ body: { id: `${ACCOUNT}/runbooks/rb`, name: 'rb', properties: { state: 'New' } } }),
    ]);
    const rb = await client(stub).createOrUpdateRunbook(ACCOUNT, 'rb', 'westeurope', {
      runbookType: 'PowerShell',
      runtimeEnvironment: 'PowerShell-7.4',
      apiVersion: '2024-10-23',
    });
    assert.equal(rb.properties.state, 'New');
    assert.deepEqual(stub.calls[0], {
      method: 'PUT',
      path: `${ACCOUNT}/runbooks/rb`,
      apiVersion: '2024-10-23',
      body: {
        name: 'rb',
        location: 'westeurope',
        properties: { runbookType: 'PowerShell', runtimeEnvironment: 'PowerShell-7.4', logVerbose: false, logProgress: false, draft: {} },
      },
    });
  });

  it('uploads the draft as text and follows the 202 Location until it stops answering 202, honouring Retry-After', async () => {
    const sleeps: number[] = [];
    const op = `${ARM}${ACCOUNT}/runbooks/rb/draft/operationResults/1?api-version=2024-10-23`;
    const stub = new StubArm([
      () => ({ status: 202, headers: { location: op, 'retry-after': '3' } }),
      () => ({ status: 202, headers: {} }),
      () => ({ status: 200 }),
    ]);
    await client(stub, sleeps).uploadDraftContent(ACCOUNT, 'rb', "Write-Output 'x'\n", '2024-10-23');
    assert.deepEqual(stub.calls[0]!.text, { content: "Write-Output 'x'\n", contentType: 'text/powershell' });
    assert.equal(stub.calls[0]!.path, `${ACCOUNT}/runbooks/rb/draft/content`);
    assert.deepEqual(
      stub.calls.slice(1).map((c) => [c.method, c.path]),
      [
        ['GET', op],
        ['GET', op],
      ],
    );
    assert.deepEqual(sleeps, [3000, 5]);
  });

  it('publishes with POST …/publish and polls Azure-AsyncOperation until Succeeded', async () => {
    const op = `${ARM}/subscriptions/s1/providers/Microsoft.Automation/locations/westeurope/operations/9?api-version=2024-10-23`;
    const stub = new StubArm([
      () => ({ status: 202, headers: { 'Azure-AsyncOperation': op } }),
      () => ({ body: { status: 'InProgress' } }),
      () => ({ body: { status: 'Succeeded' } }),
    ]);
    await client(stub).publishRunbook(ACCOUNT, 'rb', '2023-11-01');
    assert.deepEqual(
      stub.calls.map((c) => [c.method, c.path, c.apiVersion]),
      [
        ['POST', `${ACCOUNT}/runbooks/rb/publish`, '2023-11-01'],
        ['GET', op, '2024-10-23'],
        ['GET', op, '2024-10-23'],
      ],
    );
  });

  it("reports a failed operation with ARM's message", async () => {
    const stub = new StubArm([
      () => ({ status: 202, headers: { 'azure-asyncoperation': `${ARM}/op` } }),
      () => ({ body: { status: 'Failed', error: { code: 'BadRunbook', message: 'Parse error at line 3' } } }),
    ]);
    await assert.rejects(client(stub).publishRunbook(ACCOUNT, 'rb', '2024-10-23'), /operation failed: Parse error at line 3/);
  });

  it('does not follow a poll URL on another host (the token would go with it)', async () => {
    const stub = new StubArm([() => ({ status: 202, headers: { location: 'https://evil.example/op' } })]);
    await assert.rejects(client(stub).publishRunbook(ACCOUNT, 'rb', '2024-10-23'), /operation URL on evil\.example, not on management\.azure\.com/);
    assert.equal(stub.calls.length, 1);
  });

  it('stops polling when cancelled', async () => {
    const controller = new AbortController();
    const stub = new StubArm([() => ({ status: 202, headers: { location: `${ARM}/op` } })]);
    const c = new AutomationClient(stub, ARM, {
      sleep: async () => {
        controller.abort();
        throw Object.assign(new Error('Cancelled'), { name: 'UserCancelledError' });
      },
    });
    await assert.rejects(c.publishRunbook(ACCOUNT, 'rb', '2024-10-23', controller.signal), { name: 'UserCancelledError' });
  });

  it('gives up after maxPollMs', async () => {
    let t = 0;
    const stub = new StubArm(Array.from({ length: 20 }, (_, i) => () => (i === 0 ? { status: 202, headers: { location: `${ARM}/op` } } : { status: 202 })));
    const c = new AutomationClient(stub, ARM, {
      maxPollMs: 50,
      pollIntervalMs: 20,
      now: () => t,
      sleep: async (ms) => {
        t += ms;
      },
    });
    await assert.rejects(c.publishRunbook(ACCOUNT, 'rb', '2024-10-23'), /did not finish within/);
  });

  it('lists PowerShell 7.2 modules on the account and packages of a runtime environment', async () => {
    const stub = new StubArm([() => ({ body: { value: [{ name: 'Az' }] } }), () => ({ body: { value: [] } })]);
    const c = client(stub);
    await c.listModules(ACCOUNT, { kind: 'powerShell72' });
    await c.listModules(ACCOUNT, { kind: 'runtimeEnvironment', name: 'PowerShell-7.4' });
    assert.deepEqual(
      stub.calls.map((x) => [x.path, x.apiVersion]),
      [
        [`${ACCOUNT}/powerShell72Modules`, '2023-11-01'],
        [`${ACCOUNT}/runtimeEnvironments/PowerShell-7.4/packages`, '2024-10-23'],
      ],
    );
  });

  it('imports a module from its content link and waits for its provisioning state', async () => {
    const states: string[] = [];
    const stub = new StubArm([
      () => ({ status: 201, body: { name: 'TokenMagician', properties: { provisioningState: 'Creating' } } }),
      () => ({ body: { name: 'TokenMagician', properties: { provisioningState: 'ContentValidated' } } }),
      () => ({ body: { name: 'TokenMagician', properties: { provisioningState: 'Succeeded', version: '1.0.0' } } }),
    ]);
    const m = await client(stub).importModule(
      ACCOUNT,
      { kind: 'powerShell72' },
      { name: 'TokenMagician', contentLink: 'https://www.powershellgallery.com/api/v2/package/TokenMagician' },
      undefined,
      (s) => states.push(s),
    );
    assert.equal(m.properties?.version, '1.0.0');
    assert.deepEqual(stub.calls[0]!.body, { properties: { contentLink: { uri: 'https://www.powershellgallery.com/api/v2/package/TokenMagician' } } });
    assert.equal(stub.calls[0]!.path, `${ACCOUNT}/powerShell72Modules/TokenMagician`);
    assert.deepEqual(states, ['Creating', 'ContentValidated', 'Succeeded']);
  });

  it('reports a failed import with the module error', async () => {
    const stub = new StubArm([
      () => ({ status: 201, body: { name: 'X', properties: { provisioningState: 'Failed', error: { code: 'x', message: 'Module could not be extracted' } } } }),
    ]);
    await assert.rejects(
      client(stub).importModule(ACCOUNT, { kind: 'powerShell72' }, { name: 'X', contentLink: 'https://www.powershellgallery.com/api/v2/package/X' }),
      /Importing X failed: Module could not be extracted/,
    );
    await assert.rejects(
      client(new StubArm([])).importModule(ACCOUNT, { kind: 'powerShell72' }, { name: 'X', contentLink: 'http://x' }),
      /must be an https URL/,
    );
  });

  it("lists the account's runtime environments and creates one under ARM's name rule only when none runs the language and version", async () => {
    const account = { id: ACCOUNT, name: 'aa', location: 'westeurope' };
    const spec = { language: 'PowerShell', version: '7.6', newName: 'PowerShell-7_6' };
    const env = (name: string, language: string, version: string, description = '') => ({ name, properties: { runtime: { language, version }, description } });
    const stub = new StubArm([
      // The account has a 7.4 environment and, under our name, one that runs 7.2: neither serves 7.6.
      () => ({ body: { value: [env('PowerShell-7_4', 'PowerShell', '7.4'), env('PowerShell-7_6', 'PowerShell', '7.2')] } }),
      () => ({ status: 201, body: { name: 'PowerShell-7_6-2' } }),
      () => ({ body: env('PowerShell-7_6-2', 'PowerShell', '7.6') }),
    ]);
    const r = await client(stub).ensureRuntimeEnvironment(account, spec);
    assert.equal(r.created, true);
    assert.equal(r.environment.name, 'PowerShell-7_6-2');
    assert.deepEqual(
      stub.calls.map((c) => `${c.method} ${c.path.slice(ACCOUNT.length)}`),
      ['GET /runtimeEnvironments', 'PUT /runtimeEnvironments/PowerShell-7_6-2', 'GET /runtimeEnvironments/PowerShell-7_6-2'],
    );
    assert.deepEqual(stub.calls[1]!.body, { location: 'westeurope', properties: { runtime: { language: 'PowerShell', version: '7.6' }, defaultPackages: {} } });

    // One that runs PowerShell 7.6 is reused whatever its name: no write at all.
    const reuse = new StubArm([() => ({ body: { value: [env('Team-PS76', 'powershell', '7.6'), env('PowerShell-7_4', 'PowerShell', '7.4')] } })]);
    const reused = await client(reuse).ensureRuntimeEnvironment(account, spec);
    assert.deepEqual([reused.created, reused.environment.name, reuse.calls.length], [false, 'Team-PS76', 1]);
  });

  it('prefers the environment named as we name it, then a system-generated one, then any other by name', () => {
    const env = (name: string, version: string, description = '') => ({ name, properties: { runtime: { language: 'Python', version }, description } });
    const spec = { language: 'Python', version: '3.10', newName: 'Python-3_10' };
    const system = env('Python-3.10', '3.10', 'System-generated Runtime Environment for your Automation account with Runtime Python 3.10');
    assert.deepEqual(chooseRuntimeEnvironment([env('b-custom', '3.10'), system, env('a-custom', '3.10')], spec), { reuse: system });
    assert.deepEqual(chooseRuntimeEnvironment([env('b-custom', '3.10'), env('Python-3_10', '3.10'), system], spec), { reuse: env('Python-3_10', '3.10') });
    assert.deepEqual(chooseRuntimeEnvironment([env('b-custom', '3.10'), env('a-custom', '3.10')], spec), { reuse: env('a-custom', '3.10') });
    assert.deepEqual(chooseRuntimeEnvironment([env('Python-3.8', '3.8')], spec), { create: 'Python-3_10' });
    assert.deepEqual(chooseRuntimeEnvironment([env('python-3_10', '3.8'), env('Python-3_10-2', '3.8')], spec), { create: 'Python-3_10-3' });
    assert.equal(isSystemGeneratedEnvironment(system), true);
    assert.equal(isSystemGeneratedEnvironment(env('PowerShell-7.2', '7.2')), true, 'a dotted name can only be a system one');
    assert.equal(isSystemGeneratedEnvironment(env('Team_Env', '3.10')), false);
  });

  it('turns on the system-assigned identity and keeps the user-assigned ones', async () => {
    const uami = '/subscriptions/s1/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id1';
    assert.deepEqual(
      identityPatchEnablingSystemAssigned({
        id: ACCOUNT,
        name: 'aa',
        location: 'x',
        identity: { type: 'UserAssigned', userAssignedIdentities: { [uami]: { clientId: 'c', principalId: 'p' } } },
      }),
      { identity: { type: 'SystemAssigned, UserAssigned', userAssignedIdentities: { [uami]: {} } } },
    );
    assert.deepEqual(identityPatchEnablingSystemAssigned({ id: ACCOUNT, name: 'aa', location: 'x' }), { identity: { type: 'SystemAssigned' } });
    const stub = new StubArm([() => ({ body: { id: ACCOUNT, name: 'aa', location: 'x', identity: { type: 'SystemAssigned', principalId: 'p1' } } })]);
    const updated = await client(stub).enableSystemAssignedIdentity({ id: ACCOUNT, name: 'aa', location: 'x', identity: { type: 'None' } });
    assert.equal(stub.calls[0]!.method, 'PATCH');
    assert.equal(updated.identity?.principalId, 'p1');
    const untouched = new StubArm([]);
    await client(untouched).enableSystemAssignedIdentity({ id: ACCOUNT, name: 'aa', location: 'x', identity: { type: 'SystemAssigned, UserAssigned' } });
    assert.equal(untouched.calls.length, 0);
  });

  it('a missing runbook is undefined, other errors pass through', async () => {
    assert.equal(await client(new StubArm([() => new ArmRequestError(404, 'NotFound', 'x')])).getRunbook(ACCOUNT, 'rb'), undefined);
    await assert.rejects(client(new StubArm([() => new ArmRequestError(403, 'AuthorizationFailed', 'no')])).getRunbook(ACCOUNT, 'rb'), /no/);
  });

  it('checks names and ids before any request', async () => {
    assert.throws(
      () => parseAutomationAccountId('/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/sites/x'),
      /must be an Automation account's resource id/,
    );
    assert.equal(parseAutomationAccountId(ACCOUNT).name, 'aa');
    assert.equal(checkRunbookName('Invoke-X_1'), undefined);
    assert.match(checkRunbookName('1abc')!, /starts with a letter/);
    assert.match(checkRunbookName('a/../b')!, /only letters/);
    assert.equal(runbookNameFromFileName('/ws/runbooks/Invoke-FederatedGraph.ps1'), 'Invoke-FederatedGraph');
    assert.equal(runbookNameFromFileName('C:\\x\\2 my run.book.py'), 'my-run-book');
    await assert.rejects(client(new StubArm([])).getRunbookContent(ACCOUNT, '../x', 'draft'), /Runbook name/);
  });

  it('a runbook created a moment ago may answer 404: the draft upload and the publish are tried again, bounded, and say so once; an older one is not waited for', async () => {
    const notFound = () => new ArmRequestError(404, 'ResourceNotFound', "The Resource 'Microsoft.Automation/automationAccounts/aa/runbooks/rb' was not found.");
    const stub = new StubArm([notFound, notFound, () => ({ status: 200 }), notFound, () => ({ status: 200 })]);
    const sleeps: number[] = [];
    let waits = 0;
    const c = client(stub, sleeps);
    const justCreated = { onWait: () => waits++ };
    await c.uploadDraftContent(ACCOUNT, 'rb', 'Write-Output 1', '2024-10-23', undefined, undefined, justCreated);
    await c.publishRunbook(ACCOUNT, 'rb', '2024-10-23', undefined, undefined, justCreated);
    assert.equal(stub.calls.length, 5);
    assert.equal(waits, 2, 'once per operation that had to wait');
    assert.equal(sleeps.length, 3);

    // Past propagationWaitMs the 404 stands: a runbook that is really not there is not waited for forever.
    let now = 0;
    const bounded = new AutomationClient(new StubArm(Array.from({ length: 10 }, () => notFound)), ARM, {
      pollIntervalMs: 5,
      propagationWaitMs: 20,
      now: () => now,
      sleep: async (ms) => {
        now += ms;
      },
    });
    await assert.rejects(
      bounded.uploadDraftContent(ACCOUNT, 'rb', 'x', '2024-10-23', undefined, undefined, {}),
      (e: unknown) => e instanceof ArmRequestError && e.status === 404,
    );
    // A runbook that existed before: a 404 stands at once.
    const existing = new StubArm([notFound]);
    await assert.rejects(
      client(existing).uploadDraftContent(ACCOUNT, 'rb', 'x', '2024-10-23'),
      (e: unknown) => e instanceof ArmRequestError && e.status === 404,
    );
    assert.equal(existing.calls.length, 1);
    // A 404 for something else than the runbook (its account, say) is an answer at once.
    const account = new StubArm([
      () => new ArmRequestError(404, 'ResourceNotFound', "The Resource 'Microsoft.Automation/automationAccounts/aa' was not found."),
    ]);
    await assert.rejects(
      client(account).uploadDraftContent(ACCOUNT, 'rb', 'x', '2024-10-23', undefined, undefined, {}),
      /automationAccounts\/aa' was not found/,
    );
    assert.equal(account.calls.length, 1);
    // Other errors are not retried here.
    const other = new StubArm([() => new ArmRequestError(400, 'BadRequest', 'no')]);
    await assert.rejects(client(other).uploadDraftContent(ACCOUNT, 'rb', 'x', '2024-10-23'), /no/);
    assert.equal(other.calls.length, 1);
  });

  it('reads Retry-After as seconds or a date', () => {
    assert.equal(retryAfterMs({ 'Retry-After': '7' }), 7000);
    assert.equal(retryAfterMs({ 'retry-after': new Date(10_000).toUTCString() }, 4_000), 6000);
    assert.equal(retryAfterMs({}), undefined);
  });

  it("compares needed modules with the account's, case-insensitively", () => {
    const needed = [
      { name: 'TokenMagician', contentLink: 'a' },
      { name: 'Microsoft.Graph.Authentication', contentLink: 'b' },
      { name: 'Microsoft.Graph.Users', contentLink: 'c' },
      { name: 'Other', contentLink: 'd' },
    ];
    const have = [
      { name: 'tokenmagician', properties: { provisioningState: 'Succeeded', version: '2.0' } },
      { name: 'Microsoft.Graph.Authentication', properties: { provisioningState: 'Creating' } },
      { name: 'Microsoft.Graph.Users', properties: { provisioningState: 'Failed' } },
    ];
    assert.deepEqual(
      compareModules(needed, have).map((m) => [m.name, m.status, m.version]),
      [
        ['TokenMagician', 'present', '2.0'],
        ['Microsoft.Graph.Authentication', 'importing', undefined],
        ['Microsoft.Graph.Users', 'failed', undefined],
        ['Other', 'missing', undefined],
      ],
    );
  });

  it('compares versions: an older module is outdated, a newer one stays, and the Graph modules keep one version', () => {
    const pinned = (name: string, version: string, group?: string) => ({
      name,
      version,
      contentLink: powerShellGalleryContentLink(name, version),
      ...(group ? { versionGroup: group } : {}),
    });
    const needed = [
      pinned('TokenMagician', '0.1.1'),
      pinned('Microsoft.Graph.Authentication', '2.28.0', 'Microsoft.Graph'),
      pinned('Microsoft.Graph.Users', '2.28.0', 'Microsoft.Graph'),
    ];
    const ready = (name: string, version: string) => ({ name, properties: { provisioningState: 'Succeeded', version } });
    const rows = (have: Array<ReturnType<typeof ready>>) =>
      compareModules(needed, have).map((m) => [m.name, m.status, m.version, m.requiredVersion, m.contentLink]);
    const link = (name: string, version: string) => powerShellGalleryContentLink(name, version);
    // Older than pinned: outdated, to be imported at the pinned version.
    assert.deepEqual(rows([ready('TokenMagician', '0.1.0'), ready('Microsoft.Graph.Authentication', '2.25.0'), ready('Microsoft.Graph.Users', '2.28.0')]), [
      ['TokenMagician', 'outdated', '0.1.0', '0.1.1', link('TokenMagician', '0.1.1')],
      ['Microsoft.Graph.Authentication', 'outdated', '2.25.0', '2.28.0', link('Microsoft.Graph.Authentication', '2.28.0')],
      ['Microsoft.Graph.Users', 'present', '2.28.0', '2.28.0', link('Microsoft.Graph.Users', '2.28.0')],
    ]);
    // A newer Authentication sets the group's version: Users is imported at that version, not downgraded to 2.28.0.
    assert.deepEqual(rows([ready('TokenMagician', '0.2.0'), ready('Microsoft.Graph.Authentication', '2.30.1'), ready('Microsoft.Graph.Users', '2.28.0')]), [
      ['TokenMagician', 'present', '0.2.0', '0.1.1', link('TokenMagician', '0.1.1')],
      ['Microsoft.Graph.Authentication', 'present', '2.30.1', '2.30.1', link('Microsoft.Graph.Authentication', '2.30.1')],
      ['Microsoft.Graph.Users', 'outdated', '2.28.0', '2.30.1', link('Microsoft.Graph.Users', '2.30.1')],
    ]);
    assert.deepEqual(
      compareModules(needed, [ready('Microsoft.Graph.Users', '2.31.0')]).map((m) => [m.name, m.status, m.requiredVersion]),
      [
        ['TokenMagician', 'missing', '0.1.1'],
        ['Microsoft.Graph.Authentication', 'missing', '2.31.0'],
        ['Microsoft.Graph.Users', 'present', '2.31.0'],
      ],
      'any member ahead of the pin sets the version of the whole group: nothing is downgraded',
    );
    assert.deepEqual(
      compareModules(needed, [ready('Microsoft.Graph.Authentication', '2.28.0'), ready('Microsoft.Graph.Users', '2.30.0+build.1')]).map((m) => [
        m.name,
        m.status,
        m.requiredVersion,
      ]),
      [
        ['TokenMagician', 'missing', '0.1.1'],
        ['Microsoft.Graph.Authentication', 'outdated', '2.30.0'],
        ['Microsoft.Graph.Users', 'present', '2.30.0'],
      ],
      'a version with build metadata counts by its release part',
    );
    assert.deepEqual(
      ['missing', 'failed', 'outdated', 'present', 'importing'].map((s) => needsImport(s as Parameters<typeof needsImport>[0])),
      [true, true, true, false, false],
    );
  });

  it('orders PowerShell module versions numerically, prereleases before their release', () => {
    const sorted = ['2.10.0', '2.9.1', '2.28.0-preview', '2.28.0', '1.0', '2.28.0.1', '2.28'].sort(compareModuleVersions);
    assert.deepEqual(sorted, ['1.0', '2.9.1', '2.10.0', '2.28.0-preview', '2.28.0', '2.28', '2.28.0.1']);
    assert.equal(compareModuleVersions('2.28', '2.28.0'), 0);
    assert.ok(compareModuleVersions('1.0.0-rc-2', '1.0.0-rc-1') > 0, 'the whole prerelease tag counts');
    assert.ok(compareModuleVersions('1.0.0-beta.10', '1.0.0-beta.2') > 0, 'numeric identifiers compare as numbers');
    assert.equal(compareModuleVersions('2.30.0+build.7', '2.30.0'), 0, 'build metadata does not count');
  });
});
