// The Entra token service: discovery, keys, and every grant's success and failure paths.
import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { signJwt } from '../tokens';
import { aadsts, claimsOf, getJson, miToken, postForm, tokenUrl, useSandbox } from './helpers';

describe('sandbox: Entra token service', () => {
  const f = useSandbox({ seed: 7 });

  describe('discovery and keys', () => {
    it('serves the v2.0 OpenID configuration by tenant id and by verified domain, with issuer = login/{tid}/v2.0', async () => {
      const { info } = f.sandbox;
      for (const t of [info.homeTenant.id, info.homeTenant.domain, 'CONTOSO.EXAMPLE']) {
        const { status, body } = await getJson(`${info.loginUrl}/${t}/v2.0/.well-known/openid-configuration`);
        assert.equal(status, 200);
        assert.equal(body.issuer, `${info.loginUrl}/${info.homeTenant.id}/v2.0`);
        assert.equal(body.token_endpoint, `${info.loginUrl}/${info.homeTenant.id}/oauth2/v2.0/token`);
        assert.equal(body.device_authorization_endpoint, `${info.loginUrl}/${info.homeTenant.id}/oauth2/v2.0/devicecode`);
      }
      const orgs = await getJson(`${info.loginUrl}/organizations/v2.0/.well-known/openid-configuration`);
      assert.equal(orgs.body.issuer, `${info.loginUrl}/{tenantid}/v2.0`);
      assert.equal(orgs.body.token_endpoint, `${info.loginUrl}/organizations/oauth2/v2.0/token`);
    });

    it('answers an unknown tenant with AADSTS90002', async () => {
      const { status, body } = await getJson(`${f.sandbox.urls.login}/nosuch.onmicrosoft.com/v2.0/.well-known/openid-configuration`);
      assert.equal(status, 400);
      assert.equal(aadsts(body), 90002);
      assert.equal(body.error, 'invalid_request');
      assert.match(String(body.error_description), /Tenant 'nosuch\.onmicrosoft\.com' not found/);
    });

    it('publishes the signing key as JWKS; issued tokens verify with it', async () => {
      const { info } = f.sandbox;
      const { body } = await getJson(`${info.loginUrl}/${info.homeTenant.id}/discovery/v2.0/keys`);
      const keys = body.keys as { kid: string; n: string; e: string; kty: string }[];
      assert.equal(keys.length, 1);
      const token = await clientCredentialsToken(info.homeTenant.id, 'https://graph.microsoft.com/.default');
      const [h, p, s] = token.split('.') as [string, string, string];
      const header = JSON.parse(Buffer.from(h, 'base64url').toString()) as { kid: string; alg: string };
      assert.equal(header.alg, 'RS256');
      assert.equal(header.kid, keys[0]?.kid);
      const key = createPublicKey({ key: { kty: 'RSA', n: keys[0]?.n as string, e: keys[0]?.e as string }, format: 'jwk' });
      const { verify } = await import('node:crypto');
      assert.ok(verify('RSA-SHA256', Buffer.from(`${h}.${p}`), key, Buffer.from(s, 'base64url')));
    });

    it('implements instance discovery with this host as the only alias', async () => {
      const { body } = await getJson(
        `${f.sandbox.urls.login}/common/discovery/instance?api-version=1.1&authorization_endpoint=${encodeURIComponent(`${f.sandbox.urls.login}/common/oauth2/v2.0/authorize`)}`,
      );
      const host = new URL(f.sandbox.urls.login).host;
      assert.deepEqual((body.metadata as { aliases: string[] }[])[0]?.aliases, [host]);
      assert.equal(body.tenant_discovery_endpoint, `${f.sandbox.urls.login}/common/v2.0/.well-known/openid-configuration`);
    });
  });

  async function clientCredentialsToken(tenant: string, scope: string): Promise<string> {
    const { info } = f.sandbox;
    const r = await postForm(tokenUrl(f.sandbox, tenant), {
      grant_type: 'client_credentials',
      client_id: info.confidentialClient.clientId,
      client_secret: info.confidentialClient.clientSecret,
      scope,
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body.access_token as string;
  }

  describe('client credentials with a secret', () => {
    it('issues an app token with the documented claims and the assigned roles', async () => {
      const { info } = f.sandbox;
      const r = await postForm(tokenUrl(f.sandbox, info.homeTenant.domain), {
        grant_type: 'client_credentials',
        client_id: info.confidentialClient.clientId,
        client_secret: info.confidentialClient.clientSecret,
        scope: 'https://graph.microsoft.com/.default',
      });
      assert.equal(r.status, 200);
      assert.equal(r.body.token_type, 'Bearer');
      assert.equal(typeof r.body.expires_in, 'number');
      assert.equal(r.body.refresh_token, undefined);
      const c = claimsOf(r.body.access_token as string);
      assert.equal(c.aud, 'https://graph.microsoft.com');
      assert.equal(c.iss, `${info.loginUrl}/${info.homeTenant.id}/v2.0`);
      assert.equal(c.tid, info.homeTenant.id);
      assert.equal(c.oid, info.confidentialClient.servicePrincipalId);
      assert.equal(c.sub, info.confidentialClient.servicePrincipalId);
      assert.equal(c.azp, info.confidentialClient.clientId);
      assert.equal(c.appid, info.confidentialClient.clientId);
      assert.equal(c.ver, '2.0');
      assert.equal(c.idtyp, 'app');
      assert.equal(c.scp, undefined);
      assert.deepEqual(c.roles, ['Application.ReadWrite.All', 'Directory.Read.All', 'User.Read.All']);
      assert.ok((c.exp as number) > (c.nbf as number));
    });

    it('accepts client_secret_basic and the sandbox Graph URL as resource', async () => {
      const { info } = f.sandbox;
      const basic = Buffer.from(`${info.confidentialClient.clientId}:${encodeURIComponent(info.confidentialClient.clientSecret)}`).toString('base64');
      const r = await postForm(
        tokenUrl(f.sandbox, info.homeTenant.id),
        { grant_type: 'client_credentials', scope: `${info.graphUrl}/.default` },
        { authorization: `Basic ${basic}` },
      );
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(claimsOf(r.body.access_token as string).aud, info.graphUrl);
    });

    it('issues ARM tokens without Graph roles', async () => {
      const c = claimsOf(await clientCredentialsToken(f.sandbox.info.homeTenant.id, 'https://management.azure.com/.default'));
      assert.equal(c.aud, 'https://management.azure.com');
      assert.equal(c.roles, undefined);
    });

    const cases: [string, (i: typeof f.sandbox.info) => Record<string, string>, number, number, string, string?][] = [
      [
        'a wrong secret',
        (i) => ({ client_id: i.confidentialClient.clientId, client_secret: 'nope', scope: 'https://graph.microsoft.com/.default' }),
        401,
        7000215,
        'invalid_client',
      ],
      ['no credential', (i) => ({ client_id: i.confidentialClient.clientId, scope: 'https://graph.microsoft.com/.default' }), 401, 7000218, 'invalid_client'],
      [
        'an unknown client',
        () => ({ client_id: '11111111-2222-3333-4444-555555555555', client_secret: 'x', scope: 'https://graph.microsoft.com/.default' }),
        400,
        700016,
        'unauthorized_client',
        "Application with identifier '11111111-2222-3333-4444-555555555555' was not found in the directory 'Contoso'",
      ],
      [
        'a delegated scope',
        (i) => ({ client_id: i.confidentialClient.clientId, client_secret: i.confidentialClient.clientSecret, scope: 'https://graph.microsoft.com/User.Read' }),
        400,
        1002012,
        'invalid_scope',
      ],
      [
        'an unknown resource',
        (i) => ({ client_id: i.confidentialClient.clientId, client_secret: i.confidentialClient.clientSecret, scope: 'https://nothing.example/.default' }),
        400,
        500011,
        'invalid_resource',
      ],
      [
        'a v1 resource parameter',
        (i) => ({ client_id: i.confidentialClient.clientId, client_secret: i.confidentialClient.clientSecret, resource: 'https://graph.microsoft.com' }),
        400,
        901002,
        'invalid_request',
      ],
      [
        'no scope',
        (i) => ({ client_id: i.confidentialClient.clientId, client_secret: i.confidentialClient.clientSecret }),
        400,
        900144,
        'invalid_request',
        "parameter: 'scope'",
      ],
    ];
    for (const [name, fields, status, code, error, text] of cases) {
      it(`refuses ${name} with AADSTS${code}`, async () => {
        const { info } = f.sandbox;
        const r = await postForm(tokenUrl(f.sandbox, info.homeTenant.id), { grant_type: 'client_credentials', ...fields(info) });
        assert.equal(r.status, status);
        assert.equal(r.body.error, error);
        assert.equal(aadsts(r.body), code);
        if (text) assert.ok(String(r.body.error_description).includes(text), String(r.body.error_description));
      });
    }

    it('refuses a single-tenant app in another tenant (700016) and client credentials on /common (50059)', async () => {
      const { info } = f.sandbox;
      const body = {
        grant_type: 'client_credentials',
        client_id: info.confidentialClient.clientId,
        client_secret: info.confidentialClient.clientSecret,
        scope: 'https://graph.microsoft.com/.default',
      };
      assert.equal(aadsts((await postForm(tokenUrl(f.sandbox, info.customerTenant.id), body)).body), 700016);
      assert.equal(aadsts((await postForm(tokenUrl(f.sandbox, 'common'), body)).body), 50059);
    });

    it('answers GET, missing and unsupported grant types as Entra does', async () => {
      const { info } = f.sandbox;
      const get = await getJson(tokenUrl(f.sandbox, info.homeTenant.id));
      assert.equal(aadsts(get.body), 900561);
      assert.equal(aadsts((await postForm(tokenUrl(f.sandbox, info.homeTenant.id), { client_id: 'x' })).body), 900144);
      const unsupported = await postForm(tokenUrl(f.sandbox, info.homeTenant.id), { grant_type: 'authorization_code_x', client_id: 'x' });
      assert.equal(unsupported.body.error, 'unsupported_grant_type');
      assert.equal(aadsts(unsupported.body), 70003);
    });
  });

  describe('home realm discovery (/common/userrealm)', () => {
    it("answers a tenant user's realm as Managed (api-version 1.0 and 2.0), an unknown domain as Unknown", async () => {
      const { info } = f.sandbox;
      const upn = info.admins.home.username;
      const v1 = await getJson(`${info.loginUrl}/common/userrealm/${encodeURIComponent(upn)}?api-version=1.0`);
      assert.equal(v1.status, 200);
      assert.deepEqual(v1.body, {
        ver: '1.0',
        account_type: 'Managed',
        domain_name: upn.split('@')[1]!.toLowerCase(),
        cloud_instance_name: new URL(info.loginUrl).hostname,
        cloud_audience_urn: 'urn:federation:MicrosoftOnline',
      });
      const v2 = await getJson(`${info.loginUrl}/common/userrealm/${encodeURIComponent(upn)}?api-version=2.0`);
      assert.equal(v2.body.NameSpaceType, 'Managed');
      assert.equal(v2.body.Login, upn);
      const unknown = await getJson(`${info.loginUrl}/common/userrealm/someone@nowhere.example?api-version=1.0`);
      assert.equal(unknown.body.account_type, 'Unknown');
    });
  });

  describe('password (ROPC)', () => {
    it('signs in the seeded admin: scp, name, preferred_username, refresh and id tokens', async () => {
      const { info } = f.sandbox;
      const r = await postForm(tokenUrl(f.sandbox, info.homeTenant.id), {
        grant_type: 'password',
        client_id: info.publicClientId,
        username: info.admins.home.username,
        password: info.admins.home.password,
        scope: 'https://graph.microsoft.com/Application.Read.All https://graph.microsoft.com/User.Read offline_access openid profile',
        client_info: '1',
      });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const c = claimsOf(r.body.access_token as string);
      assert.equal(c.aud, 'https://graph.microsoft.com');
      assert.equal(c.idtyp, 'user');
      assert.equal(c.scp, 'Application.Read.All User.Read openid profile');
      assert.equal(c.roles, undefined);
      assert.equal(c.preferred_username, info.admins.home.username);
      assert.equal(c.name, 'Adele Vance');
      assert.equal(c.oid, info.users.find((u) => u.username === info.admins.home.username)?.id);
      assert.notEqual(c.sub, c.oid, 'user sub is pairwise, not the object id');
      assert.equal(typeof r.body.refresh_token, 'string');
      assert.equal(claimsOf(r.body.id_token as string).aud, info.publicClientId);
      assert.deepEqual(JSON.parse(Buffer.from(r.body.client_info as string, 'base64url').toString()), { uid: c.oid, utid: info.homeTenant.id });
      assert.match(String(r.body.scope), /^https:\/\/graph\.microsoft\.com\/Application\.Read\.All https:\/\/graph\.microsoft\.com\/User\.Read/);
    });

    it("uses the user's tenant on /organizations and refuses wrong passwords (50126) and unknown users (50034)", async () => {
      const { info } = f.sandbox;
      const ok = await postForm(tokenUrl(f.sandbox, 'organizations'), {
        grant_type: 'password',
        client_id: info.publicClientId,
        username: info.admins.customer.username,
        password: info.admins.customer.password,
        scope: 'https://management.azure.com/.default',
      });
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      const c = claimsOf(ok.body.access_token as string);
      assert.equal(c.tid, info.customerTenant.id);
      assert.equal(c.scp, 'user_impersonation');
      // The granted scopes and the .default that was asked for: what MSAL's token cache looks the token up by.
      assert.equal(ok.body.scope, 'https://management.azure.com/user_impersonation https://management.azure.com/.default');
      const bad = await postForm(tokenUrl(f.sandbox, info.homeTenant.id), {
        grant_type: 'password',
        client_id: info.publicClientId,
        username: info.admins.home.username,
        password: 'wrong',
        scope: 'User.Read',
      });
      assert.equal(bad.body.error, 'invalid_grant');
      assert.equal(aadsts(bad.body), 50126);
      const unknown = await postForm(tokenUrl(f.sandbox, info.homeTenant.id), {
        grant_type: 'password',
        client_id: info.publicClientId,
        username: 'ghost@contoso.onmicrosoft.com',
        password: 'x',
        scope: 'User.Read',
      });
      assert.equal(aadsts(unknown.body), 50034);
      // A customer user is not a member of the home tenant.
      const foreign = await postForm(tokenUrl(f.sandbox, info.homeTenant.id), {
        grant_type: 'password',
        client_id: info.publicClientId,
        username: info.admins.customer.username,
        password: info.admins.customer.password,
        scope: 'User.Read',
      });
      assert.equal(aadsts(foreign.body), 50034);
    });

    it('refuses scopes that are not consented (65001 consent_required), unknown scopes (70011) and two resources (28000)', async () => {
      const { info } = f.sandbox;
      const base = { grant_type: 'password', client_id: info.publicClientId, username: info.admins.home.username, password: info.admins.home.password };
      const notConsented = await postForm(tokenUrl(f.sandbox, info.homeTenant.id), { ...base, scope: 'https://graph.microsoft.com/Group.Read.All' });
      assert.equal(aadsts(notConsented.body), 65001);
      assert.equal(notConsented.body.suberror, 'consent_required');
      assert.equal(aadsts((await postForm(tokenUrl(f.sandbox, info.homeTenant.id), { ...base, scope: 'https://graph.microsoft.com/Nope.Read' })).body), 70011);
      assert.equal(
        aadsts(
          (
            await postForm(tokenUrl(f.sandbox, info.homeTenant.id), {
              ...base,
              scope: 'https://graph.microsoft.com/User.Read https://management.azure.com/user_impersonation',
            })
          ).body,
        ),
        28000,
      );
    });
  });

  describe('refresh tokens', () => {
    it('redeems a refresh token for another resource (multi-resource) and refuses unknown ones', async () => {
      const { info } = f.sandbox;
      const first = await postForm(tokenUrl(f.sandbox, info.homeTenant.id), {
        grant_type: 'password',
        client_id: info.publicClientId,
        username: info.admins.home.username,
        password: info.admins.home.password,
        scope: 'https://graph.microsoft.com/User.Read offline_access',
      });
      const r = await postForm(tokenUrl(f.sandbox, info.homeTenant.id), {
        grant_type: 'refresh_token',
        client_id: info.publicClientId,
        refresh_token: first.body.refresh_token as string,
        scope: 'https://management.azure.com/.default offline_access',
      });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(claimsOf(r.body.access_token as string).aud, 'https://management.azure.com');
      assert.equal(typeof r.body.refresh_token, 'string');
      const bad = await postForm(tokenUrl(f.sandbox, info.homeTenant.id), {
        grant_type: 'refresh_token',
        client_id: info.publicClientId,
        refresh_token: 'garbage',
        scope: 'User.Read',
      });
      assert.equal(bad.body.error, 'invalid_grant');
      assert.equal(aadsts(bad.body), 9002313);
      const wrongClient = await postForm(tokenUrl(f.sandbox, info.homeTenant.id), {
        grant_type: 'refresh_token',
        client_id: info.confidentialClient.clientId,
        refresh_token: first.body.refresh_token as string,
        scope: 'User.Read',
      });
      assert.equal(aadsts(wrongClient.body), 9002313);
      // Revoked (e.g. password reset) → 50173.
      const record = f.sandbox.core.state.refreshTokens.get(first.body.refresh_token as string);
      assert.ok(record);
      record.revoked = true;
      assert.equal(
        aadsts(
          (
            await postForm(tokenUrl(f.sandbox, info.homeTenant.id), {
              grant_type: 'refresh_token',
              client_id: info.publicClientId,
              refresh_token: first.body.refresh_token as string,
              scope: 'User.Read',
            })
          ).body,
        ),
        50173,
      );
    });
  });

  describe('device code', () => {
    async function start(tenant = f.sandbox.info.homeTenant.id, scope = 'https://graph.microsoft.com/Application.Read.All offline_access openid profile') {
      const r = await postForm(`${f.sandbox.urls.login}/${tenant}/oauth2/v2.0/devicecode`, { client_id: f.sandbox.info.publicClientId, scope });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return r.body as { device_code: string; user_code: string; verification_uri: string; interval: number; expires_in: number; message: string };
    }
    const poll = (code: string, tenant = f.sandbox.info.homeTenant.id) =>
      postForm(tokenUrl(f.sandbox, tenant), {
        grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
        client_id: f.sandbox.info.publicClientId,
        device_code: code,
      });

    it('is pending (70016), then issues tokens once completed through the control API; a code redeems once', async () => {
      const { info } = f.sandbox;
      const dc = await start();
      assert.equal(dc.verification_uri, `${info.loginUrl}/devicelogin`);
      assert.equal(dc.interval, 1);
      assert.ok(dc.message.includes(dc.user_code));
      const pending = await poll(dc.device_code);
      assert.equal(pending.body.error, 'authorization_pending');
      assert.equal(aadsts(pending.body), 70016);
      const complete = await fetch(`${info.controlUrl}/device-codes/complete`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-sandbox-control-key': info.controlKey },
        body: JSON.stringify({ userCode: dc.user_code, username: info.admins.home.username, password: info.admins.home.password }),
      });
      assert.equal(complete.status, 200);
      const done = await poll(dc.device_code);
      assert.equal(done.status, 200, JSON.stringify(done.body));
      assert.equal(claimsOf(done.body.access_token as string).scp, 'Application.Read.All openid profile');
      assert.equal(aadsts((await poll(dc.device_code)).body), 70000);
    });

    it('completes through the verification page form, refusing a wrong password first', async () => {
      const { info } = f.sandbox;
      const dc = await start();
      const pageHtml = await (await fetch(dc.verification_uri)).text();
      assert.match(pageHtml, /<label for="otc">Code<\/label>/);
      assert.match(pageHtml, /<label for="login">Email or username<\/label>/);
      assert.match(pageHtml, /<label for="passwd">Password<\/label>/);
      const wrong = await postForm(dc.verification_uri, { otc: dc.user_code, login: info.admins.home.username, passwd: 'bad', action: 'accept' });
      assert.match(String(wrong.body.text), /Your account or password is incorrect/);
      assert.equal((await poll(dc.device_code)).body.error, 'authorization_pending');
      const ok = await postForm(dc.verification_uri, {
        otc: dc.user_code.toLowerCase(),
        login: info.admins.home.username,
        passwd: info.admins.home.password,
        action: 'accept',
      });
      assert.match(String(ok.body.text), /You have signed in/);
      assert.equal((await poll(dc.device_code)).status, 200);
    });

    it('reports declined and expired codes, and refuses confidential clients', async () => {
      const { info } = f.sandbox;
      const dc = await start();
      await postForm(dc.verification_uri, { otc: dc.user_code, action: 'cancel' });
      assert.equal((await poll(dc.device_code)).body.error, 'authorization_declined');
      const dc2 = await start();
      const record = f.sandbox.core.state.deviceCodes.get(dc2.device_code);
      assert.ok(record);
      (record as { expiresAt: number }).expiresAt = Date.now() - 1;
      const expired = await poll(dc2.device_code);
      assert.equal(expired.body.error, 'expired_token');
      const conf = await postForm(`${info.loginUrl}/${info.homeTenant.id}/oauth2/v2.0/devicecode`, {
        client_id: info.confidentialClient.clientId,
        scope: 'User.Read',
      });
      assert.equal(aadsts(conf.body), 7000218);
    });
  });

  describe('client assertion (workload identity federation)', () => {
    const assertion = (extra: Record<string, unknown> = {}) => {
      const { info } = f.sandbox;
      return f.sandbox.core.issueAccessToken({
        tenantId: info.homeTenant.id,
        audience: 'api://AzureADTokenExchange',
        clientAppId: info.automationAccount.userAssigned.clientId,
        azpacr: '2',
        servicePrincipalId: info.automationAccount.userAssigned.principalId,
        ...extra,
      }).token;
    };
    const exchange = (tenant: string, clientAssertion: string, clientId = f.sandbox.info.multiTenantApp.appId) =>
      postForm(tokenUrl(f.sandbox, tenant), {
        grant_type: 'client_credentials',
        client_id: clientId,
        scope: 'https://graph.microsoft.com/.default',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: clientAssertion,
      });

    it('exchanges the MI endpoint token for an app token in the home tenant (azpacr 2)', async () => {
      const { info } = f.sandbox;
      const mi = await miToken(f.sandbox, {
        'api-version': '2019-08-01',
        resource: 'api://AzureADTokenExchange',
        client_id: info.automationAccount.userAssigned.clientId,
      });
      const r = await exchange(info.homeTenant.id, mi.body.access_token as string);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const c = claimsOf(r.body.access_token as string);
      assert.equal(c.appid, info.multiTenantApp.appId);
      assert.equal(c.azpacr, '2');
    });

    it("says which part of the assertion no credential matches, in Entra's codes: issuer 700211, subject 700213 (7002138 when only the case differs), audience 700212", async () => {
      const { info } = f.sandbox;
      const principal = info.automationAccount.userAssigned.principalId;
      const token = (servicePrincipalId: string, tenantId = info.homeTenant.id) =>
        f.sandbox.core.issueAccessToken({ tenantId, audience: 'api://AzureADTokenExchange', clientAppId: 'x', azpacr: '2', servicePrincipalId }).token;
      // Only the case of the subject differs: 7002138, which says so.
      const upper = await exchange(info.homeTenant.id, token(principal.toUpperCase()));
      assert.equal(upper.status, 401);
      assert.equal(upper.body.error, 'invalid_client');
      assert.equal(aadsts(upper.body), 7002138);
      assert.ok(
        String(upper.body.error_description).startsWith(
          `AADSTS7002138: No matching federated identity record found for presented assertion subject '${principal.toUpperCase()}'. The subject matches with case-insensitive comparison, but not with case-sensitive comparison.`,
        ),
      );
      // Another subject of the same issuer: the system-assigned identity is not trusted by the app.
      const system = await miToken(f.sandbox, { resource: 'api://AzureADTokenExchange' });
      const other = await exchange(info.homeTenant.id, system.body.access_token as string);
      assert.equal(aadsts(other.body), 700213);
      assert.match(
        String(other.body.error_description),
        /^AADSTS700213: No matching federated identity record found for presented assertion subject '[0-9a-f-]{36}'\. Check your federated identity credential Subject, Audience and Issuer/,
      );
      // Issuer and subject match, the audience does not.
      const audience = await exchange(info.homeTenant.id, assertion({ audience: 'api://Other' }));
      assert.equal(aadsts(audience.body), 700212);
      assert.match(String(audience.body.error_description), /presented assertion audience 'api:\/\/Other'/);
    });

    it('an issuer no credential of the app has: 700211', async () => {
      const { info } = f.sandbox;
      // The confidential client has no federated credential at all.
      const r = await exchange(info.homeTenant.id, assertion({}), info.confidentialClient.clientId);
      assert.equal(aadsts(r.body), 700211);
      assert.match(
        String(r.body.error_description),
        new RegExp(`presented assertion issuer '${info.loginUrl.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/${info.homeTenant.id}/v2\\.0'`),
      );
    });

    it('a credential written less than ficPropagationSeconds ago answers 70021 (still propagating), then works', async () => {
      const { info, core } = f.sandbox;
      const app = core.state.applications.get(info.multiTenantApp.objectId)!;
      const fic = app.federatedIdentityCredentials.find((c) => c.subject === info.automationAccount.userAssigned.principalId)!;
      const before = core.consistency;
      try {
        core.consistency = { ...before, ficPropagationSeconds: 60 };
        core.recordWrite(fic);
        const r = await exchange(info.homeTenant.id, assertion({}));
        assert.equal(r.status, 400);
        assert.equal(aadsts(r.body), 70021);
        assert.ok(String(r.body.error_description).includes(`Assertion Subject: '${info.automationAccount.userAssigned.principalId}'`));
        core.consistency = { ...before, ficPropagationSeconds: 0 };
        assert.equal((await exchange(info.homeTenant.id, assertion({}))).status, 200);
        // A new description is no change to what Entra matches: nothing to propagate; a new audience is.
        const token = f.sandbox.core.issueAccessToken({
          tenantId: info.homeTenant.id,
          audience: 'https://graph.microsoft.com',
          clientAppId: info.confidentialClient.clientId,
          azpacr: '1',
          servicePrincipalId: info.confidentialClient.servicePrincipalId,
          roles: ['Application.ReadWrite.All'],
        }).token;
        const patch = (body: Record<string, unknown>) =>
          fetch(`${info.graphUrl}/v1.0/applications/${info.multiTenantApp.objectId}/federatedIdentityCredentials/${fic.id}`, {
            method: 'PATCH',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: JSON.stringify(body),
          });
        await new Promise((r) => setTimeout(r, 300));
        assert.equal((await patch({ description: 'only the description' })).status, 204);
        assert.equal(core.isPropagating(fic, 200), false, 'a description is not a write Entra has to propagate');
        assert.equal((await patch({ audiences: [...fic.audiences] })).status, 204);
        assert.equal(core.isPropagating(fic, 200), false, 'the same audience again is no change either');
        assert.equal((await patch({ audiences: ['api://Other'] })).status, 204);
        assert.equal(core.isPropagating(fic, 200), true, 'a new audience is');
        assert.equal((await patch({ audiences: ['api://AzureADTokenExchange'] })).status, 204);
      } finally {
        core.consistency = before;
      }
    });

    it("refuses an Entra assertion issued in another tenant than the app's (700236)", async () => {
      const { info } = f.sandbox;
      const foreign = f.sandbox.core.issueAccessToken({
        tenantId: info.customerTenant.id,
        audience: 'api://AzureADTokenExchange',
        clientAppId: 'x',
        azpacr: '2',
        servicePrincipalId: info.automationAccount.userAssigned.principalId,
      }).token;
      const r = await exchange(info.homeTenant.id, foreign);
      assert.equal(aadsts(r.body), 700236);
      assert.equal(r.body.error, 'invalid_request');
      assert.ok(
        String(r.body.error_description).startsWith(
          `AADSTS700236: Entra ID tokens issued by issuer '${info.loginUrl}/${info.customerTenant.id}/v2.0' may not be used for federated identity credential flows for applications or managed identities registered in this tenant.`,
        ),
      );
    });

    it('refuses expired (700024), user-delegated (700229), badly signed (700027) and malformed (50027) assertions', async () => {
      const { info } = f.sandbox;
      assert.equal(aadsts((await exchange(info.homeTenant.id, assertion({ lifetimeSeconds: -600 }))).body), 700024);
      const user = info.users[0];
      assert.ok(user);
      assert.equal(aadsts((await exchange(info.homeTenant.id, assertion({ userId: user.id, scp: ['User.Read'] }))).body), 700229);
      const valid = assertion();
      const [h, p] = valid.split('.');
      const forged = `${h}.${p}.${sign('RSA-SHA256', Buffer.from(`${h}.${p}`), generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey).toString('base64url')}`;
      const bad = await exchange(info.homeTenant.id, forged);
      assert.equal(bad.status, 401);
      assert.equal(aadsts(bad.body), 700027);
      assert.equal(aadsts((await exchange(info.homeTenant.id, 'not-a-jwt')).body), 50027);
    });

    it('verifies external issuers with keys registered through the control API', async () => {
      const { info } = f.sandbox;
      const app = f.sandbox.core.state.findApplicationByAppId(info.multiTenantApp.appId);
      assert.ok(app);
      app.federatedIdentityCredentials.push({
        id: 'gh',
        name: 'github-main',
        issuer: 'https://token.actions.githubusercontent.com',
        subject: 'repo:contoso/app:ref:refs/heads/main',
        audiences: ['api://AzureADTokenExchange'],
        description: null,
      });
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const jwk = publicKey.export({ format: 'jwk' }) as { n: string; e: string };
      const key = { kid: 'gh1', privateKey, publicKey, jwk: { kty: 'RSA' as const, use: 'sig' as const, kid: 'gh1', x5t: 'gh1', n: jwk.n, e: jwk.e } };
      const now = Math.floor(Date.now() / 1000);
      const gh = signJwt(
        {
          iss: 'https://token.actions.githubusercontent.com',
          sub: 'repo:contoso/app:ref:refs/heads/main',
          aud: 'api://AzureADTokenExchange',
          iat: now,
          nbf: now,
          exp: now + 300,
        },
        key,
      );
      assert.equal(aadsts((await exchange(info.homeTenant.id, gh)).body), 50027, 'no keys registered yet');
      const reg = await fetch(`${info.controlUrl}/issuers`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-sandbox-control-key': info.controlKey },
        body: JSON.stringify({ issuer: 'https://token.actions.githubusercontent.com', keys: [key.jwk] }),
      });
      assert.equal(reg.status, 200);
      const ok = await exchange(info.homeTenant.id, gh);
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      app.federatedIdentityCredentials.pop();
    });
  });
});
