// Transport, control API, request log, faults, seeding, and the verify helpers Graph/ARM routes use.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { armForbidden, hasPermission, requireArmToken, requireGraphToken } from '../auth';
import { startSandbox } from '../index';
import type { SandboxModule } from '../module';
import { json } from '../router';
import { claimsOf, getJson, postForm, tokenUrl, useSandbox } from './helpers';

const probe: SandboxModule[] = [
  {
    name: 'graph-probe',
    area: 'graph',
    register(r) {
      r.get('/v1.0/probe', (req) => {
        const auth = requireGraphToken(req);
        if ('response' in auth) return auth.response;
        if (!hasPermission(auth.claims, { scopes: ['Application.Read.All'], roles: ['Application.Read.All', 'Application.ReadWrite.All'] })) {
          return json(403, { error: { code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.' } });
        }
        return json(200, { oid: auth.claims.oid, id: req.params.id ?? null });
      });
      r.get('/v1.0/probe/:id', (req) => json(200, { id: req.params.id }));
    },
  },
  {
    name: 'arm-probe',
    area: 'arm',
    register(r) {
      r.get('/probe/subscriptions/:sub', (req) => {
        const auth = requireArmToken(req);
        if ('response' in auth) return auth.response;
        if (auth.claims.idtyp === 'user' && !auth.claims.scp)
          return armForbidden(req, auth.claims, 'Microsoft.Resources/subscriptions/read', `/subscriptions/${req.params.sub}`);
        return json(200, { subscriptionId: req.params.sub });
      });
    },
  },
];

describe('sandbox: core', () => {
  const f = useSandbox({ seed: 31, modules: probe });
  const control = (path: string, init: RequestInit = {}, key = f.sandbox.info.controlKey) =>
    fetch(`${f.sandbox.info.controlUrl}${path}`, {
      ...init,
      headers: { 'content-type': 'application/json', 'x-sandbox-control-key': key, ...(init.headers as Record<string, string> | undefined) },
    });
  const appToken = async (scope = 'https://graph.microsoft.com/.default') => {
    const { info } = f.sandbox;
    const r = await postForm(tokenUrl(f.sandbox, info.homeTenant.id), {
      grant_type: 'client_credentials',
      client_id: info.confidentialClient.clientId,
      client_secret: info.confidentialClient.clientSecret,
      scope,
    });
    return r.body.access_token as string;
  };

  describe('transport', () => {
    it('serves a certificate for 127.0.0.1 and localhost signed by the CA in caPath', async () => {
      const ca = new X509Certificate(readFileSync(f.sandbox.caPath));
      assert.ok(ca.ca);
      const { connect } = await import('node:tls');
      const port = Number(new URL(f.sandbox.urls.base).port);
      const peer = await new Promise<X509Certificate>((resolve, reject) => {
        const s = connect({ host: '127.0.0.1', port, ca: f.sandbox.caCertPem, servername: 'localhost' }, () => {
          const cert = s.getPeerX509Certificate();
          s.end();
          if (cert) resolve(cert);
          else reject(new Error('no cert'));
        });
        s.on('error', reject);
      });
      assert.ok(peer.checkIssued(ca));
      assert.ok(peer.checkIP('127.0.0.1'));
      assert.ok(peer.checkHost('localhost'));
    });

    it('starts fast and seeds 10,000 apps (2,000 with credentials) deterministically', async function () {
      this.timeout(20000);
      const t0 = Date.now();
      const a = await startSandbox({ seed: 5, size: { apps: 10000, appsWithCredentials: 2000 } });
      const elapsed = Date.now() - t0;
      const b = await startSandbox({ seed: 5, size: { apps: 10000, appsWithCredentials: 2000 } });
      try {
        assert.ok(elapsed < 3000, `start took ${elapsed} ms`);
        assert.equal(a.core.state.applicationsOf(a.info.homeTenant.id).length, 10002);
        assert.equal(a.core.state.summary().applicationsWithCredentials, 2001);
        const ids = (s: typeof a) =>
          [...s.core.state.applications.values()].map((x) => `${x.appId}/${x.displayName}/${x.federatedIdentityCredentials.length}`).join();
        assert.equal(ids(a), ids(b));
        assert.equal(a.info.admins.home.password, b.info.admins.home.password);
        const c = await startSandbox({ seed: 6, size: { apps: 10 } });
        assert.notEqual(c.info.homeTenant.id, a.info.homeTenant.id);
        await c.stop();
      } finally {
        await a.stop();
        await b.stop();
      }
    });

    it("answers unknown paths in each area's shape", async () => {
      const g = await getJson(`${f.sandbox.urls.graph}/v1.0/nothing`);
      assert.equal(g.status, 400);
      assert.equal((g.body.error as { code: string }).code, 'BadRequest');
      const a = await getJson(`${f.sandbox.urls.arm}/nothing/here`);
      assert.equal(a.status, 404);
      assert.equal(typeof (a.body.error as { code: string }).code, 'string');
      assert.equal((await fetch(`${f.sandbox.urls.login}/nothing`)).status, 404);
    });

    it('matches route literals case-insensitively and decodes parameters', async () => {
      const r = await getJson(`${f.sandbox.urls.graph}/V1.0/Probe/${encodeURIComponent("(appId='a b')")}`);
      assert.equal(r.status, 200);
      assert.equal(r.body.id, "(appId='a b')");
    });
  });

  describe('verify helpers for Graph and ARM routes', () => {
    it('Graph: 401 without a token, with a wrong-audience, expired or forged token; 403 without permission; 200 with roles', async () => {
      const { info } = f.sandbox;
      const url = `${info.graphUrl}/v1.0/probe`;
      const missing = await getJson(url);
      assert.equal(missing.status, 401);
      assert.deepEqual(Object.keys(missing.body.error as object).sort(), ['code', 'innerError', 'message']);
      assert.equal((missing.body.error as { code: string }).code, 'InvalidAuthenticationToken');
      assert.match(missing.headers.get('www-authenticate') ?? '', /^Bearer /);
      const arm = await appToken('https://management.azure.com/.default');
      assert.match(((await getJson(url, { authorization: `Bearer ${arm}` })).body.error as { message: string }).message, /Invalid audience/);
      const expired = await control('/tokens', {
        method: 'POST',
        body: JSON.stringify({
          tenant: info.homeTenant.id,
          resource: 'https://graph.microsoft.com',
          servicePrincipalId: info.confidentialClient.servicePrincipalId,
          lifetimeSeconds: -3600,
        }),
      });
      const expiredToken = ((await expired.json()) as { access_token: string }).access_token;
      assert.match(((await getJson(url, { authorization: `Bearer ${expiredToken}` })).body.error as { message: string }).message, /expired/);
      const good = await appToken();
      const [h, p] = good.split('.');
      const tampered = `${h}.${Buffer.from(JSON.stringify({ ...claimsOf(good), roles: ['Directory.ReadWrite.All'] })).toString('base64url')}.${good.split('.')[2]}`;
      assert.equal((await getJson(url, { authorization: `Bearer ${tampered}` })).status, 401);
      assert.ok(p);
      const noPerm = await control('/tokens', {
        method: 'POST',
        body: JSON.stringify({
          tenant: info.homeTenant.id,
          resource: 'https://graph.microsoft.com',
          username: info.admins.home.username,
          scopes: ['User.Read'],
        }),
      });
      assert.equal((await getJson(url, { authorization: `Bearer ${((await noPerm.json()) as { access_token: string }).access_token}` })).status, 403);
      const ok = await getJson(url, { authorization: `Bearer ${good}` });
      assert.equal(ok.status, 200);
      assert.equal(ok.body.oid, info.confidentialClient.servicePrincipalId);
    });

    it('ARM: 401 AuthenticationFailed / InvalidAuthenticationTokenAudience / ExpiredAuthenticationToken, 403 AuthorizationFailed, 200', async () => {
      const { info } = f.sandbox;
      const url = `${info.armUrl}/probe/subscriptions/${info.subscriptions.home}`; // the real /subscriptions route is the ARM module's
      const code = async (headers: Record<string, string>) => ((await getJson(url, headers)).body.error as { code: string } | undefined)?.code;
      assert.equal(await code({}), 'AuthenticationFailed');
      assert.equal(await code({ authorization: `Bearer ${await appToken()}` }), 'InvalidAuthenticationTokenAudience');
      const mint = async (body: object) =>
        (
          (await (
            await control('/tokens', {
              method: 'POST',
              body: JSON.stringify({ tenant: info.homeTenant.id, resource: 'https://management.azure.com/', ...body }),
            })
          ).json()) as { access_token: string }
        ).access_token;
      assert.equal(
        await code({ authorization: `Bearer ${await mint({ servicePrincipalId: info.confidentialClient.servicePrincipalId, lifetimeSeconds: -3600 })}` }),
        'ExpiredAuthenticationToken',
      );
      assert.equal(await code({ authorization: `Bearer ${await mint({ username: info.admins.home.username })}` }), 'AuthorizationFailed');
      const ok = await getJson(url, { authorization: `Bearer ${await appToken('https://management.azure.com/.default')}` });
      assert.equal(ok.status, 200);
    });
  });

  describe('control API', () => {
    it('refuses calls without the right key', async () => {
      assert.equal((await fetch(`${f.sandbox.info.controlUrl}/info`)).status, 401);
      assert.equal((await control('/info', {}, 'wrong')).status, 401);
      const info = (await (await control('/info')).json()) as { loginUrl: string; caPath: string; signIn: { clientId: string } };
      assert.equal(info.loginUrl, f.sandbox.info.loginUrl);
      assert.equal(info.signIn.clientId, f.sandbox.info.publicClientId);
    });

    it('reads the request log with ?since, never recording secrets or tokens; clears it', async () => {
      const { info } = f.sandbox;
      await control('/requests/clear', { method: 'POST' });
      const since = ((await (await control('/requests')).json()) as { last: number }).last;
      const token = await appToken();
      await getJson(`${info.graphUrl}/v1.0/probe?$select=id`, { authorization: `Bearer ${token}`, ConsistencyLevel: 'eventual' });
      const log = (await (await control(`/requests?since=${since}`)).json()) as {
        requests: {
          path: string;
          method: string;
          body: Record<string, string>;
          headers: Record<string, string>;
          query: Record<string, string>;
          status: number;
          caller?: { oid: string };
        }[];
      };
      const paths = log.requests.map((r) => `${r.method} ${r.path}`);
      assert.ok(paths.includes(`POST /${info.homeTenant.id}/oauth2/v2.0/token`));
      assert.ok(paths.includes('GET /graph/v1.0/probe'));
      const tokenReq = log.requests.find((r) => r.path.endsWith('/token'));
      assert.equal(tokenReq?.body.client_secret, '[redacted]');
      assert.equal(tokenReq?.body.client_id, info.confidentialClient.clientId);
      const probeReq = log.requests.find((r) => r.path === '/graph/v1.0/probe');
      assert.equal(probeReq?.headers.consistencylevel, 'eventual');
      assert.equal(probeReq?.headers.authorization, undefined);
      assert.equal(probeReq?.query.$select, 'id');
      assert.equal(probeReq?.caller?.oid, info.confidentialClient.servicePrincipalId);
      assert.equal(probeReq?.status, 200);
      const raw = JSON.stringify(log);
      assert.ok(!raw.includes(info.confidentialClient.clientSecret), 'secret leaked into the log');
      assert.ok(!raw.includes(token.split('.')[2] as string), 'token leaked into the log');
      await control('/requests/clear', { method: 'POST' });
      assert.equal(((await (await control(`/requests?since=${since}`)).json()) as { requests: unknown[] }).requests.length, 1); // the read itself
    });

    it('resets to the seeded state', async () => {
      const { info, core } = f.sandbox;
      core.state.removeApplication(info.multiTenantApp.objectId);
      assert.equal(core.state.findApplicationByAppId(info.multiTenantApp.appId), undefined);
      const r = await control('/reset', { method: 'POST', body: '{}' });
      assert.equal(r.status, 200);
      assert.ok(f.sandbox.core.state.findApplicationByAppId(info.multiTenantApp.appId));
    });

    it('grants consent directly (setup shortcut)', async () => {
      const { info, core } = f.sandbox;
      const r = await control('/consent', {
        method: 'POST',
        body: JSON.stringify({ tenant: info.customerTenant.domain, clientId: info.multiTenantApp.appId }),
      });
      assert.equal(r.status, 200);
      assert.ok(core.state.findServicePrincipal(info.customerTenant.id, info.multiTenantApp.appId));
      f.sandbox.reset();
    });
  });

  describe('faults', () => {
    afterEach(() => f.sandbox.setFaults([]));

    it("throttles with 429, Retry-After and Graph's body under /graph; ARM- and Entra-shaped elsewhere", async () => {
      const { info } = f.sandbox;
      const r = await control('/faults', {
        method: 'POST',
        body: JSON.stringify({
          rules: [
            { kind: 'throttle', pathPrefix: '/graph/v1.0/probe', retryAfterSeconds: 7 },
            { kind: 'throttle', areas: ['arm', 'login'], count: 2 },
          ],
        }),
      });
      assert.equal(r.status, 200);
      const g = await getJson(`${info.graphUrl}/v1.0/probe`);
      assert.equal(g.status, 429);
      assert.equal(g.headers.get('retry-after'), '7');
      assert.equal((g.body.error as { code: string }).code, 'TooManyRequests');
      assert.equal((g.body.error as { innerError: { status: string } }).innerError.status, '429');
      const a = await getJson(`${info.armUrl}/subscriptions/x`);
      assert.equal(a.status, 429);
      const l = await getJson(`${info.loginUrl}/${info.homeTenant.id}/v2.0/.well-known/openid-configuration`);
      assert.equal(l.status, 429);
      assert.ok(Array.isArray(l.body.error_codes));
      assert.match(l.headers.get('retry-after') ?? '', /^\d+$/, 'Entra says when to come back too');
      // count: 2 exhausted → the next call goes through.
      assert.equal((await getJson(`${info.loginUrl}/${info.homeTenant.id}/v2.0/.well-known/openid-configuration`)).status, 200);
      const logged = f.sandbox.requests().filter((e) => e.fault === 'throttle');
      assert.ok(logged.length >= 3);
    });

    it('injects 5xx and drops connections; adds latency', async () => {
      const { info } = f.sandbox;
      f.sandbox.setFaults([{ kind: 'error', status: 503, pathPrefix: '/graph/', method: 'GET' }]);
      const g = await getJson(`${info.graphUrl}/v1.0/probe`);
      assert.equal(g.status, 503);
      assert.equal((g.body.error as { code: string }).code, 'serviceNotAvailable');
      f.sandbox.setFaults([{ kind: 'drop', pathPrefix: '/graph/' }]);
      await assert.rejects(fetch(`${info.graphUrl}/v1.0/probe`));
      f.sandbox.setFaults([{ kind: 'latency', latencyMs: 150, pathPrefix: '/graph/' }]);
      const t0 = Date.now();
      await getJson(`${info.graphUrl}/v1.0/probe`);
      assert.ok(Date.now() - t0 >= 140);
      // The control API is never faulted by default.
      f.sandbox.setFaults([{ kind: 'drop' }]);
      assert.equal((await control('/info')).status, 200);
    });

    it('applies rates deterministically from the seed', async () => {
      const pattern = async () => {
        f.sandbox.setFaults([{ kind: 'error', status: 500, rate: 0.5, pathPrefix: '/graph/' }]);
        const out: number[] = [];
        for (let i = 0; i < 24; i++) out.push((await fetch(`${f.sandbox.info.graphUrl}/v1.0/probe/x`)).status);
        return out;
      };
      const a = await pattern();
      const b = await pattern();
      assert.deepEqual(a, b);
      assert.ok(a.includes(500) && a.includes(200), `rate 0.5 gave ${a.join(',')}`);
    });

    it('rejects invalid rules', async () => {
      assert.equal((await control('/faults', { method: 'POST', body: JSON.stringify({ rules: [{ kind: 'explode' }] }) })).status, 400);
      assert.equal((await control('/faults', { method: 'POST', body: JSON.stringify({ rules: [{ kind: 'error', rate: 2 }] }) })).status, 400);
    });
  });
});
