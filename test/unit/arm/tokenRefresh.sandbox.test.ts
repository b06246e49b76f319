// Expired tokens refreshed once (issue 9), ARM side: the extension's ArmClient, unchanged (core-rest-pipeline's
// bearerTokenAuthenticationPolicy, which caches the token), with a real @azure/identity ClientSecretCredential
// against the sandbox as a custom cloud. The sandbox's expiry knob makes ARM refuse every token issued so far
// (401 ExpiredAuthenticationToken + WWW-Authenticate); the request log shows what the client did.
import assert from 'node:assert/strict';
import type { TokenCredential } from '@azure/core-auth';
import { ClientSecretCredential } from '@azure/identity';
import { ArmClient, ArmRequestError } from '../../../src/arm/armClient';
import { resolveCloud } from '../../../src/domain/clouds';
import type { LoggedRequest } from '../../../sandbox/index';
import { countingCredential, useSandbox } from '../../support/sandboxSuite';
import { DEFAULT_RETRY_POLICY } from '../../../src/http/retryPolicy';

const SUBSCRIPTIONS_API = '2022-12-01';
const IDENTITY_API = '2023-01-31';

const tokenRequests = (log: LoggedRequest[]) => log.filter((r) => r.area === 'login' && r.method === 'POST' && /\/oauth2\/v2\.0\/token$/.test(r.path));
const arm = (log: LoggedRequest[]) => log.filter((r) => r.area === 'arm').map((r) => `${r.method} ${r.path.replace(/^\/arm/, '')} ${r.status}`);

