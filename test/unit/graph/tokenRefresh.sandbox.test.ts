// Expired tokens refreshed once (issue 9), Graph side: the extension's GraphDirectory over createGraphClient,
// unchanged, with a real @azure/identity ClientSecretCredential (MSAL caches its token), against the sandbox.
// The sandbox's expiry knob makes Graph refuse every token issued so far as expired; what the client did is
// read back from the sandbox's request log (token requests, 401s, retried requests).
import assert from 'node:assert/strict';
import type { TokenCredential } from '@azure/core-auth';
import { ClientSecretCredential } from '@azure/identity';
import { GraphDirectory } from '../../../src/graph/directory';
import { GraphRequestError } from '../../../src/graph/errors';
import { createGraphClient } from '../../../src/graph/graphClient';
import type { LoggedRequest, Sandbox } from '../../../sandbox/index';
import { countingCredential, useSandbox } from '../../support/sandboxSuite';
import { DEFAULT_RETRY_POLICY } from '../../../src/http/retryPolicy';

function directory(sandbox: Sandbox, credential: TokenCredential): GraphDirectory {
  const make = () =>
    Promise.resolve(
      createGraphClient({
        credential,
        baseUrl: sandbox.info.graphUrl,
        scopes: [`${sandbox.info.graphUrl}/.default`],
        retry: { ...DEFAULT_RETRY_POLICY, maxAttempts: 3, baseDelayMs: 1000, maxRetryAfterMs: 5000 },
      }),
    );
  return new GraphDirectory({ read: make, write: make });
}

/** An app-only Graph token for the confidential client, signed by the sandbox, with exactly these roles. */
function appToken(sandbox: Sandbox, roles: string[]): string {
  const { info } = sandbox;
  return sandbox.core.issueAccessToken({
    tenantId: info.homeTenant.id,
    audience: 'https://graph.microsoft.com',
    clientAppId: info.confidentialClient.clientId,
    azpacr: '1',
    servicePrincipalId: info.confidentialClient.servicePrincipalId,
    roles,
  }).token;
}

const tokenRequests = (log: LoggedRequest[]) => log.filter((r) => r.area === 'login' && r.method === 'POST' && /\/oauth2\/v2\.0\/token$/.test(r.path));
const graph = (log: LoggedRequest[]) => log.filter((r) => r.area === 'graph').map((r) => `${r.method} ${r.path.replace(/^\/graph\/v1\.0/, '')} ${r.status}`);

