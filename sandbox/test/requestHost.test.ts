// The URLs the sandbox writes name the host the client called (Host, or X-Forwarded-Host/-Proto behind a
// front), as the real services name their public hosts; a header that is not a plain host is ignored.
import * as assert from 'node:assert/strict';
import { request } from 'node:https';
import { requestOrigin } from '../server';
import { getJson, useSandbox } from './helpers';
import { armToken } from './armHelpers';
import { appToken } from './graph.support';

/** A GET with a Host header of our choosing (fetch keeps the URL's host). */
function getWithHost(url: string, host: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { host, ...headers } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('sandbox: URLs follow the host the client called', () => {
  const f = useSandbox();

  it('reads the origin from Host, X-Forwarded-Host and -Proto, and ignores what is not a host', () => {
    const fallback = 'https://127.0.0.1:4443';
    assert.equal(requestOrigin({ host: 'localhost:4443' }, fallback), 'https://localhost:4443');
    assert.equal(
      requestOrigin({ host: '127.0.0.1:4443', 'x-forwarded-host': 'login.sandbox.test', 'x-forwarded-proto': 'https' }, fallback),
      'https://login.sandbox.test',
    );
    assert.equal(requestOrigin({ 'x-forwarded-host': 'a.test:8443, b.test', 'x-forwarded-proto': 'http' }, fallback), 'http://a.test:8443');
    assert.equal(requestOrigin({ host: '[::1]:4443' }, fallback), 'https://[::1]:4443');
    for (const bad of ['evil.test/path', 'a b', 'evil.test"', 'x.test:99999999', '']) {
      assert.equal(requestOrigin({ host: bad }, fallback), fallback, JSON.stringify(bad));
      assert.equal(requestOrigin({ host: 'ok.test', 'x-forwarded-host': bad }, fallback), 'https://ok.test', `forwarded ${JSON.stringify(bad)}`);
    }
    assert.equal(requestOrigin({ host: 'ok.test', 'x-forwarded-proto': 'http' }, fallback), 'https://ok.test', 'a proto without a forwarded host is not taken');
  });

  it("Entra: the discovery document's endpoints name the called host; the issuer stays the tokens' issuer", async () => {
    const { info, urls } = f.sandbox;
    const port = new URL(urls.login).port;
    const doc = await getWithHost(`${urls.login}/${info.homeTenant.id}/v2.0/.well-known/openid-configuration`, `localhost:${port}`);
    assert.equal(doc.status, 200);
    assert.equal(doc.body.token_endpoint, `https://localhost:${port}/${info.homeTenant.id}/oauth2/v2.0/token`);
    assert.equal(doc.body.device_authorization_endpoint, `https://localhost:${port}/${info.homeTenant.id}/oauth2/v2.0/devicecode`);
    assert.equal(doc.body.issuer, `${urls.login}/${info.homeTenant.id}/v2.0`);
    const fronted = await getJson(`${urls.login}/${info.homeTenant.id}/v2.0/.well-known/openid-configuration`, {
      'x-forwarded-host': 'login.sandbox.test',
      'x-forwarded-proto': 'https',
    });
    assert.equal(fronted.body.token_endpoint, `https://login.sandbox.test/${info.homeTenant.id}/oauth2/v2.0/token`);
    assert.equal(fronted.body.userinfo_endpoint, 'https://login.sandbox.test/graph/oidc/userinfo');
  });

  it('Graph: @odata.nextLink and @odata.context name the called host', async () => {
    const { urls } = f.sandbox;
    const token = appToken(f.sandbox, ['Application.Read.All']);
    const page = await getJson(`${urls.graph}/v1.0/applications?$top=1`, { authorization: `Bearer ${token}`, 'x-forwarded-host': 'graph.sandbox.test' });
    assert.equal(page.status, 200, JSON.stringify(page.body));
    assert.match(String(page.body['@odata.nextLink']), /^https:\/\/graph\.sandbox\.test\/graph\/v1\.0\/applications\?\$top=1&\$skiptoken=/);
    assert.match(String(page.body['@odata.context']), /^https:\/\/graph\.sandbox\.test\/graph\/v1\.0\/\$metadata#applications/);
  });

  it('ARM: the Location of a long-running operation names the called host', async () => {
    const { info, urls } = f.sandbox;
    const token = armToken(f.sandbox);
    const res = await fetch(`${urls.arm}${info.automationAccount.id}/runbooks/Hello-World/publish?api-version=2024-10-23`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'x-forwarded-host': 'management.sandbox.test' },
    });
    assert.equal(res.status, 202, await res.text());
    assert.match(res.headers.get('location') ?? '', /^https:\/\/management\.sandbox\.test\/arm\/subscriptions\/.*\/publish\/operationResults\//);
  });

  it('Graph: a URL ending in "/" is the same resource', async () => {
    const { urls, info } = f.sandbox;
    const token = appToken(f.sandbox, ['Application.Read.All']);
    const plain = await getJson(`${urls.graph}/v1.0/applications/${info.multiTenantApp.objectId}`, { authorization: `Bearer ${token}` });
    const slashed = await getJson(`${urls.graph}/v1.0/applications/${info.multiTenantApp.objectId}/`, { authorization: `Bearer ${token}` });
    assert.equal(slashed.status, 200, JSON.stringify(slashed.body));
    assert.equal(slashed.body.id, plain.body.id);
    const list = await getJson(`${urls.graph}/v1.0/applications/?$top=1`, { authorization: `Bearer ${token}` });
    assert.equal(list.status, 200);
  });

  it('answers as the public hosts only when started with publicHosts, with links to each service on its own host', async () => {
    const { startSandbox } = await import('../index');
    const { request } = await import('node:https');
    const get = (port: string, ca: string, host: string, path: string) =>
      new Promise<{ status: number; body: Record<string, unknown> }>((resolve, reject) => {
        const r = request({ host: '127.0.0.1', port, path, ca, servername: 'localhost', headers: { host } }, (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString('utf8')));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : {} }));
        });
        r.on('error', reject);
        r.end();
      });
    const publicHosts = await startSandbox({ publicHosts: true });
    try {
      const port = new URL(publicHosts.urls.login).port;
      const tenant = publicHosts.info.homeTenant.id;
      const doc = await get(port, publicHosts.caCertPem, 'login.microsoftonline.com', `/${tenant}/v2.0/.well-known/openid-configuration`);
      assert.equal(doc.body.token_endpoint, `https://login.microsoftonline.com/${tenant}/oauth2/v2.0/token`);
      assert.equal(doc.body.userinfo_endpoint, 'https://graph.microsoft.com/oidc/userinfo', "a link to Graph names Graph's host");
      assert.equal(doc.body.rbac_url, 'https://management.azure.com');
      const graph = await get(port, publicHosts.caCertPem, 'graph.microsoft.com', '/v1.0/applications');
      assert.equal(graph.status, 401, 'Graph answers at its root (here: no token)');
      assert.ok(
        publicHosts.requests().some((r) => r.path === '/graph/v1.0/applications'),
        'logged under its area prefix',
      );
    } finally {
      await publicHosts.stop();
    }
    // Without the option, the public names are just a Host header: nothing routes on them.
    const port = new URL(f.sandbox.urls.login).port;
    const plain = await get(port, f.sandbox.caCertPem, 'graph.microsoft.com', '/v1.0/applications');
    assert.equal(plain.status, 404);
    await assert.rejects(startSandbox({ publicHosts: true, caDir: '/tmp/never-used-ca' }), /cannot be combined with caDir/);
  });
});
