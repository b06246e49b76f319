// ARM / Microsoft.Automation: accounts and identity PATCH (service principal in Graph state), runbooks with
// draft and publish long-running operations (Retry-After honoured), modules, runtime environments, packages.
import assert from 'node:assert/strict';
import { setArmSettings } from '../arm';
import { DEFAULT_ARM_SETTINGS } from '../arm/common';
import { arm, ArmCall, armErrorOf, armToken } from './armHelpers';
import { useSandbox } from './helpers';

const V = '2024-10-23';
const PS72 = '2023-11-01';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('sandbox: ARM Automation', () => {
  const f = useSandbox({ seed: 43 });
  const acct = () => f.sandbox.info.automationAccount.id;
  const rgPath = () => `/subscriptions/${f.sandbox.info.subscriptions.home}/resourceGroups/rg-automation/providers/Microsoft.Automation/automationAccounts`;
  beforeEach(() => setArmSettings(f.sandbox.core, { ...DEFAULT_ARM_SETTINGS, retryAfterSeconds: 0 }));

  /** Polls a Location URL until it stops answering 202; returns every answer. */
  async function pollLocation(url: string): Promise<ArmCall[]> {
    const answers: ArmCall[] = [];
    for (let i = 0; i < 20; i++) {
      const r = await arm(f.sandbox, 'GET', url);
      answers.push(r);
      if (r.status !== 202) return answers;
    }
    throw new Error('operation never finished');
  }

  describe('accounts', () => {
    it('lists by subscription and resource group, gets one with its identity', async () => {
      const { info } = f.sandbox;
      const bySub = await arm(f.sandbox, 'GET', `/subscriptions/${info.subscriptions.home}/providers/Microsoft.Automation/automationAccounts`, {
        apiVersion: V,
      });
      assert.deepEqual(
        (bySub.body.value as { id: string }[]).map((a) => a.id),
        [info.automationAccount.id],
      );
      const byRg = await arm(f.sandbox, 'GET', rgPath(), { apiVersion: V });
      assert.equal((byRg.body.value as unknown[]).length, 1);
      const none = await arm(
        f.sandbox,
        'GET',
        `/subscriptions/${info.subscriptions.home}/resourceGroups/rg-identities/providers/Microsoft.Automation/automationAccounts`,
        { apiVersion: V },
      );
      assert.deepEqual(none.body.value, []);
      const one = await arm(f.sandbox, 'GET', acct(), { apiVersion: V });
      assert.equal(one.status, 200);
      assert.equal(one.body.type, 'Microsoft.Automation/AutomationAccounts');
      assert.deepEqual(one.body.identity, {
        type: 'SystemAssigned, UserAssigned',
        principalId: info.automationAccount.systemAssigned.principalId,
        tenantId: info.homeTenant.id,
        userAssignedIdentities: {
          [info.automationAccount.userAssigned.id]: {
            principalId: info.automationAccount.userAssigned.principalId,
            clientId: info.automationAccount.userAssigned.clientId,
          },
        },
      });
      assert.equal((one.body.properties as { state: string }).state, 'Ok');
    });

    it('answers ResourceNotFound for an unknown account and ParentResourceNotFound under it', async () => {
      const missing = await arm(f.sandbox, 'GET', `${rgPath()}/aa-nope`, { apiVersion: V });
      assert.equal(missing.status, 404);
      assert.equal(armErrorOf(missing).code, 'ResourceNotFound');
      const nested = await arm(f.sandbox, 'GET', `${rgPath()}/aa-nope/runbooks/x`, { apiVersion: V });
      assert.equal(nested.status, 404);
      assert.deepEqual(armErrorOf(nested), {
        code: 'ParentResourceNotFound',
        message: "Can not perform requested operation on nested resource. Parent resource 'aa-nope' not found.",
      });
    });

    it('creates an account (201) without identity, then PATCH SystemAssigned creates its service principal', async () => {
      const { core, info } = f.sandbox;
      const path = `${rgPath()}/aa-second`;
      const created = await arm(f.sandbox, 'PUT', path, { apiVersion: V, body: { location: 'westeurope', properties: { sku: { name: 'Free' } } } });
      assert.equal(created.status, 201);
      assert.equal(created.body.identity, undefined, 'no identity block when none is configured');
      assert.equal((await arm(f.sandbox, 'PUT', path, { apiVersion: V, body: { location: 'westeurope' } })).status, 200);
      const before = core.state.summary().managedIdentities;
      const patched = await arm(f.sandbox, 'PATCH', path, { apiVersion: V, body: { identity: { type: 'SystemAssigned' } } });
      assert.equal(patched.status, 200);
      const identity = patched.body.identity as { type: string; principalId: string; tenantId: string };
      assert.equal(identity.type, 'SystemAssigned');
      assert.equal(identity.tenantId, info.homeTenant.id);
      const sp = core.state.servicePrincipals.get(identity.principalId);
      assert.ok(sp);
      assert.equal(sp.servicePrincipalType, 'ManagedIdentity');
      assert.equal(sp.tenantId, info.homeTenant.id);
      assert.equal(sp.displayName, 'aa-second');
      assert.deepEqual(sp.alternativeNames, [
        'isExplicit=False',
        `/subscriptions/${info.subscriptions.home}/resourceGroups/rg-automation/providers/Microsoft.Automation/automationAccounts/aa-second`,
      ]);
      assert.equal(core.state.summary().managedIdentities, before + 1);
      // Idempotent: the same identity on a second PATCH.
      const again = await arm(f.sandbox, 'PATCH', path, { apiVersion: V, body: { identity: { type: 'SystemAssigned' } } });
      assert.equal((again.body.identity as { principalId: string }).principalId, identity.principalId);
      // Off again: the service principal goes away.
      const off = await arm(f.sandbox, 'PATCH', path, { apiVersion: V, body: { identity: { type: 'None' } } });
      assert.equal(off.body.identity, undefined);
      assert.equal(core.state.servicePrincipals.get(identity.principalId), undefined);
    });

    it('PATCH SystemAssigned alone drops the user-assigned identities; "SystemAssigned, UserAssigned" keeps them', async () => {
      const { info } = f.sandbox;
      const path = `${rgPath()}/aa-third`;
      const uami = info.automationAccount.userAssigned.id;
      const created = await arm(f.sandbox, 'PUT', path, {
        apiVersion: V,
        body: { location: 'westeurope', identity: { type: 'UserAssigned', userAssignedIdentities: { [uami]: {} } } },
      });
      assert.equal(created.status, 201);
      assert.deepEqual(created.body.identity, {
        type: 'UserAssigned',
        userAssignedIdentities: {
          [uami]: { principalId: info.automationAccount.userAssigned.principalId, clientId: info.automationAccount.userAssigned.clientId },
        },
      });
      const keep = await arm(f.sandbox, 'PATCH', path, {
        apiVersion: V,
        body: { identity: { type: 'SystemAssigned, UserAssigned', userAssignedIdentities: { [uami]: {} } } },
      });
      const kept = keep.body.identity as { type: string; userAssignedIdentities: Record<string, unknown>; principalId: string };
      assert.equal(kept.type, 'SystemAssigned, UserAssigned');
      assert.deepEqual(Object.keys(kept.userAssignedIdentities), [uami]);
      assert.ok(kept.principalId);
      const drop = await arm(f.sandbox, 'PATCH', path, { apiVersion: V, body: { identity: { type: 'SystemAssigned' } } });
      const dropped = drop.body.identity as Record<string, unknown>;
      assert.equal(dropped.type, 'SystemAssigned');
      assert.equal(dropped.userAssignedIdentities, undefined);
      assert.equal(dropped.principalId, kept.principalId, 'the system-assigned identity stays the same');
      // Adding a spare identity, detaching with null.
      const spare = info.spareIdentity.id;
      const both = await arm(f.sandbox, 'PATCH', path, {
        apiVersion: V,
        body: { identity: { type: 'SystemAssigned,UserAssigned', userAssignedIdentities: { [uami]: {}, [spare]: {} } } },
      });
      assert.deepEqual(Object.keys((both.body.identity as { userAssignedIdentities: object }).userAssignedIdentities).sort(), [uami, spare].sort());
      const detach = await arm(f.sandbox, 'PATCH', path, {
        apiVersion: V,
        body: { identity: { type: 'SystemAssigned, UserAssigned', userAssignedIdentities: { [spare]: null } } },
      });
      assert.deepEqual(Object.keys((detach.body.identity as { userAssignedIdentities: object }).userAssignedIdentities), [uami]);
    });

    it('refuses bad identity bodies and bad account writes', async () => {
      const path = acct();
      const bad = async (body: unknown, code: string) => {
        const r = await arm(f.sandbox, 'PATCH', path, { apiVersion: V, body });
        assert.equal(r.status, 400, JSON.stringify(body));
        assert.equal(armErrorOf(r).code, code);
      };
      await bad({ identity: { type: 'Magic' } }, 'InvalidIdentityType');
      await bad(
        {
          identity: {
            type: 'UserAssigned',
            userAssignedIdentities: { '/subscriptions/x/resourceGroups/y/providers/Microsoft.ManagedIdentity/userAssignedIdentities/z': {} },
          },
        },
        'FailedIdentityOperation',
      );
      await bad({ identity: { type: 'SystemAssigned', userAssignedIdentities: { [f.sandbox.info.spareIdentity.id]: {} } } }, 'InvalidIdentity');
      await bad({ properties: { sku: { name: 'Premium' } } }, 'InvalidSku');
      await bad('{not json', 'InvalidRequestContent');
      const name = await arm(f.sandbox, 'PUT', `${rgPath()}/a`, { apiVersion: V, body: { location: 'westeurope' } });
      assert.equal(armErrorOf(name).code, 'InvalidAccountName');
      const location = await arm(f.sandbox, 'PUT', `${rgPath()}/aa-nolocation`, { apiVersion: V, body: {} });
      assert.equal(armErrorOf(location).code, 'LocationRequired');
      // The failed PATCHes changed nothing.
      const after = await arm(f.sandbox, 'GET', path, { apiVersion: V });
      assert.equal((after.body.identity as { type: string }).type, 'SystemAssigned, UserAssigned');
    });

    it('forbids writes to a Reader and everything to a user without a role', async () => {
      const { info, core } = f.sandbox;
      const reader = info.users.find((u) => u.username.startsWith('dev@'));
      assert.ok(reader);
      core.state.armRoleAssignments.set('test-reader', { id: 'r1', principalId: reader.id, scope: acct(), roleDefinitionName: 'Reader' });
      try {
        const token = armToken(f.sandbox, { userId: reader.id });
        assert.equal(
          (await arm(f.sandbox, 'GET', `/subscriptions/${info.subscriptions.home}`, { token, apiVersion: '2022-12-01' })).status,
          200,
          'a role below the subscription makes it visible',
        );
        assert.equal((await arm(f.sandbox, 'GET', acct(), { token, apiVersion: V })).status, 200);
        const write = await arm(f.sandbox, 'PATCH', acct(), { token, apiVersion: V, body: { tags: { a: 'b' } } });
        assert.equal(write.status, 403);
        assert.match(armErrorOf(write).message, /'Microsoft\.Automation\/automationAccounts\/write' over scope/);
        const list = await arm(f.sandbox, 'GET', `/subscriptions/${info.subscriptions.home}/providers/Microsoft.Automation/automationAccounts`, {
          token,
          apiVersion: V,
        });
        assert.equal((list.body.value as unknown[]).length, 1, 'a role on the account makes it listable');
        const nobody = armToken(f.sandbox, { userId: info.users.find((u) => u.username.startsWith('user@contoso'))?.id });
        assert.equal((await arm(f.sandbox, 'GET', acct(), { token: nobody, apiVersion: V })).status, 403);
        assert.equal(
          (
            await arm(f.sandbox, 'GET', `/subscriptions/${info.subscriptions.home}/providers/Microsoft.Automation/automationAccounts`, {
              token: nobody,
              apiVersion: V,
            })
          ).status,
          403,
        );
        core.state.armRoleAssignments.delete('test-reader');
        assert.equal((await arm(f.sandbox, 'GET', acct(), { token, apiVersion: V })).status, 403, 'the role is gone');
      } finally {
        core.state.armRoleAssignments.delete('test-reader');
      }
    });
  });

  describe('runbooks', () => {
    it('creates PowerShell72 (2023-11-01), PowerShell with a runtime environment, Python3 and Python runbooks', async () => {
      const ps72 = await arm(f.sandbox, 'PUT', `${acct()}/runbooks/Legacy-72`, {
        apiVersion: PS72,
        body: { name: 'Legacy-72', location: 'westeurope', properties: { runbookType: 'PowerShell72', logVerbose: false, logProgress: false, draft: {} } },
      });
      assert.equal(ps72.status, 201);
      const props72 = ps72.body.properties as Record<string, unknown>;
      assert.equal(props72.runbookType, 'PowerShell72');
      assert.equal(props72.state, 'New');
      assert.equal(props72.runtimeEnvironment, undefined, 'no runtimeEnvironment before 2024-10-23');
      assert.match(ps72.body.etag as string, /^"\d+"$/);
      const env = await arm(f.sandbox, 'PUT', `${acct()}/runbooks/Env_72`, {
        apiVersion: V,
        body: { location: 'westeurope', properties: { runbookType: 'PowerShell', runtimeEnvironment: 'PowerShell-7.2', draft: {} } },
      });
      assert.equal(env.status, 201);
      assert.equal((env.body.properties as Record<string, unknown>).runtimeEnvironment, 'PowerShell-7.2');
      const py3 = await arm(f.sandbox, 'PUT', `${acct()}/runbooks/Py3`, {
        apiVersion: V,
        body: { location: 'westeurope', properties: { runbookType: 'python3', runtimeEnvironment: 'Python-3.10', draft: {} } },
      });
      assert.equal((py3.body.properties as Record<string, unknown>).runbookType, 'Python3');
      const py = await arm(f.sandbox, 'PUT', `${acct()}/runbooks/Py`, {
        apiVersion: V,
        body: { location: 'westeurope', properties: { runbookType: 'Python', runtimeEnvironment: 'Python-3.10', draft: {} } },
      });
      assert.equal(py.status, 201);
      const update = await arm(f.sandbox, 'PUT', `${acct()}/runbooks/Env_72`, {
        apiVersion: V,
        body: { location: 'westeurope', properties: { runbookType: 'PowerShell', runtimeEnvironment: 'PowerShell-5.1', description: 'moved' } },
      });
      assert.equal(update.status, 200);
      assert.equal((update.body.properties as Record<string, unknown>).runtimeEnvironment, 'PowerShell-5.1');
      const list = await arm(f.sandbox, 'GET', `${acct()}/runbooks`, { apiVersion: V });
      assert.deepEqual(
        (list.body.value as { name: string }[]).map((r) => r.name),
        ['Env_72', 'Hello-World', 'Legacy-72', 'Py', 'Py3'],
      );
      // The seeded PowerShell runbook is linked to the system environment for its type.
      const hello = (list.body.value as { name: string; properties: Record<string, unknown> }[]).find((r) => r.name === 'Hello-World');
      assert.equal(hello?.properties.runtimeEnvironment, 'PowerShell-5.1');
    });

    it('validates the name pattern, the body, the type and the runtime environment', async () => {
      const put = (name: string, body: unknown, version = V) => arm(f.sandbox, 'PUT', `${acct()}/runbooks/${name}`, { apiVersion: version, body });
      const code = async (p: Promise<ArmCall>, expected: string) => {
        const r = await p;
        assert.equal(r.status, 400, r.text);
        assert.equal(armErrorOf(r).code, expected);
      };
      for (const name of ['1abc', 'has.dot', '-lead', `a${'b'.repeat(63)}`])
        await code(put(encodeURIComponent(name), { properties: { runbookType: 'PowerShell' } }), 'BadRequest');
      await code(put('Ok-Name', {}), 'BadRequest');
      await code(put('Ok-Name', { properties: {} }), 'BadRequest');
      await code(put('Ok-Name', { properties: { runbookType: 'Bash' } }), 'InvalidRunbookType');
      await code(put('Ok-Name', { properties: { runbookType: 'PowerShell72' } }, '2019-06-01'), 'InvalidRunbookType');
      await code(put('Ok-Name', { properties: { runbookType: 'Python', runtimeEnvironment: 'Python-3.10' } }, PS72), 'InvalidRunbookType');
      await code(put('Ok-Name', { properties: { runbookType: 'PowerShell', runtimeEnvironment: 'PowerShell-9.9' } }), 'RuntimeEnvironmentNotFound');
      await code(put('Ok-Name', { properties: { runbookType: 'PowerShell', runtimeEnvironment: 'Python-3.10' } }), 'RuntimeEnvironmentMismatch');
      await code(put('Ok-Name', { properties: { runbookType: 'Python' } }), 'BadRequest');
      await code(put('Ok-Name', { properties: { runbookType: 'PowerShell', draft: {}, publishContentLink: { uri: 'https://x/y.ps1' } } }), 'BadRequest');
      await code(put('Ok-Name', '{"properties":', V), 'InvalidRequestContent');
      await code(put('Hello-World', { properties: { runbookType: 'Python3' } }), 'RunbookTypeChangeNotAllowed');
      assert.equal((await arm(f.sandbox, 'GET', `${acct()}/runbooks/Ok-Name`, { apiVersion: V })).status, 404);
    });

    it('draft content: 202 with Location, Azure-AsyncOperation and Retry-After; status InProgress then Succeeded', async () => {
      await arm(f.sandbox, 'PUT', `${acct()}/runbooks/Draft-A`, {
        apiVersion: V,
        body: { properties: { runbookType: 'PowerShell', runtimeEnvironment: 'PowerShell-7.2', draft: {} } },
      });
      setArmSettings(f.sandbox.core, { lroPolls: 2 });
      const put = await arm(f.sandbox, 'PUT', `${acct()}/runbooks/Draft-A/draft/content`, { apiVersion: V, text: "Write-Output 'draft A'\n" });
      assert.equal(put.status, 202);
      assert.equal(put.headers.get('retry-after'), '0');
      const location = put.headers.get('location') ?? '';
      const asyncOp = put.headers.get('azure-asyncoperation') ?? '';
      assert.match(location, /\/arm\/subscriptions\/.*\/runbooks\/Draft-A\/draft\/content\/operationResults\/[0-9a-f-]{36}\?api-version=2024-10-23$/);
      assert.match(
        asyncOp,
        /\/arm\/subscriptions\/[0-9a-f-]+\/providers\/Microsoft\.Automation\/locations\/westeurope\/operationStatuses\/[0-9a-f-]{36}\?api-version=2024-10-23$/,
      );
      const statuses: string[] = [];
      for (let i = 0; i < 5; i++) {
        const s = await arm(f.sandbox, 'GET', asyncOp);
        assert.equal(s.status, 200);
        statuses.push(s.body.status as string);
        if (s.body.status === 'Succeeded') {
          assert.ok(s.body.endTime);
          break;
        }
        assert.equal(s.headers.get('retry-after'), '0');
      }
      assert.deepEqual(statuses, ['InProgress', 'InProgress', 'Succeeded']);
      const final = await arm(f.sandbox, 'GET', location);
      assert.equal(final.status, 204, 'the Location URL of a finished operation without a result body');
      const draft = await arm(f.sandbox, 'GET', `${acct()}/runbooks/Draft-A/draft/content`, { apiVersion: V });
      assert.equal(draft.status, 200);
      assert.equal(draft.headers.get('content-type'), 'text/powershell');
      assert.equal(draft.text, "Write-Output 'draft A'\n");
    });

    it('honours Retry-After: polls sooner than it do not advance the operation', async function () {
      this.timeout(10000);
      await arm(f.sandbox, 'PUT', `${acct()}/runbooks/Draft-B`, { apiVersion: V, body: { properties: { runbookType: 'PowerShell72', draft: {} } } });
      setArmSettings(f.sandbox.core, { retryAfterSeconds: 1, lroPolls: 1 });
      const put = await arm(f.sandbox, 'PUT', `${acct()}/runbooks/Draft-B/draft/content`, { apiVersion: V, text: 'x' });
      assert.equal(put.headers.get('retry-after'), '1');
      const location = put.headers.get('location') ?? '';
      for (let i = 0; i < 4; i++) assert.equal((await arm(f.sandbox, 'GET', location)).status, 202, 'early polls stay in progress');
      await sleep(1050);
      const afterWait = await arm(f.sandbox, 'GET', location);
      assert.equal(afterWait.status, 202, 'first counted poll still in progress (lroPolls 1)');
      assert.equal(afterWait.headers.get('retry-after'), '1');
      await sleep(1050);
      assert.equal((await arm(f.sandbox, 'GET', location)).status, 204);
    });

    it('publish: 202 + Location to …/publish/operationResults, then Published with the draft as content', async () => {
      const name = 'Pub-One';
      await arm(f.sandbox, 'PUT', `${acct()}/runbooks/${name}`, {
        apiVersion: V,
        body: { properties: { runbookType: 'PowerShell', runtimeEnvironment: 'PowerShell-7.2', draft: {} } },
      });
      const content = '# v1\nparam([string]$Name = "x")\nWrite-Output "Hello $Name"\n';
      await pollLocation(
        (await arm(f.sandbox, 'PUT', `${acct()}/runbooks/${name}/draft/content`, { apiVersion: V, text: content })).headers.get('location') ?? '',
      );
      assert.equal((await arm(f.sandbox, 'GET', `${acct()}/runbooks/${name}/content`, { apiVersion: V })).status, 404, 'nothing published yet');
      const pub = await arm(f.sandbox, 'POST', `${acct()}/runbooks/${name}/publish`, { apiVersion: V });
      assert.equal(pub.status, 202);
      assert.equal(pub.headers.get('azure-asyncoperation'), null);
      const location = pub.headers.get('location') ?? '';
      assert.match(location, new RegExp(`/runbooks/${name}/publish/operationResults/[0-9a-f-]{36}\\?api-version=${V}$`));
      const answers = await pollLocation(location);
      assert.deepEqual(
        answers.map((a) => a.status),
        [202, 204],
      );
      const rb = await arm(f.sandbox, 'GET', `${acct()}/runbooks/${name}`, { apiVersion: V });
      assert.equal((rb.body.properties as { state: string }).state, 'Published');
      const published = await arm(f.sandbox, 'GET', `${acct()}/runbooks/${name}/content`, { apiVersion: V });
      assert.equal(published.text, content);
      // Editing again: state Edit, published content unchanged until the next publish.
      await pollLocation(
        (await arm(f.sandbox, 'PUT', `${acct()}/runbooks/${name}/draft/content`, { apiVersion: V, text: '# v2\n' })).headers.get('location') ?? '',
      );
      const edited = await arm(f.sandbox, 'GET', `${acct()}/runbooks/${name}`, { apiVersion: V });
      assert.equal((edited.body.properties as { state: string }).state, 'Edit');
      assert.equal((await arm(f.sandbox, 'GET', `${acct()}/runbooks/${name}/content`, { apiVersion: V })).text, content);
      assert.equal((await arm(f.sandbox, 'GET', `${acct()}/runbooks/${name}/draft/content`, { apiVersion: V })).text, '# v2\n');
    });

    it('publishing without a draft fails the operation (status Failed, Location answers the error)', async () => {
      await arm(f.sandbox, 'PUT', `${acct()}/runbooks/Empty-One`, { apiVersion: V, body: { properties: { runbookType: 'PowerShell', draft: {} } } });
      const pub = await arm(f.sandbox, 'POST', `${acct()}/runbooks/Empty-One/publish`, { apiVersion: V });
      const answers = await pollLocation(pub.headers.get('location') ?? '');
      const last = answers[answers.length - 1] as ArmCall;
      assert.equal(last.status, 400);
      assert.match(armErrorOf(last).message, /no draft content/);
    });

    it('draft content in sync mode answers 200 at once; bad media types and empty bodies are refused', async () => {
      await arm(f.sandbox, 'PUT', `${acct()}/runbooks/Sync-One`, { apiVersion: V, body: { properties: { runbookType: 'PowerShell', draft: {} } } });
      setArmSettings(f.sandbox.core, { draftContent: 'sync' });
      const put = await arm(f.sandbox, 'PUT', `${acct()}/runbooks/Sync-One/draft/content`, { apiVersion: V, text: 'Write-Output 2' });
      assert.equal(put.status, 200);
      assert.equal((await arm(f.sandbox, 'GET', `${acct()}/runbooks/Sync-One/draft/content`, { apiVersion: V })).text, 'Write-Output 2');
      const json = await arm(f.sandbox, 'PUT', `${acct()}/runbooks/Sync-One/draft/content`, { apiVersion: V, body: { script: 'x' } });
      assert.equal(json.status, 415);
      assert.equal(armErrorOf(json).code, 'UnsupportedMediaType');
      assert.equal((await arm(f.sandbox, 'PUT', `${acct()}/runbooks/Sync-One/draft/content`, { apiVersion: V, text: '' })).status, 400);
      const missing = await arm(f.sandbox, 'PUT', `${acct()}/runbooks/Nope/draft/content`, { apiVersion: V, text: 'x' });
      assert.equal(missing.status, 404);
      assert.equal(armErrorOf(missing).code, 'ResourceNotFound');
    });

    it('a client that waits Retry-After instead of polling sees the operation done', async function () {
      this.timeout(5000);
      await arm(f.sandbox, 'PUT', `${acct()}/runbooks/Wait-One`, { apiVersion: V, body: { properties: { runbookType: 'PowerShell', draft: {} } } });
      setArmSettings(f.sandbox.core, { retryAfterSeconds: 1, lroPolls: 0 });
      await arm(f.sandbox, 'PUT', `${acct()}/runbooks/Wait-One/draft/content`, { apiVersion: V, text: 'waited' });
      assert.equal((await arm(f.sandbox, 'GET', `${acct()}/runbooks/Wait-One/draft/content`, { apiVersion: V })).status, 404, 'not applied yet');
      await sleep(1100);
      assert.equal((await arm(f.sandbox, 'GET', `${acct()}/runbooks/Wait-One/draft/content`, { apiVersion: V })).text, 'waited');
    });

    it('deletes a runbook (200, then 204); unknown operation ids are 404', async () => {
      assert.equal((await arm(f.sandbox, 'DELETE', `${acct()}/runbooks/Py`, { apiVersion: V })).status, 200);
      assert.equal((await arm(f.sandbox, 'DELETE', `${acct()}/runbooks/Py`, { apiVersion: V })).status, 204);
      const op = await arm(f.sandbox, 'GET', `${acct()}/runbooks/Py3/publish/operationResults/00000000-0000-0000-0000-000000000000`, { apiVersion: V });
      assert.equal(op.status, 404);
      assert.equal(armErrorOf(op).code, 'OperationNotFound');
    });
  });

  describe('PowerShell 7.2 modules', () => {
    it('lists the seeded module, imports from a gallery link with provisioningState progressing to Succeeded', async () => {
      setArmSettings(f.sandbox.core, { moduleImportPolls: 3 });
      const list = await arm(f.sandbox, 'GET', `${acct()}/powerShell72Modules`, { apiVersion: PS72 });
      assert.deepEqual(
        (list.body.value as { name: string }[]).map((m) => m.name),
        ['Az.Accounts'],
      );
      const put = await arm(f.sandbox, 'PUT', `${acct()}/powerShell72Modules/TokenMagician`, {
        apiVersion: PS72,
        body: { properties: { contentLink: { uri: 'https://www.powershellgallery.com/api/v2/package/TokenMagician' } } },
      });
      assert.equal(put.status, 201);
      assert.equal(put.body.type, 'Microsoft.Automation/AutomationAccounts/PowerShell72Modules');
      assert.equal((put.body.properties as { provisioningState: string }).provisioningState, 'Creating');
      const states: string[] = [];
      for (let i = 0; i < 5; i++) {
        const g = await arm(f.sandbox, 'GET', `${acct()}/powerShell72Modules/tokenmagician`, { apiVersion: PS72 });
        const p = g.body.properties as { provisioningState: string; version: string | null };
        states.push(p.provisioningState);
        if (p.provisioningState === 'Succeeded') {
          assert.equal(p.version, '0.1.1');
          break;
        }
      }
      assert.deepEqual(states, ['RunningImportModuleRunbook', 'ContentRetrieved', 'Succeeded']);
      const pinned = await arm(f.sandbox, 'PUT', `${acct()}/powerShell72Modules/Microsoft.Graph.Users`, {
        apiVersion: PS72,
        body: { properties: { contentLink: { uri: 'https://www.powershellgallery.com/api/v2/package/Microsoft.Graph.Users/2.25.0' } } },
      });
      assert.equal(pinned.status, 201);
      setArmSettings(f.sandbox.core, { moduleImportPolls: 1 });
      const done = await arm(f.sandbox, 'GET', `${acct()}/powerShell72Modules/Microsoft.Graph.Users`, { apiVersion: PS72 });
      assert.deepEqual(
        [(done.body.properties as { provisioningState: string }).provisioningState, (done.body.properties as { version: string }).version],
        ['Succeeded', '2.25.0'],
      );
    });

    it('fails the import of an unknown gallery package or a mismatched name; refuses unusable links', async () => {
      setArmSettings(f.sandbox.core, { moduleImportPolls: 1 });
      const unknown = await arm(f.sandbox, 'PUT', `${acct()}/powerShell72Modules/NoSuchModule`, {
        apiVersion: PS72,
        body: { properties: { contentLink: { uri: 'https://www.powershellgallery.com/api/v2/package/NoSuchModule' } } },
      });
      assert.equal(unknown.status, 201);
      const failed = await arm(f.sandbox, 'GET', `${acct()}/powerShell72Modules/NoSuchModule`, { apiVersion: PS72 });
      const p = failed.body.properties as { provisioningState: string; error: { code: string; message: string } };
      assert.equal(p.provisioningState, 'Failed');
      assert.match(p.error.message, /no package 'NoSuchModule'/);
      await arm(f.sandbox, 'PUT', `${acct()}/powerShell72Modules/Other`, {
        apiVersion: PS72,
        body: { properties: { contentLink: { uri: 'https://www.powershellgallery.com/api/v2/package/TokenMagician' } } },
      });
      const mismatch = await arm(f.sandbox, 'GET', `${acct()}/powerShell72Modules/Other`, { apiVersion: PS72 });
      assert.equal((mismatch.body.properties as { provisioningState: string }).provisioningState, 'Failed');
      const refuse = async (body: unknown, code = 'InvalidContentLink') => {
        const r = await arm(f.sandbox, 'PUT', `${acct()}/powerShell72Modules/TokenMagician`, { apiVersion: PS72, body });
        assert.equal(r.status, 400, JSON.stringify(body));
        assert.equal(armErrorOf(r).code, code);
      };
      await refuse({ properties: {} }, 'BadRequest');
      await refuse({ properties: { contentLink: { uri: 'not a url' } } });
      await refuse({ properties: { contentLink: { uri: 'http://www.powershellgallery.com/api/v2/package/TokenMagician' } } });
      await refuse({ properties: { contentLink: { uri: 'https://www.powershellgallery.com/packages/TokenMagician' } } });
      const badName = await arm(f.sandbox, 'PUT', `${acct()}/powerShell72Modules/9lives`, {
        apiVersion: PS72,
        body: { properties: { contentLink: { uri: 'https://example.com/x.zip' } } },
      });
      assert.equal(badName.status, 400);
      assert.equal((await arm(f.sandbox, 'GET', `${acct()}/powerShell72Modules/Missing`, { apiVersion: PS72 })).status, 404);
    });
  });

  describe('runtime environments and packages', () => {
    it('lists the system environments, creates PowerShell 7.6 (201) under a name without a dot, re-PUT 200, refuses a runtime change', async () => {
      const list = await arm(f.sandbox, 'GET', `${acct()}/runtimeEnvironments`, { apiVersion: V });
      assert.deepEqual(
        (list.body.value as { name: string }[]).map((e) => e.name),
        ['PowerShell-5.1', 'PowerShell-7.1', 'PowerShell-7.2', 'Python-2.7', 'Python-3.10', 'Python-3.8'],
      );
      const body = { location: 'westeurope', properties: { runtime: { language: 'PowerShell', version: '7.6' }, defaultPackages: { Az: '12.3.0' } } };
      // The spec's name pattern ^[a-zA-Z][a-zA-Z-_0-9]*$ refuses a dot (and a leading digit), as real ARM does.
      for (const name of ['PowerShell-7.6', '7_6-PowerShell', 'PowerShell-7.4']) {
        const refused = await arm(f.sandbox, 'PUT', `${acct()}/runtimeEnvironments/${name}`, { apiVersion: V, body });
        assert.equal(refused.status, 400, name);
        assert.match(armErrorOf(refused).message, /\^\[a-zA-Z\]\[a-zA-Z-_0-9\]\*\$/);
      }
      const created = await arm(f.sandbox, 'PUT', `${acct()}/runtimeEnvironments/PowerShell-7_6`, { apiVersion: V, body });
      assert.equal(created.status, 201);
      assert.equal(created.body.type, 'Microsoft.Automation/automationAccounts/runtimeEnvironments');
      assert.deepEqual(created.body.properties, { runtime: { language: 'PowerShell', version: '7.6' }, defaultPackages: { Az: '12.3.0' }, description: '' });
      assert.equal((await arm(f.sandbox, 'PUT', `${acct()}/runtimeEnvironments/PowerShell-7_6`, { apiVersion: V, body })).status, 200);
      const change = await arm(f.sandbox, 'PUT', `${acct()}/runtimeEnvironments/PowerShell-7_6`, {
        apiVersion: V,
        body: { properties: { runtime: { language: 'Python', version: '3.10' } } },
      });
      assert.equal(armErrorOf(change).code, 'RuntimeUpdateNotAllowed');
      const got = await arm(f.sandbox, 'GET', `${acct()}/runtimeEnvironments/powershell-7_6`, { apiVersion: V });
      assert.equal(got.status, 200);
      // The dotted system names stay readable.
      assert.equal((await arm(f.sandbox, 'GET', `${acct()}/runtimeEnvironments/Python-3.10`, { apiVersion: V })).status, 200);
      assert.equal((await arm(f.sandbox, 'GET', `${acct()}/runtimeEnvironments/Nope`, { apiVersion: V })).status, 404);
      const bad = async (b: unknown, code: string) =>
        assert.equal(armErrorOf(await arm(f.sandbox, 'PUT', `${acct()}/runtimeEnvironments/Env-X`, { apiVersion: V, body: b })).code, code);
      await bad({ properties: {} }, 'BadRequest');
      await bad({ properties: { runtime: { language: 'Ruby', version: '3' } } }, 'InvalidRuntime');
      await bad({ properties: { runtime: { language: 'PowerShell', version: '6.0' } } }, 'InvalidRuntime');
      await bad({ properties: { runtime: { language: 'PowerShell', version: '7.4' }, defaultPackages: { Az: 12 } } }, 'BadRequest');
      const system = await arm(f.sandbox, 'DELETE', `${acct()}/runtimeEnvironments/PowerShell-5.1`, { apiVersion: V });
      assert.equal(system.status, 400);
    });

    it('packages: default ones listed, a system environment refuses imports, a gallery import progresses to Succeeded', async () => {
      setArmSettings(f.sandbox.core, { moduleImportPolls: 2 });
      const system = `${acct()}/runtimeEnvironments/PowerShell-7.2/packages`;
      const systemList = await arm(f.sandbox, 'GET', system, { apiVersion: V });
      assert.deepEqual(
        (systemList.body.value as { name: string; properties: { default: boolean } }[]).map((p) => [p.name, p.properties.default]),
        [['Az', true]],
      );
      const refused = await arm(f.sandbox, 'PUT', `${system}/Microsoft.Graph.Authentication`, {
        apiVersion: V,
        body: { properties: { contentLink: { uri: 'https://www.powershellgallery.com/api/v2/package/Microsoft.Graph.Authentication' } } },
      });
      assert.equal(refused.status, 400);
      assert.match(armErrorOf(refused).message, /system-generated and cannot be edited/);
      const created = await arm(f.sandbox, 'PUT', `${acct()}/runtimeEnvironments/Team-PS72`, {
        apiVersion: V,
        body: { location: 'westeurope', properties: { runtime: { language: 'PowerShell', version: '7.2' }, defaultPackages: { Az: '11.2.0' } } },
      });
      assert.equal(created.status, 201, created.text);
      const env = `${acct()}/runtimeEnvironments/Team-PS72/packages`;
      const list = await arm(f.sandbox, 'GET', env, { apiVersion: V });
      assert.deepEqual(
        (list.body.value as { name: string; properties: { default: boolean } }[]).map((p) => [p.name, p.properties.default]),
        [['Az', true]],
      );
      const put = await arm(f.sandbox, 'PUT', `${env}/Microsoft.Graph.Authentication`, {
        apiVersion: V,
        body: { properties: { contentLink: { uri: 'https://www.powershellgallery.com/api/v2/package/Microsoft.Graph.Authentication' } } },
      });
      assert.equal(put.status, 201);
      assert.equal(put.body.type, 'Microsoft.Automation/automationAccounts/runtimeEnvironments/packages');
      const states: string[] = [];
      for (let i = 0; i < 3; i++)
        states.push(
          ((await arm(f.sandbox, 'GET', `${env}/Microsoft.Graph.Authentication`, { apiVersion: V })).body.properties as { provisioningState: string })
            .provisioningState,
        );
      assert.deepEqual(states, ['RunningImportModuleRunbook', 'Succeeded', 'Succeeded']);
      // A link without a version imports the gallery's latest; a version the gallery lacks fails the import.
      const latest = await arm(f.sandbox, 'GET', `${env}/Microsoft.Graph.Authentication`, { apiVersion: V });
      assert.equal((latest.body.properties as { version: string }).version, '2.28.0');
      await arm(f.sandbox, 'PUT', `${env}/Microsoft.Graph.Users`, {
        apiVersion: V,
        body: { properties: { contentLink: { uri: 'https://www.powershellgallery.com/api/v2/package/Microsoft.Graph.Users/2.99.0', version: '2.99.0' } } },
      });
      let users: { provisioningState: string; error: { code: string; message: string } } | undefined;
      for (let i = 0; i < 2; i++) users = (await arm(f.sandbox, 'GET', `${env}/Microsoft.Graph.Users`, { apiVersion: V })).body.properties as typeof users;
      assert.equal(users?.provisioningState, 'Failed');
      assert.equal(users?.error.code, 'ModuleImportFailed');
      assert.match(users?.error.message ?? '', /no version 2\.99\.0 of 'Microsoft\.Graph\.Users' \(it has 2\.25\.0, 2\.26\.1, 2\.28\.0\)/);
      assert.equal(
        (
          await arm(f.sandbox, 'PUT', `${env}/Az`, {
            apiVersion: V,
            body: { properties: { contentLink: { uri: 'https://www.powershellgallery.com/api/v2/package/Az' } } },
          })
        ).status,
        400,
      );
      assert.equal((await arm(f.sandbox, 'GET', `${acct()}/runtimeEnvironments/Nope/packages`, { apiVersion: V })).status, 404);
    });
  });

  describe('control API', () => {
    it('reads and changes the ARM settings with the control key', async () => {
      const url = `${f.sandbox.info.controlUrl}/arm/settings`;
      const headers = { 'content-type': 'application/json', 'x-sandbox-control-key': f.sandbox.info.controlKey };
      const set = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ lroPolls: 3 }) });
      assert.equal(set.status, 200);
      assert.equal(((await set.json()) as { lroPolls: number }).lroPolls, 3);
      assert.equal((await fetch(url, { method: 'POST', headers, body: JSON.stringify({ lroPolls: -1 }) })).status, 400);
      assert.equal((await fetch(url, { headers: { 'x-sandbox-control-key': 'wrong' } })).status, 401);
    });
  });
});
