// ARM routes real clients use every day (az resource list, az provider show, Runbook_Update, Package_Update,
// PowerShell72Module_Update), answered in ARM's shapes.
import * as assert from 'node:assert/strict';
import { arm, armErrorOf, armToken } from './armHelpers';
import { useSandbox } from './helpers';

const RESOURCES = '2021-04-01';
const V = '2024-10-23';

describe('sandbox: ARM resources, providers and update (PATCH) routes', () => {
  const f = useSandbox();
  const sub = () => `/subscriptions/${f.sandbox.info.subscriptions.home}`;
  const account = () => f.sandbox.info.automationAccount;

  it('lists the resources of a subscription and of a resource group, with $filter on resourceType', async () => {
    const all = await arm(f.sandbox, 'GET', `${sub()}/resources`, { apiVersion: RESOURCES });
    assert.equal(all.status, 200, all.text);
    const items = all.body.value as Array<{ id: string; name: string; type: string; location: string }>;
    assert.ok(items.some((r) => r.id.toLowerCase() === account().id.toLowerCase() && r.type === 'Microsoft.Automation/automationAccounts'));
    assert.ok(
      items.some((r) => r.type === 'Microsoft.ManagedIdentity/userAssignedIdentities' && r.id.toLowerCase() === account().userAssigned.id.toLowerCase()),
    );
    assert.ok(items.some((r) => r.type === 'Microsoft.Automation/automationAccounts/runbooks' && r.name.endsWith('/Hello-World')));
    assert.ok(items.every((r) => typeof r.location === 'string' && r.id.startsWith('/subscriptions/')));

    const identities = await arm(
      f.sandbox,
      'GET',
      `${sub()}/resources?$filter=${encodeURIComponent("resourceType eq 'Microsoft.ManagedIdentity/userAssignedIdentities'")}`,
      {
        apiVersion: RESOURCES,
      },
    );
    const types = new Set((identities.body.value as Array<{ type: string }>).map((r) => r.type));
    assert.deepEqual([...types], ['Microsoft.ManagedIdentity/userAssignedIdentities']);

    const group = account().id.split('/')[4]!;
    const inGroup = await arm(f.sandbox, 'GET', `${sub()}/resourceGroups/${group}/resources`, { apiVersion: RESOURCES });
    assert.equal(inGroup.status, 200);
    assert.ok((inGroup.body.value as Array<{ id: string }>).every((r) => r.id.toLowerCase().includes(`/resourcegroups/${group.toLowerCase()}/`)));

    // " and " inside a quoted value is part of the value, not a second clause.
    const quoted = await arm(f.sandbox, 'GET', `${sub()}/resources?$filter=${encodeURIComponent("name eq 'a and b' and resourceType eq 'x'")}`, {
      apiVersion: RESOURCES,
    });
    assert.equal(quoted.status, 200, quoted.text);
    assert.deepEqual(quoted.body.value, []);
    const dangling = await arm(f.sandbox, 'GET', `${sub()}/resources?$filter=${encodeURIComponent("name eq 'a' and")}`, { apiVersion: RESOURCES });
    assert.equal(dangling.status, 400);
    const bad = await arm(f.sandbox, 'GET', `${sub()}/resources?$filter=${encodeURIComponent("substringof('x', name)")}`, { apiVersion: RESOURCES });
    assert.equal(bad.status, 400);
    assert.equal(armErrorOf(bad).code, 'InvalidFilterInQueryString');
    const missingGroup = await arm(f.sandbox, 'GET', `${sub()}/resourceGroups/no-such-group/resources`, { apiVersion: RESOURCES });
    assert.equal(armErrorOf(missingGroup).code, 'ResourceGroupNotFound');
  });

  it('shows resource providers as registered, with their resource types and api-versions; an unknown namespace is 404', async () => {
    const automation = await arm(f.sandbox, 'GET', `${sub()}/providers/Microsoft.Automation`, { apiVersion: RESOURCES });
    assert.equal(automation.status, 200, automation.text);
    assert.equal(automation.body.namespace, 'Microsoft.Automation');
    assert.equal(automation.body.registrationState, 'Registered');
    const runbooks = (automation.body.resourceTypes as Array<{ resourceType: string; apiVersions: string[] }>).find(
      (t) => t.resourceType === 'automationAccounts/runbooks',
    );
    assert.ok(runbooks?.apiVersions.includes('2024-10-23'));
    const lower = await arm(f.sandbox, 'GET', `${sub()}/providers/microsoft.managedidentity`, { apiVersion: RESOURCES });
    assert.equal(lower.body.namespace, 'Microsoft.ManagedIdentity');
    assert.deepEqual(
      (lower.body.resourceTypes as Array<{ resourceType: string; defaultApiVersion: string }>).map((t) => [t.resourceType, t.defaultApiVersion]),
      [
        ['userAssignedIdentities', '2026-05-31'],
        ['userAssignedIdentities/federatedIdentityCredentials', '2026-05-31'],
      ],
    );
    // A principal with no role in the subscription (only the admin and the confidential client have one) may not read its providers.
    const outsider = f.sandbox.info.users.find((u) => u.username !== f.sandbox.info.admins.home.username && u.tenantId === f.sandbox.info.homeTenant.id);
    assert.ok(outsider, 'a home user without an ARM role');
    const denied = await arm(f.sandbox, 'GET', `${sub()}/providers/Microsoft.Automation`, {
      apiVersion: RESOURCES,
      token: armToken(f.sandbox, { userId: outsider.id }),
    });
    assert.deepEqual([denied.status, armErrorOf(denied).code], [403, 'AuthorizationFailed']);
    const unknown = await arm(f.sandbox, 'GET', `${sub()}/providers/Microsoft.Nope`, { apiVersion: RESOURCES });
    assert.equal(unknown.status, 404);
    assert.equal(armErrorOf(unknown).code, 'InvalidResourceNamespace');
    const list = await arm(f.sandbox, 'GET', `${sub()}/providers`, { apiVersion: RESOURCES });
    assert.deepEqual((list.body.value as Array<{ namespace: string }>).map((p) => p.namespace).sort(), [
      'Microsoft.Automation',
      'Microsoft.ContainerService',
      'Microsoft.ManagedIdentity',
      'Microsoft.Resources',
    ]);
  });

  it('PATCH on a runbook changes its description, log settings and tags, not its type; a missing runbook is 404', async () => {
    const path = `${account().id}/runbooks/Hello-World`;
    const patched = await arm(f.sandbox, 'PATCH', path, {
      apiVersion: V,
      body: { properties: { description: 'patched', logVerbose: true }, tags: { team: 'ops' } },
    });
    assert.equal(patched.status, 200, patched.text);
    const props = patched.body.properties as { description: string; logVerbose: boolean; runbookType: string };
    assert.deepEqual([props.description, props.logVerbose, props.runbookType], ['patched', true, 'PowerShell']);
    assert.deepEqual(patched.body.tags, { team: 'ops' });
    const missing = await arm(f.sandbox, 'PATCH', `${account().id}/runbooks/Nope`, { apiVersion: V, body: { properties: {} } });
    assert.equal(missing.status, 404);
  });

  it('PATCH on a package or a PowerShell 7.2 module imports it again from the new link; a missing one is 404', async () => {
    const env = `${account().id}/runtimeEnvironments/Team-PS76`;
    assert.equal(
      (
        await arm(f.sandbox, 'PUT', env, {
          apiVersion: V,
          body: { location: 'westeurope', properties: { runtime: { language: 'PowerShell', version: '7.6' } } },
        })
      ).status,
      201,
    );
    const pkg = `${env}/packages/Microsoft.Graph.Authentication`;
    const link = (v: string) => ({
      properties: { contentLink: { uri: `https://www.powershellgallery.com/api/v2/package/Microsoft.Graph.Authentication/${v}`, version: v } },
    });
    assert.equal((await arm(f.sandbox, 'PUT', pkg, { apiVersion: V, body: link('2.25.0') })).status, 201);
    const patched = await arm(f.sandbox, 'PATCH', pkg, { apiVersion: V, body: link('2.28.0') });
    assert.equal(patched.status, 200, patched.text);
    let version: string | undefined;
    for (let i = 0; i < 12 && version !== '2.28.0'; i++)
      version = ((await arm(f.sandbox, 'GET', pkg, { apiVersion: V })).body.properties as { version?: string }).version;
    assert.equal(version, '2.28.0');
    assert.equal((await arm(f.sandbox, 'PATCH', `${env}/packages/NotThere`, { apiVersion: V, body: link('2.28.0') })).status, 404);
    const module = await arm(f.sandbox, 'PATCH', `${account().id}/powerShell72Modules/Az.Accounts`, {
      apiVersion: '2023-11-01',
      body: { properties: { contentLink: { uri: 'https://www.powershellgallery.com/api/v2/package/Az.Accounts/5.1.0' } } },
    });
    assert.equal(module.status, 200, module.text);
    assert.equal((await arm(f.sandbox, 'PATCH', `${account().id}/powerShell72Modules/Nope`, { apiVersion: '2023-11-01', body: {} })).status, 404);
  });
});
