// ARM: authentication, api-version checks, tenants, subscriptions, resource groups, user-assigned identities,
// paging and the not-found shapes.
import assert from 'node:assert/strict';
import { setArmSettings } from '../arm';
import { arm, armErrorOf, armToken } from './armHelpers';
import { useSandbox } from './helpers';

const RES = '2022-12-01';
const MSI = '2024-11-30';

describe('sandbox: ARM resources', () => {
  const f = useSandbox({ seed: 41 });
  afterEach(() => setArmSettings(f.sandbox.core, { pageSize: 100 }));

  describe('authentication', () => {
    it('answers 401 AuthenticationFailed without a token, with WWW-Authenticate', async () => {
      const r = await arm(f.sandbox, 'GET', '/subscriptions', { token: null, apiVersion: RES });
      assert.equal(r.status, 401);
      assert.equal(armErrorOf(r).code, 'AuthenticationFailed');
      assert.match(r.headers.get('www-authenticate') ?? '', /^Bearer authorization_uri=/);
    });

    it('refuses a Graph token (InvalidAuthenticationTokenAudience) and an expired one', async () => {
      const graph = await arm(f.sandbox, 'GET', '/subscriptions', { token: armToken(f.sandbox, { audience: 'https://graph.microsoft.com' }), apiVersion: RES });
      assert.equal(graph.status, 401);
      assert.equal(armErrorOf(graph).code, 'InvalidAuthenticationTokenAudience');
      const expired = await arm(f.sandbox, 'GET', '/subscriptions', { token: armToken(f.sandbox, { lifetimeSeconds: -600 }), apiVersion: RES });
      assert.equal(expired.status, 401);
      assert.equal(armErrorOf(expired).code, 'ExpiredAuthenticationToken');
    });

    it('accepts the sandbox ARM URL as audience', async () => {
      const r = await arm(f.sandbox, 'GET', '/subscriptions', { token: armToken(f.sandbox, { audience: f.sandbox.urls.arm }), apiVersion: RES });
      assert.equal(r.status, 200);
    });

    it('answers 401 InvalidAuthenticationTokenTenant for a subscription of another tenant', async () => {
      const { info } = f.sandbox;
      const r = await arm(f.sandbox, 'GET', `/subscriptions/${info.subscriptions.customer}`, { apiVersion: RES });
      assert.equal(r.status, 401);
      const e = armErrorOf(r);
      assert.equal(e.code, 'InvalidAuthenticationTokenTenant');
      assert.ok(e.message.includes(info.customerTenant.id));
      assert.match(r.headers.get('www-authenticate') ?? '', new RegExp(info.customerTenant.id));
    });
  });

  describe('api-version', () => {
    it('is required (400 MissingApiVersionParameter)', async () => {
      for (const path of ['/tenants', '/subscriptions', `${f.sandbox.info.automationAccount.id}`, '/subscriptions/x/providers/Microsoft.Nope/things']) {
        const r = await arm(f.sandbox, 'GET', path, { apiVersion: null });
        assert.equal(r.status, 400, path);
        const e = armErrorOf(r);
        assert.equal(e.code, 'MissingApiVersionParameter');
        assert.equal(e.message, 'The api-version query parameter (?api-version=) is required for all requests.');
      }
    });

    it('is checked per resource type', async () => {
      const { info } = f.sandbox;
      const bad = await arm(f.sandbox, 'GET', '/subscriptions', { apiVersion: '2099-01-01' });
      assert.equal(bad.status, 400);
      assert.equal(armErrorOf(bad).code, 'InvalidApiVersionParameter');
      assert.match(armErrorOf(bad).message, /The api-version '2099-01-01' is invalid\. The supported versions are '.*2022-12-01/);
      const malformed = await arm(f.sandbox, 'GET', info.automationAccount.id, { apiVersion: 'latest' });
      assert.equal(armErrorOf(malformed).code, 'InvalidApiVersionParameter');
      const rp = await arm(f.sandbox, 'GET', info.automationAccount.id, { apiVersion: '2099-01-01' });
      assert.equal(rp.status, 400);
      assert.equal(armErrorOf(rp).code, 'NoRegisteredProviderFound');
      assert.match(armErrorOf(rp).message, /for type 'automationAccounts'\. The supported api-versions are '.*2024-10-23/);
      // powerShell72Modules exist in 2023-11-01, runtime environments in 2024-10-23, not the other way round.
      assert.equal((await arm(f.sandbox, 'GET', `${info.automationAccount.id}/powerShell72Modules`, { apiVersion: '2024-10-23' })).status, 400);
      assert.equal((await arm(f.sandbox, 'GET', `${info.automationAccount.id}/runtimeEnvironments`, { apiVersion: '2023-11-01' })).status, 400);
      assert.equal((await arm(f.sandbox, 'GET', `${info.automationAccount.id}/powerShell72Modules`, { apiVersion: '2023-11-01' })).status, 200);
      assert.equal((await arm(f.sandbox, 'GET', `${info.automationAccount.id}/runtimeEnvironments`, { apiVersion: '2024-10-23' })).status, 200);
    });
  });

  describe('tenants and subscriptions', () => {
    it("lists the caller's tenant only", async () => {
      const { info } = f.sandbox;
      const r = await arm(f.sandbox, 'GET', '/tenants', { apiVersion: RES });
      assert.equal(r.status, 200);
      assert.ok(r.headers.get('x-ms-request-id'));
      assert.deepEqual(r.body.value, [
        {
          id: `/tenants/${info.homeTenant.id}`,
          tenantId: info.homeTenant.id,
          countryCode: 'US',
          displayName: 'Contoso',
          domains: ['contoso.onmicrosoft.com', 'contoso.example'],
          tenantCategory: 'Home',
          defaultDomain: 'contoso.onmicrosoft.com',
          tenantType: 'AAD',
        },
      ]);
      const customer = await arm(f.sandbox, 'GET', '/tenants', {
        token: armToken(f.sandbox, { userId: info.admins && info.users.find((u) => u.username === info.admins.customer.username)?.id }),
        apiVersion: RES,
      });
      assert.deepEqual(
        (customer.body.value as { tenantId: string }[]).map((t) => t.tenantId),
        [info.customerTenant.id],
      );
    });

    it('lists the subscriptions where the caller holds a role, and gets one', async () => {
      const { info } = f.sandbox;
      const list = await arm(f.sandbox, 'GET', '/subscriptions', { apiVersion: RES });
      const value = list.body.value as Record<string, unknown>[];
      assert.deepEqual(
        value.map((s) => s.subscriptionId),
        [info.subscriptions.home],
      );
      assert.deepEqual(list.body.count, { type: 'Total', value: 1 });
      assert.equal(value[0]?.id, `/subscriptions/${info.subscriptions.home}`);
      assert.equal(value[0]?.state, 'Enabled');
      assert.equal(value[0]?.tenantId, info.homeTenant.id);
      const one = await arm(f.sandbox, 'GET', `/subscriptions/${info.subscriptions.home}`, { apiVersion: RES });
      assert.equal(one.status, 200);
      assert.equal(one.body.displayName, 'Contoso Production');
    });

    it('shows a user without a role no subscription, and 403 on a direct GET', async () => {
      const { info } = f.sandbox;
      const user = info.users.find((u) => u.username.startsWith('user@contoso'));
      const token = armToken(f.sandbox, { userId: user?.id });
      const list = await arm(f.sandbox, 'GET', '/subscriptions', { token, apiVersion: RES });
      assert.deepEqual(list.body.value, []);
      const one = await arm(f.sandbox, 'GET', `/subscriptions/${info.subscriptions.home}`, { token, apiVersion: RES });
      assert.equal(one.status, 403);
      const e = armErrorOf(one);
      assert.equal(e.code, 'AuthorizationFailed');
      assert.match(e.message, /does not have authorization to perform action 'Microsoft\.Resources\/subscriptions\/read' over scope/);
    });

    it('answers 404 SubscriptionNotFound for an unknown subscription', async () => {
      const r = await arm(f.sandbox, 'GET', '/subscriptions/00000000-0000-0000-0000-000000000001', { apiVersion: RES });
      assert.equal(r.status, 404);
      assert.deepEqual(armErrorOf(r), { code: 'SubscriptionNotFound', message: "The subscription '00000000-0000-0000-0000-000000000001' could not be found." });
    });

    it('lists and gets resource groups; 404 ResourceGroupNotFound', async () => {
      const sub = f.sandbox.info.subscriptions.home;
      const list = await arm(f.sandbox, 'GET', `/subscriptions/${sub}/resourcegroups`, { apiVersion: '2021-04-01' });
      assert.deepEqual(
        (list.body.value as { name: string }[]).map((g) => g.name),
        ['rg-automation', 'rg-identities'],
      );
      const one = await arm(f.sandbox, 'GET', `/subscriptions/${sub}/resourceGroups/RG-AUTOMATION`, { apiVersion: '2021-04-01' });
      assert.equal(one.status, 200);
      assert.deepEqual(one.body, {
        id: `/subscriptions/${sub}/resourceGroups/rg-automation`,
        name: 'rg-automation',
        type: 'Microsoft.Resources/resourceGroups',
        location: 'westeurope',
        properties: { provisioningState: 'Succeeded' },
      });
      const missing = await arm(f.sandbox, 'GET', `/subscriptions/${sub}/resourceGroups/rg-nope`, { apiVersion: '2021-04-01' });
      assert.equal(missing.status, 404);
      assert.deepEqual(armErrorOf(missing), { code: 'ResourceGroupNotFound', message: "Resource group 'rg-nope' could not be found." });
    });
  });

  describe('user-assigned identities', () => {
    it('lists by subscription and resource group, consistent with the managed-identity service principals', async () => {
      const { info, core } = f.sandbox;
      const sub = info.subscriptions.home;
      const list = await arm(f.sandbox, 'GET', `/subscriptions/${sub}/providers/Microsoft.ManagedIdentity/userAssignedIdentities`, { apiVersion: MSI });
      assert.equal(list.status, 200);
      const items = list.body.value as {
        id: string;
        name: string;
        type: string;
        properties: { principalId: string; clientId: string; tenantId: string; isolationScope?: string };
      }[];
      assert.equal(items.length, 6);
      for (const u of items) {
        assert.equal(u.type, 'Microsoft.ManagedIdentity/userAssignedIdentities');
        assert.equal(u.properties.tenantId, info.homeTenant.id);
        assert.equal(u.properties.isolationScope, 'None');
        const sp = core.state.servicePrincipals.get(u.properties.principalId);
        assert.ok(sp, `no service principal for ${u.name}`);
        assert.equal(sp.servicePrincipalType, 'ManagedIdentity');
        assert.equal(sp.appId, u.properties.clientId);
        assert.deepEqual(sp.alternativeNames, ['isExplicit=True', u.id]);
      }
      const rg = await arm(f.sandbox, 'GET', `/subscriptions/${sub}/resourceGroups/rg-automation/providers/Microsoft.ManagedIdentity/userAssignedIdentities`, {
        apiVersion: '2023-01-31',
      });
      const rgItems = rg.body.value as { name: string; properties: Record<string, unknown> }[];
      assert.deepEqual(
        rgItems.map((u) => u.name),
        ['uami-automation'],
      );
      assert.equal(rgItems[0]?.properties.isolationScope, undefined, 'isolationScope is a 2024-11-30 property');
      const one = await arm(f.sandbox, 'GET', info.automationAccount.userAssigned.id, { apiVersion: MSI });
      assert.equal(one.status, 200);
      assert.deepEqual(one.body.properties, {
        tenantId: info.homeTenant.id,
        principalId: info.automationAccount.userAssigned.principalId,
        clientId: info.automationAccount.userAssigned.clientId,
        isolationScope: 'None',
      });
    });

    it('pages with nextLink ($skiptoken) and refuses a forged skip token', async () => {
      setArmSettings(f.sandbox.core, { pageSize: 4 });
      const sub = f.sandbox.info.subscriptions.home;
      const first = await arm(f.sandbox, 'GET', `/subscriptions/${sub}/providers/Microsoft.ManagedIdentity/userAssignedIdentities`, { apiVersion: MSI });
      assert.equal((first.body.value as unknown[]).length, 4);
      const next = first.body.nextLink as string;
      assert.match(next, /^https:\/\/127\.0\.0\.1:\d+\/arm\/subscriptions\/.*api-version=2024-11-30.*%24skiptoken=/);
      const second = await arm(f.sandbox, 'GET', next);
      assert.equal((second.body.value as unknown[]).length, 2);
      assert.equal(second.body.nextLink, undefined);
      const names = [...(first.body.value as { name: string }[]), ...(second.body.value as { name: string }[])].map((u) => u.name);
      assert.equal(new Set(names).size, 6);
      const forged = await arm(f.sandbox, 'GET', `/subscriptions/${sub}/providers/Microsoft.ManagedIdentity/userAssignedIdentities?$skiptoken=abc`, {
        apiVersion: MSI,
      });
      assert.equal(forged.status, 400);
    });

    it('creates one (201) whose service principal appears, updates tags (200), deletes it (200, then 204)', async () => {
      const { info, core } = f.sandbox;
      const path = `/subscriptions/${info.subscriptions.home}/resourceGroups/rg-identities/providers/Microsoft.ManagedIdentity/userAssignedIdentities/uami-new`;
      const created = await arm(f.sandbox, 'PUT', path, { apiVersion: MSI, body: { location: 'westeurope', tags: { env: 'test' } } });
      assert.equal(created.status, 201);
      const props = created.body.properties as { principalId: string; clientId: string };
      assert.equal(core.state.servicePrincipals.get(props.principalId)?.appId, props.clientId);
      const again = await arm(f.sandbox, 'PUT', path, { apiVersion: MSI, body: { location: 'westeurope', tags: { env: 'prod' } } });
      assert.equal(again.status, 200);
      assert.deepEqual(again.body.tags, { env: 'prod' });
      assert.equal((again.body.properties as { principalId: string }).principalId, props.principalId);
      assert.equal((await arm(f.sandbox, 'PUT', path.replace('uami-new', 'x'), { apiVersion: MSI, body: { location: 'westeurope' } })).status, 400);
      assert.equal(armErrorOf(await arm(f.sandbox, 'PUT', path, { apiVersion: MSI, body: {} })).code, 'LocationRequired');
      assert.equal((await arm(f.sandbox, 'DELETE', path, { apiVersion: MSI })).status, 200);
      assert.equal(core.state.servicePrincipals.get(props.principalId), undefined);
      assert.equal((await arm(f.sandbox, 'DELETE', path, { apiVersion: MSI })).status, 204);
    });

    it('answers 404 ResourceNotFound for an unknown identity, InvalidResourceType for an unknown type', async () => {
      const sub = f.sandbox.info.subscriptions.home;
      const r = await arm(
        f.sandbox,
        'GET',
        `/subscriptions/${sub}/resourceGroups/rg-identities/providers/Microsoft.ManagedIdentity/userAssignedIdentities/nope`,
        { apiVersion: MSI },
      );
      assert.equal(r.status, 404);
      assert.deepEqual(armErrorOf(r), {
        code: 'ResourceNotFound',
        message:
          "The Resource 'Microsoft.ManagedIdentity/userAssignedIdentities/nope' under resource group 'rg-identities' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix",
      });
      const t = await arm(f.sandbox, 'GET', `/subscriptions/${sub}/resourceGroups/rg-identities/providers/Microsoft.ManagedIdentity/gadgets/x`, {
        apiVersion: MSI,
      });
      assert.equal(t.status, 404);
      assert.equal(armErrorOf(t).code, 'InvalidResourceType');
    });

    it('forbids a user without a role (403 AuthorizationFailed)', async () => {
      const { info } = f.sandbox;
      const dev = info.users.find((u) => u.username.startsWith('dev@'));
      const r = await arm(f.sandbox, 'GET', info.automationAccount.userAssigned.id, { token: armToken(f.sandbox, { userId: dev?.id }), apiVersion: MSI });
      assert.equal(r.status, 403);
      assert.match(armErrorOf(r).message, /Microsoft\.ManagedIdentity\/userAssignedIdentities\/read/);
    });
  });
});
