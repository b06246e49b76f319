// Real clients, unchanged, against the sandbox: @azure/identity credentials with authorityHost = the sandbox.
import assert from 'node:assert/strict';
import { ClientAssertionCredential, ClientSecretCredential, DeviceCodeCredential, UsernamePasswordCredential } from '@azure/identity';
import { claimsOf, miToken, useSandbox } from './helpers';

describe('sandbox: @azure/identity clients', () => {
  const f = useSandbox({ seed: 21 });
  const common = () => ({ authorityHost: f.sandbox.info.loginUrl, disableInstanceDiscovery: true });

  it('ClientSecretCredential gets a Graph app token with roles', async () => {
    const { info } = f.sandbox;
    const cred = new ClientSecretCredential(info.homeTenant.id, info.confidentialClient.clientId, info.confidentialClient.clientSecret, common());
    const token = await cred.getToken('https://graph.microsoft.com/.default');
    assert.ok(token.expiresOnTimestamp > Date.now());
    assert.deepEqual(claimsOf(token.token).roles, ['Application.ReadWrite.All', 'Directory.Read.All', 'User.Read.All']);
    const bad = new ClientSecretCredential(info.homeTenant.id, info.confidentialClient.clientId, 'wrong-secret', common());
    await assert.rejects(bad.getToken('https://graph.microsoft.com/.default'), /AADSTS7000215/);
  });

  it('ClientAssertionCredential: MI token → FIC → customer tenant; consent error before admin consent, roles after', async () => {
    const { info } = f.sandbox;
    const getAssertion = async () => {
      const r = await miToken(f.sandbox, {
        'api-version': '2019-08-01',
        resource: 'api://AzureADTokenExchange',
        client_id: info.automationAccount.userAssigned.clientId,
      });
      return r.body.access_token as string;
    };
    const cred = new ClientAssertionCredential(info.customerTenant.id, info.multiTenantApp.appId, getAssertion, common());
    await assert.rejects(
      cred.getToken('https://graph.microsoft.com/.default'),
      /AADSTS700016: Application with identifier '[0-9a-f-]+' was not found in the directory 'Fabrikam'/,
    );
    const consent = await fetch(`${info.loginUrl}/${info.customerTenant.id}/adminconsent?client_id=${info.multiTenantApp.appId}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_id: info.multiTenantApp.appId,
        redirect_uri: info.multiTenantApp.redirectUri,
        login: info.admins.customer.username,
        passwd: info.admins.customer.password,
        action: 'accept',
      }),
    });
    assert.equal(consent.status, 302);
    assert.equal(new URL(consent.headers.get('location') ?? '').searchParams.get('admin_consent'), 'True');
    const fresh = new ClientAssertionCredential(info.customerTenant.id, info.multiTenantApp.appId, getAssertion, common());
    const token = await fresh.getToken('https://graph.microsoft.com/.default');
    const c = claimsOf(token.token);
    assert.equal(c.tid, info.customerTenant.id);
    assert.deepEqual(c.roles, ['Application.Read.All', 'User.Read.All']);
    assert.equal(c.appid, info.multiTenantApp.appId);
  });

  it('DeviceCodeCredential completes through the non-interactive path', async () => {
    const { info } = f.sandbox;
    let shown = '';
    const cred = new DeviceCodeCredential({
      tenantId: info.homeTenant.id,
      clientId: info.publicClientId,
      ...common(),
      userPromptCallback: (details) => {
        shown = details.message;
        f.sandbox.completeDeviceCode(details.userCode, info.admins.home.username, info.admins.home.password);
      },
    });
    const token = await cred.getToken('https://graph.microsoft.com/Application.ReadWrite.All');
    assert.match(shown, /devicelogin/);
    const c = claimsOf(token.token);
    assert.equal(c.preferred_username, info.admins.home.username);
    assert.match(String(c.scp), /\bApplication\.ReadWrite\.All\b/);
  });

  it('DeviceCodeCredential completed from "another process" through the control API', async function () {
    this.timeout(15000);
    const { info } = f.sandbox;
    const cred = new DeviceCodeCredential({
      tenantId: info.homeTenant.id,
      clientId: info.publicClientId,
      ...common(),
      userPromptCallback: (details) => {
        setTimeout(() => {
          void fetch(`${info.controlUrl}/device-codes/complete`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-sandbox-control-key': info.controlKey },
            body: JSON.stringify({ userCode: details.userCode, username: info.admins.home.username, password: info.admins.home.password }),
          });
        }, 200);
      },
    });
    const token = await cred.getToken('https://management.azure.com/.default');
    assert.equal(claimsOf(token.token).aud, 'https://management.azure.com');
  });

  it('UsernamePasswordCredential signs the seeded admin in; wrong passwords fail with AADSTS50126', async () => {
    const { info } = f.sandbox;
    const cred = new UsernamePasswordCredential(info.homeTenant.id, info.publicClientId, info.admins.home.username, info.admins.home.password, common());
    const token = await cred.getToken('https://graph.microsoft.com/User.Read');
    // MSAL adds openid/profile/offline_access; Graph tokens carry the OIDC scopes in scp, as Entra's do.
    assert.deepEqual(String(claimsOf(token.token).scp).split(' ').sort(), ['User.Read', 'openid', 'profile']);
    const bad = new UsernamePasswordCredential(info.homeTenant.id, info.publicClientId, info.admins.home.username, 'nope', common());
    await assert.rejects(bad.getToken('https://graph.microsoft.com/User.Read'), /AADSTS50126/);
  });

  it("MSAL Node's token cache serves a second call: one token request for two getToken calls, app and user tokens alike", async () => {
    const { info } = f.sandbox;
    const tokenRequests = () => f.sandbox.requests().filter((r) => r.method === 'POST' && /\/oauth2\/v2\.0\/token$/.test(r.path)).length;
    const app = new ClientSecretCredential(info.homeTenant.id, info.confidentialClient.clientId, info.confidentialClient.clientSecret, common());
    let before = tokenRequests();
    const first = await app.getToken('https://graph.microsoft.com/.default');
    const second = await app.getToken('https://graph.microsoft.com/.default');
    assert.equal(second.token, first.token, 'the cached token');
    assert.equal(tokenRequests() - before, 1);
    // A user token asked for with .default is found in the cache too: the answer's scope names the .default.
    const user = new UsernamePasswordCredential(info.homeTenant.id, info.publicClientId, info.admins.home.username, info.admins.home.password, common());
    before = tokenRequests();
    const u1 = await user.getToken('https://management.azure.com/.default');
    const u2 = await user.getToken('https://management.azure.com/.default');
    assert.equal(u2.token, u1.token);
    assert.equal(tokenRequests() - before, 1, 'no second request: neither the password nor the refresh token was sent again');
  });
});
