// The sandbox's "tokens expired" knob (tokenExpiry.ts) over its control API: Graph and ARM refuse tokens issued
// before it with their own expired-token answers, tokens issued after it pass (unless forSeconds covers them),
// the status route tells a provider which of its tokens were refused, and reset lifts the knob.
import assert from 'node:assert/strict';
import { armUtcTime } from '../auth';
import { getJson, useSandbox } from './helpers';

describe('sandbox: the tokens-expired knob', () => {
  const f = useSandbox({ seed: 93 });
  const control = (method: string, path: string, body?: unknown, key = f.sandbox.info.controlKey) =>
    fetch(`${f.sandbox.info.controlUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', 'x-sandbox-control-key': key },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const mint = async (resource: string) => {
    const { info } = f.sandbox;
    const r = await control('POST', '/tokens', { tenant: info.homeTenant.id, resource, servicePrincipalId: info.confidentialClient.servicePrincipalId });
    return (await r.json()) as { access_token: string; claims: { uti: string } };
  };
  const graphMe = (token: string) => getJson(`${f.sandbox.info.graphUrl}/v1.0/applications?$top=1`, { authorization: `Bearer ${token}` });
  const armSubs = (token: string) => getJson(`${f.sandbox.info.armUrl}/subscriptions?api-version=2022-12-01`, { authorization: `Bearer ${token}` });

  afterEach(() => f.sandbox.expireTokens(null));

  it('refuses tokens issued before it as Graph and ARM refuse expired tokens; later tokens pass', async () => {
    const graphToken = await mint('https://graph.microsoft.com');
    const armToken = await mint('https://management.azure.com/');
    assert.equal((await graphMe(graphToken.access_token)).status, 200);
    const knob = await control('POST', '/tokens/expire', {});
    assert.equal(knob.status, 200);
    const { expiredBefore } = (await knob.json()) as { expiredBefore: string };
    assert.ok(Math.abs(Date.parse(expiredBefore) - Date.now()) < 5000);

    const g = await graphMe(graphToken.access_token);
    assert.equal(g.status, 401);
    assert.deepEqual(
      { code: (g.body.error as { code: string }).code, message: (g.body.error as { message: string }).message },
      { code: 'InvalidAuthenticationToken', message: 'Lifetime validation failed, the token is expired.' },
    );
    assert.match(
      g.headers.get('www-authenticate') ?? '',
      /^Bearer realm="", authorization_uri="[^"]+\/common\/oauth2\/authorize", client_id="00000003-0000-0000-c000-000000000000"$/,
    );

    const a = await armSubs(armToken.access_token);
    assert.equal(a.status, 401);
    const armErr = a.body.error as { code: string; message: string };
    assert.equal(armErr.code, 'ExpiredAuthenticationToken');
    assert.match(
      armErr.message,
      /^The access token expiry UTC time '\d{1,2}\/\d{1,2}\/\d{4} \d{1,2}:\d\d:\d\d [AP]M' is earlier than current UTC time '\d{1,2}\/\d{1,2}\/\d{4} \d{1,2}:\d\d:\d\d [AP]M'\.$/,
    );
    assert.match(
      a.headers.get('www-authenticate') ?? '',
      /^Bearer authorization_uri="[^"]+", error="invalid_token", error_description="The access token has expired\."$/,
    );

    assert.equal((await graphMe((await mint('https://graph.microsoft.com')).access_token)).status, 200, 'a token issued after the knob passes');
    assert.equal((await armSubs((await mint('https://management.azure.com/')).access_token)).status, 200);
  });

  it('forSeconds refuses the tokens issued in the next seconds too; DELETE lifts it', async () => {
    assert.equal((await control('POST', '/tokens/expire', { forSeconds: 60 })).status, 200);
    const fresh = await mint('https://graph.microsoft.com');
    assert.equal((await graphMe(fresh.access_token)).status, 401);
    assert.equal((await control('DELETE', '/tokens/expire')).status, 200);
    assert.deepEqual(await (await control('GET', '/tokens/expire')).json(), { expiredBefore: null });
    assert.equal((await graphMe(fresh.access_token)).status, 200);
  });

  it('status tells which tokens it counts as expired and which a service has refused', async () => {
    const token = await mint('https://graph.microsoft.com');
    const status = async (uti: string) => (await control('GET', `/tokens/status?uti=${encodeURIComponent(uti)}`)).json();
    assert.deepEqual(await status(token.claims.uti), { uti: token.claims.uti, known: true, expired: false, refused: false });
    f.sandbox.expireTokens();
    assert.deepEqual(await status(token.claims.uti), { uti: token.claims.uti, known: true, expired: true, refused: false });
    await graphMe(token.access_token);
    assert.deepEqual(await status(token.claims.uti), { uti: token.claims.uti, known: true, expired: true, refused: true });
    assert.deepEqual(await status('not-a-uti'), { uti: 'not-a-uti', known: false, expired: false, refused: false });
    assert.equal((await control('GET', '/tokens/status')).status, 400);
  });

  it('is guarded by the control key, checks its body, and reset lifts it', async () => {
    assert.equal((await control('POST', '/tokens/expire', {}, 'wrong')).status, 401);
    assert.equal((await control('POST', '/tokens/expire', { forSeconds: -1 })).status, 400);
    assert.equal((await control('POST', '/tokens/expire', { forSeconds: 'soon' })).status, 400);
    const token = await mint('https://graph.microsoft.com');
    await control('POST', '/tokens/expire', {});
    assert.equal((await graphMe(token.access_token)).status, 401);
    assert.equal((await control('POST', '/reset', {})).status, 200);
    assert.deepEqual(await (await control('GET', '/tokens/expire')).json(), { expiredBefore: null });
    assert.equal((await graphMe(token.access_token)).status, 200);
  });

  it('writes times the way ARM does', () => {
    assert.equal(armUtcTime(new Date(Date.UTC(2023, 2, 19, 8, 55, 46))), '3/19/2023 8:55:46 AM');
    assert.equal(armUtcTime(new Date(Date.UTC(2026, 5, 15, 0, 5, 1))), '6/15/2026 12:05:01 AM');
    assert.equal(armUtcTime(new Date(Date.UTC(2026, 11, 1, 12, 0, 0))), '12/1/2026 12:00:00 PM');
    assert.equal(armUtcTime(new Date(Date.UTC(2026, 11, 1, 23, 59, 9))), '12/1/2026 11:59:09 PM');
  });
});