describe('arm: an expired token is refreshed once (sandbox)', () => {
  const f = useSandbox({ seed: 92 });
  let credential: ReturnType<typeof countingCredential>;
  let client: ArmClient;
  let identityPath: (name: string) => string;

  const armClient = (c: TokenCredential) =>
    new ArmClient({
      cloud: resolveCloud('Custom', f.sandbox.info.customCloud),
      credential: c,
      retry: { ...DEFAULT_RETRY_POLICY, maxAttempts: 2, baseDelayMs: 0 },
    });

  beforeEach(async () => {
    const { info } = f.sandbox;
    f.sandbox.expireTokens(null);
    const resourceGroup = info.automationAccount.id.split('/providers/')[0]!;
    identityPath = (name) => `${resourceGroup}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`;
    credential = countingCredential(
      new ClientSecretCredential(info.homeTenant.id, info.confidentialClient.clientId, info.confidentialClient.clientSecret, {
        authorityHost: info.loginUrl,
        disableInstanceDiscovery: true,
      }),
    );
    client = armClient(credential);
    await client.request('GET', '/subscriptions', { apiVersion: SUBSCRIPTIONS_API }); // the policy caches this token
  });

  it('a read after the token expired: one fresh token, one retried request, then the new token is reused', async () => {
    f.sandbox.expireTokens();
    const mark = f.sandbox.core.log.last;
    const subs = await client.request<{ value: Array<{ subscriptionId: string }> }>('GET', '/subscriptions', { apiVersion: SUBSCRIPTIONS_API });
    assert.deepEqual(
      subs.body.value.map((s) => s.subscriptionId),
      [f.sandbox.info.subscriptions.home],
    );
    const log = f.sandbox.requests(mark);
    assert.equal(tokenRequests(log).length, 1, 'exactly one extra token request');
    assert.deepEqual(arm(log), ['GET /subscriptions 401', 'GET /subscriptions 200']);
    assert.equal(credential.withClaims, 1, 'claims made the policy drop its cached token');

    const again = f.sandbox.core.log.last;
    await client.request('GET', '/subscriptions', { apiVersion: SUBSCRIPTIONS_API });
    assert.equal(tokenRequests(f.sandbox.requests(again)).length, 0, 'the policy keeps the fresh token');
    assert.deepEqual(arm(f.sandbox.requests(again)), ['GET /subscriptions 200']);
  });

  it('a write after the token expired: the PUT is sent again once and the identity is created', async () => {
    f.sandbox.expireTokens();
    const mark = f.sandbox.core.log.last;
    const path = identityPath('id-after-expiry');
    const created = await client.request<{ name: string }>('PUT', path, { apiVersion: IDENTITY_API, body: { location: 'westeurope' } });
    assert.equal(created.status, 201);
    assert.equal(created.body.name, 'id-after-expiry');
    const log = f.sandbox.requests(mark);
    assert.equal(tokenRequests(log).length, 1);
    assert.deepEqual(arm(log), [`PUT ${path} 401`, `PUT ${path} 201`]);
  });

  it('when the fresh token is refused too, the read fails after exactly one retry with "sign in again"', async () => {
    f.sandbox.expireTokens({ forSeconds: 120 });
    const mark = f.sandbox.core.log.last;
    await assert.rejects(client.request('GET', '/subscriptions', { apiVersion: SUBSCRIPTIONS_API }), (e: unknown) => {
      assert.ok(e instanceof ArmRequestError, String(e));
      assert.equal(e.status, 401);
      assert.equal(e.code, 'ExpiredAuthenticationToken');
      assert.match(e.message, /sign-in has expired.*Azure Resource Manager.*sign in again/i);
      return true;
    });
    const log = f.sandbox.requests(mark);
    assert.equal(tokenRequests(log).length, 1, 'one fresh token, not a loop');
    assert.deepEqual(arm(log), ['GET /subscriptions 401', 'GET /subscriptions 401']);
  });

  it('when the fresh token is refused too, a write fails after exactly one retry and creates nothing', async () => {
    f.sandbox.expireTokens({ forSeconds: 120 });
    const mark = f.sandbox.core.log.last;
    const path = identityPath('id-never-made');
    await assert.rejects(client.request('PUT', path, { apiVersion: IDENTITY_API, body: { location: 'westeurope' } }), /sign in again/);
    assert.deepEqual(arm(f.sandbox.requests(mark)), [`PUT ${path} 401`, `PUT ${path} 401`]);
    f.sandbox.expireTokens(null);
    await assert.rejects(client.request('GET', path, { apiVersion: IDENTITY_API }), (e: unknown) => e instanceof ArmRequestError && e.status === 404);
  });

  it('a credential that can only return the same stale token: one retry, then "sign in again"', async () => {
    const { info } = f.sandbox;
    const frozen = f.sandbox.core.issueAccessToken({
      tenantId: info.homeTenant.id,
      audience: 'https://management.azure.com/',
      clientAppId: info.confidentialClient.clientId,
      azpacr: '1',
      servicePrincipalId: info.confidentialClient.servicePrincipalId,
    }).token;
    const same = countingCredential({ getToken: async () => ({ token: frozen, expiresOnTimestamp: Date.now() + 3_000_000 }) });
    f.sandbox.expireTokens();
    const mark = f.sandbox.core.log.last;
    await assert.rejects(armClient(same).request('GET', '/subscriptions', { apiVersion: SUBSCRIPTIONS_API }), /sign in again/);
    assert.deepEqual(arm(f.sandbox.requests(mark)), ['GET /subscriptions 401', 'GET /subscriptions 401']);
    assert.equal(same.calls, 2, 'the token for the request, then one fresh one');
    assert.equal(same.withClaims, 1);
  });

  it('other 401 challenges are not retried: a token for another audience costs one request and no fresh token', async () => {
    const { info } = f.sandbox;
    const graphToken = f.sandbox.core.issueAccessToken({
      tenantId: info.homeTenant.id,
      audience: 'https://graph.microsoft.com',
      clientAppId: info.confidentialClient.clientId,
      azpacr: '1',
      servicePrincipalId: info.confidentialClient.servicePrincipalId,
    }).token;
    const wrong = countingCredential({ getToken: async () => ({ token: graphToken, expiresOnTimestamp: Date.now() + 3_000_000 }) });
    const mark = f.sandbox.core.log.last;
    await assert.rejects(
      armClient(wrong).request('GET', '/subscriptions', { apiVersion: SUBSCRIPTIONS_API }),
      (e: unknown) => e instanceof ArmRequestError && e.code === 'InvalidAuthenticationTokenAudience',
    );
    assert.deepEqual(arm(f.sandbox.requests(mark)), ['GET /subscriptions 401']);
    assert.equal(wrong.withClaims, 0);
  });
});