describe('graph: an expired token is refreshed once (sandbox)', () => {
  const f = useSandbox({ seed: 91, size: { apps: 12, appsWithCredentials: 3 } });
  let credential: ReturnType<typeof countingCredential>;
  let dir: GraphDirectory;
  let appId: string;

  beforeEach(async () => {
    const { info } = f.sandbox;
    f.sandbox.expireTokens(null);
    // A new credential per test: its MSAL cache holds one token, fetched by the warm-up read.
    credential = countingCredential(
      new ClientSecretCredential(info.homeTenant.id, info.confidentialClient.clientId, info.confidentialClient.clientSecret, {
        authorityHost: info.loginUrl,
        disableInstanceDiscovery: true,
      }),
    );
    dir = directory(f.sandbox, credential);
    const page = await dir.apps.listApps({ pageSize: 5 });
    appId = page.items[0]!.id;
  });

  it('a read after the token expired: one fresh token, one retried request, then the new token is reused', async () => {
    f.sandbox.expireTokens();
    const mark = f.sandbox.core.log.last;
    const page = await dir.apps.listApps({ pageSize: 5 });
    assert.equal(page.items.length, 5);
    const log = f.sandbox.requests(mark);
    assert.equal(tokenRequests(log).length, 1, 'exactly one extra token request');
    assert.deepEqual(graph(log), ['GET /applications 401', 'GET /applications 200']);
    assert.equal(credential.withClaims, 1, 'the fresh token was asked for with claims, which make MSAL skip its cache');

    const again = f.sandbox.core.log.last;
    await dir.apps.listApps({ pageSize: 5 });
    assert.equal(tokenRequests(f.sandbox.requests(again)).length, 0, 'MSAL keeps the fresh token');
    assert.deepEqual(graph(f.sandbox.requests(again)), ['GET /applications 200']);
  });

  it('a write after the token expired: the POST is sent again once and the credential exists once', async () => {
    f.sandbox.expireTokens();
    const mark = f.sandbox.core.log.last;
    const values = {
      name: 'after-expiry',
      issuer: f.sandbox.info.homeTenant.issuer,
      subject: f.sandbox.info.spareIdentity.principalId,
      audiences: ['api://AzureADTokenExchange'],
    };
    const created = await dir.apps.createCredential(appId, values);
    assert.equal(created.name, 'after-expiry');
    const log = f.sandbox.requests(mark);
    assert.equal(tokenRequests(log).length, 1);
    const path = `/applications/${appId}/federatedIdentityCredentials`;
    assert.deepEqual(graph(log), [`POST ${path} 401`, `POST ${path} 201`]);
    const app = f.sandbox.core.state.applications.get(appId)!;
    assert.equal(app.federatedIdentityCredentials.filter((c) => c.name === 'after-expiry').length, 1);
  });

  it('when the fresh token is refused too, the read fails after exactly one retry with "sign in again"', async () => {
    f.sandbox.expireTokens({ forSeconds: 120 }); // tokens issued in the next two minutes are refused as well
    const mark = f.sandbox.core.log.last;
    await assert.rejects(dir.apps.listApps({ pageSize: 5 }), (e: unknown) => {
      assert.ok(e instanceof GraphRequestError, String(e));
      assert.equal(e.status, 401);
      assert.equal(e.explained.kind, 'unauthorized');
      assert.match(e.message, /sign-in has expired.*sign in again/i);
      return true;
    });
    const log = f.sandbox.requests(mark);
    assert.equal(tokenRequests(log).length, 1, 'one fresh token, not a loop');
    assert.deepEqual(graph(log), ['GET /applications 401', 'GET /applications 401']);
  });

  it('when the fresh token is refused too, a write fails after exactly one retry and creates nothing', async () => {
    f.sandbox.expireTokens({ forSeconds: 120 });
    const mark = f.sandbox.core.log.last;
    const values = {
      name: 'never-made',
      issuer: f.sandbox.info.homeTenant.issuer,
      subject: f.sandbox.info.spareIdentity.principalId,
      audiences: ['api://AzureADTokenExchange'],
    };
    await assert.rejects(dir.apps.createCredential(appId, values), /sign-in has expired.*sign in again/i);
    const path = `/applications/${appId}/federatedIdentityCredentials`;
    assert.deepEqual(graph(f.sandbox.requests(mark)), [`POST ${path} 401`, `POST ${path} 401`]);
    assert.equal(
      f.sandbox.core.state.applications.get(appId)!.federatedIdentityCredentials.some((c) => c.name === 'never-made'),
      false,
    );
  });

  it('a credential that can only return the same stale token: one retry, then "sign in again"', async () => {
    const frozen = appToken(f.sandbox, ['Application.ReadWrite.All']);
    const same = countingCredential({ getToken: async () => ({ token: frozen, expiresOnTimestamp: Date.now() + 3_000_000 }) });
    f.sandbox.expireTokens();
    const mark = f.sandbox.core.log.last;
    await assert.rejects(directory(f.sandbox, same).apps.listApps({ pageSize: 5 }), /sign-in has expired.*sign in again/i);
    assert.deepEqual(graph(f.sandbox.requests(mark)), ['GET /applications 401', 'GET /applications 401']);
    assert.equal(same.calls, 2, 'the token for the request, then one fresh one');
    assert.equal(same.withClaims, 1);
  });

  it('other refusals are not retried: a 403 costs one request and no fresh token', async () => {
    const noRoles = countingCredential({ getToken: async () => ({ token: appToken(f.sandbox, []), expiresOnTimestamp: Date.now() + 3_000_000 }) });
    const mark = f.sandbox.core.log.last;
    await assert.rejects(directory(f.sandbox, noRoles).apps.listApps({ pageSize: 5 }), (e: unknown) => e instanceof GraphRequestError && e.status === 403);
    assert.deepEqual(graph(f.sandbox.requests(mark)), ['GET /applications 403']);
    assert.equal(noRoles.withClaims, 0);
  });
});
