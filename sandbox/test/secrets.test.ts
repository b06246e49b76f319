// The sandbox records every secret it hands out or accepts, so leak checks know what to look for.
import assert from 'node:assert/strict';
import { collectFromEverySandbox, IssuedSecrets, startSandbox, stopCollectingFromEverySandbox, type IssuedSecret } from '../index';
import { miToken, postForm, tokenUrl, useSandbox } from './helpers';

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

describe('sandbox: issued secrets', () => {
  const f = useSandbox({ seed: 41 });
  const kindOf = (value: unknown) => f.sandbox.core.secrets.list().find((s) => s.value === value)?.kind;
  const issued = async (key = f.sandbox.info.controlKey) => fetch(`${f.sandbox.info.controlUrl}/secrets/issued`, { headers: { 'x-sandbox-control-key': key } });

  it('from the start: its own keys, the seeded client secret and every seeded password', () => {
    const { info } = f.sandbox;
    assert.equal(kindOf(info.controlKey), 'controlKey');
    assert.equal(kindOf(info.identityHeader), 'identityHeader');
    assert.equal(kindOf(info.confidentialClient.clientSecret), 'clientSecret');
    for (const user of info.users) assert.equal(kindOf(user.password), 'password', user.username);
  });

  it('records client-credential and managed-identity access tokens, refresh, id tokens and device codes as it hands them out', async () => {
    const { info } = f.sandbox;
    const app = await postForm(tokenUrl(f.sandbox, info.homeTenant.id), {
      grant_type: 'client_credentials',
      client_id: info.confidentialClient.clientId,
      client_secret: info.confidentialClient.clientSecret,
      scope: 'https://graph.microsoft.com/.default',
    });
    assert.equal(app.status, 200, JSON.stringify(app.body));
    assert.equal(kindOf(app.body.access_token), 'accessToken');

    const user = await postForm(tokenUrl(f.sandbox, info.homeTenant.id), {
      grant_type: 'password',
      client_id: info.publicClientId,
      username: info.admins.home.username,
      password: info.admins.home.password,
      scope: 'User.Read openid offline_access',
    });
    assert.equal(user.status, 200, JSON.stringify(user.body));
    assert.equal(kindOf(user.body.access_token), 'accessToken');
    assert.equal(kindOf(user.body.refresh_token), 'refreshToken');
    assert.equal(kindOf(user.body.id_token), 'idToken');

    const refreshed = await postForm(tokenUrl(f.sandbox, info.homeTenant.id), {
      grant_type: 'refresh_token',
      client_id: info.publicClientId,
      refresh_token: user.body.refresh_token as string,
      scope: 'User.Read offline_access',
    });
    assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
    assert.equal(kindOf(refreshed.body.refresh_token), 'refreshToken');
    assert.notEqual(refreshed.body.refresh_token, user.body.refresh_token);

    const device = await postForm(`${info.loginUrl}/${info.homeTenant.id}/oauth2/v2.0/devicecode`, { client_id: info.publicClientId, scope: 'User.Read' });
    assert.equal(device.status, 200, JSON.stringify(device.body));
    assert.equal(kindOf(device.body.device_code), 'deviceCode');
    assert.equal(kindOf(device.body.user_code), undefined, 'the user code is shown to the user, not a secret');

    const mi = await miToken(f.sandbox, { resource: 'https://management.azure.com/' });
    assert.equal(mi.status, 200, JSON.stringify(mi.body));
    assert.equal(kindOf(mi.body.access_token), 'managedIdentityToken');
  });

  it('records a client assertion once it is verified, not a refused one', async () => {
    const { info } = f.sandbox;
    const mi = await miToken(f.sandbox, { resource: 'api://AzureADTokenExchange', client_id: info.automationAccount.userAssigned.clientId });
    assert.equal(mi.status, 200, JSON.stringify(mi.body));
    const assertion = mi.body.access_token as string;
    const exchange = (clientId: string) =>
      postForm(tokenUrl(f.sandbox, info.homeTenant.id), {
        grant_type: 'client_credentials',
        client_id: clientId,
        scope: 'https://graph.microsoft.com/.default',
        client_assertion_type: JWT_BEARER,
        client_assertion: assertion,
      });
    // The confidential client trusts no identity (AADSTS700211: no credential with that issuer), and the assertion is not counted as accepted.
    const refused = await exchange(info.confidentialClient.clientId);
    assert.equal(refused.status, 401, JSON.stringify(refused.body));
    assert.deepEqual(refused.body.error_codes, [700211]);
    assert.equal(kindOf(assertion), 'managedIdentityToken', 'recorded when issued, not again as an accepted assertion');
    const forged = `${assertion.split('.').slice(0, 2).join('.')}.${'A'.repeat(342)}`;
    const bad = await postForm(tokenUrl(f.sandbox, info.homeTenant.id), {
      grant_type: 'client_credentials',
      client_id: info.multiTenantApp.appId,
      scope: 'https://graph.microsoft.com/.default',
      client_assertion_type: JWT_BEARER,
      client_assertion: forged,
    });
    assert.equal(bad.status, 401, JSON.stringify(bad.body));
    assert.equal(kindOf(forged), undefined);
    const accepted = await exchange(info.multiTenantApp.appId);
    assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
    assert.equal(kindOf(accepted.body.access_token), 'accessToken');
  });

  it('GET /_sandbox/secrets/issued lists them (kinds, counts) behind the control key', async () => {
    assert.equal((await issued('wrong')).status, 401);
    assert.equal((await fetch(`${f.sandbox.info.controlUrl}/secrets/issued`)).status, 401);
    const r = await issued();
    assert.equal(r.status, 200);
    const body = (await r.json()) as { count: number; overflow: number; counts: Record<string, number>; secrets: IssuedSecret[] };
    assert.equal(body.count, f.sandbox.core.secrets.size);
    assert.equal(body.overflow, 0);
    assert.deepEqual(body.secrets, f.sandbox.core.secrets.list());
    for (const kind of [
      'accessToken',
      'managedIdentityToken',
      'idToken',
      'refreshToken',
      'deviceCode',
      'clientSecret',
      'password',
      'identityHeader',
      'controlKey',
    ]) {
      assert.ok((body.counts[kind] ?? 0) > 0, `no ${kind} counted`);
    }
    assert.equal(body.secrets.filter((s) => s.kind === 'accessToken').length, body.counts.accessToken);
    // The request log never holds the listing's secrets.
    const logged = JSON.stringify(f.sandbox.requests());
    assert.ok(!body.secrets.some((s) => logged.includes(s.value)), 'a recorded secret is in the request log');
  });

  it("survives a reset (tokens issued before stay listed) and records the new seed's secrets", async () => {
    const before = f.sandbox.core.secrets.size;
    f.sandbox.reset(42);
    assert.ok(f.sandbox.core.secrets.size > before, "the new seed's passwords and client secret are added");
    assert.equal(kindOf(f.sandbox.info.confidentialClient.clientSecret), 'clientSecret');
  });
});

