// The Automation client's request sequence and long-running-operation handling against a scripted
// ARM stub (paths, bodies, api-versions, polling). These are logic tests: that the real service or
// the sandbox emulator answers these requests the same way is NOT covered here (see the report).
import * as assert from 'node:assert/strict';
import { ArmRequestError, type ArmResponse } from '../../../src/arm/armClient';
import {
  AutomationClient,
  compareModules,
  identityPatchEnablingSystemAssigned,
  parseAutomationAccountId,
  retryAfterMs,
  runbookNameFromFileName,
  checkRunbookName,
  type ArmRequester,
} from '../../../src/arm/automation';

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

  it("creates a missing runtime environment in the account's location with defaultPackages, and refuses one of another language", async () => {
    const account = { id: ACCOUNT, name: 'aa', location: 'westeurope' };
    const spec = { name: 'PowerShell-7.4', language: 'PowerShell', version: '7.4' };
    const stub = new StubArm([
      () => new ArmRequestError(404, 'NotFound', 'nope'),
      () => ({ status: 201, body: { name: 'PowerShell-7.4' } }),
      () => ({ body: { name: 'PowerShell-7.4', properties: { provisioningState: 'Succeeded' } } }),
    ]);
    const r = await client(stub).ensureRuntimeEnvironment(account, spec);
    assert.equal(r.created, true);
    assert.deepEqual(stub.calls[1]!.body, { location: 'westeurope', properties: { runtime: { language: 'PowerShell', version: '7.4' }, defaultPackages: {} } });
    const other = new StubArm([() => ({ body: { name: 'PowerShell-7.4', properties: { runtime: { language: 'Python', version: '3.10' } } } })]);
    await assert.rejects(client(other).ensureRuntimeEnvironment(account, spec), /runs Python 3\.10, not PowerShell 7\.4/);
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
});