describe('sandbox: issued secrets across sandboxes and the bound', () => {
  afterEach(() => stopCollectingFromEverySandbox());

  it('collectFromEverySandbox gathers what every sandbox started later hands out; stopping ends it', async () => {
    const shared = collectFromEverySandbox();
    const a = await startSandbox({ seed: 43 });
    const b = await startSandbox({ seed: 44 });
    stopCollectingFromEverySandbox();
    const c = await startSandbox({ seed: 45 });
    try {
      const values = new Set(shared.list().map((s) => s.value));
      assert.ok(values.has(a.info.controlKey) && values.has(b.info.controlKey));
      assert.ok(!values.has(c.info.controlKey), 'a sandbox started after stopping records only into its own list');
      assert.ok(c.core.secrets.list().some((s) => s.value === c.info.controlKey));
    } finally {
      await Promise.all([a.stop(), b.stop(), c.stop()]);
    }
  });

  it('keeps at most `limit` secrets and counts the rest as overflow', () => {
    const secrets = new IssuedSecrets(2);
    secrets.record('accessToken', 'one');
    secrets.record('accessToken', 'one');
    secrets.record('refreshToken', 'two');
    secrets.record('deviceCode', 'three');
    secrets.record('deviceCode', '');
    assert.deepEqual(secrets.list(), [
      { kind: 'accessToken', value: 'one' },
      { kind: 'refreshToken', value: 'two' },
    ]);
    assert.equal(secrets.overflow, 1);
    assert.deepEqual(secrets.counts(), { accessToken: 1, refreshToken: 1 });
  });
});
