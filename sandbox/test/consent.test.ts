// Admin consent (v1 and v2 endpoints) and the managed-identity endpoint.
import assert from 'node:assert/strict';
import { aadsts, claimsOf, miToken, postForm, tokenUrl, useSandbox } from './helpers';

describe('sandbox: admin consent', () => {
  const f = useSandbox({ seed: 11 });
  const consentUrl = (tenant: string, params: Record<string, string>, v2 = false) =>
    `${f.sandbox.urls.login}/${tenant}${v2 ? '/v2.0' : ''}/adminconsent?${new URLSearchParams(params)}`;

  beforeEach(() => f.sandbox.reset());

  it('shows an accessible sign-in and consent page listing the application permissions', async () => {
    const { info } = f.sandbox;
    const res = await fetch(
      consentUrl(info.customerTenant.id, { client_id: info.multiTenantApp.appId, redirect_uri: info.multiTenantApp.redirectUri, state: 's1' }),
    );
    assert.equal(res.status, 200);
    const page = await res.text();
    assert.match(page, /<label for="login">Email or username<\/label>/);
    assert.match(page, /<label for="passwd">Password<\/label>/);
    assert.match(page, /<button type="submit" name="action" value="accept">Accept<\/button>/);
    assert.match(page, /<button type="submit" name="action" value="cancel">Cancel<\/button>/);
    assert.match(page, /User\.Read\.All \(application, Microsoft Graph\)/);
    assert.match(page, /Contoso Multi-Tenant Reporter/);
  });

  it('refuses unregistered redirect URIs (50011), unknown clients (700016), unknown tenants (90002) and v2 on /common', async () => {
    const { info } = f.sandbox;
    const badRedirect = await fetch(consentUrl(info.customerTenant.id, { client_id: info.multiTenantApp.appId, redirect_uri: 'https://evil.example/cb' }));
    assert.equal(badRedirect.status, 400);
    assert.match(await badRedirect.text(), /AADSTS50011/);
    assert.match(await (await fetch(consentUrl(info.customerTenant.id, { client_id: '00000000-1111-2222-3333-444444444444' }))).text(), /AADSTS700016/);
    assert.match(await (await fetch(consentUrl('nowhere.example', { client_id: info.multiTenantApp.appId }))).text(), /AADSTS90002/);
    assert.match(
      await (await fetch(consentUrl('common', { client_id: info.multiTenantApp.appId, scope: 'https://graph.microsoft.com/.default' }, true))).text(),
      /AADSTS90130/,
    );
    // A single-tenant app cannot be consented in another tenant.
    assert.match(await (await fetch(consentUrl(info.customerTenant.id, { client_id: info.confidentialClient.clientId }))).text(), /AADSTS700016/);
  });

  it('accepting as the tenant admin creates the service principal and app-role assignments, then redirects with admin_consent=True', async () => {
    const { info, core } = f.sandbox;
    assert.equal(core.state.findServicePrincipal(info.customerTenant.id, info.multiTenantApp.appId), undefined);
    const r = await postForm(consentUrl(info.customerTenant.domain, { client_id: info.multiTenantApp.appId }), {
      client_id: info.multiTenantApp.appId,
      redirect_uri: info.multiTenantApp.redirectUri,
      state: 'xyz',
      login: info.admins.customer.username,
      passwd: info.admins.customer.password,
      action: 'accept',
    });
    assert.equal(r.status, 302);
    const location = new URL(r.headers.get('location') ?? '');
    assert.equal(`${location.origin}${location.pathname}`, info.multiTenantApp.redirectUri);
    assert.equal(location.searchParams.get('admin_consent'), 'True');
    assert.equal(location.searchParams.get('tenant'), info.customerTenant.id);
    assert.equal(location.searchParams.get('state'), 'xyz');
    const sp = core.state.findServicePrincipal(info.customerTenant.id, info.multiTenantApp.appId);
    assert.ok(sp);
    assert.equal(sp.appOwnerOrganizationId, info.homeTenant.id);
    const graph = core.state.findServicePrincipal(info.customerTenant.id, '00000003-0000-0000-c000-000000000000');
    assert.ok(graph);
    assert.deepEqual(core.state.roleValues(sp.id, graph), ['Application.Read.All', 'User.Read.All']);
    assert.deepEqual([...core.state.grantedScopes(sp, graph, '')], ['User.Read']);
  });

  it("v2 with /.default and organizations: consents in the admin's own tenant and echoes the scope", async () => {
    const { info, core } = f.sandbox;
    const scope = 'https://graph.microsoft.com/.default';
    const r = await postForm(consentUrl('organizations', {}, true), {
      client_id: info.multiTenantApp.appId,
      redirect_uri: info.multiTenantApp.redirectUri,
      scope,
      state: '9',
      login: info.admins.customer.username,
      passwd: info.admins.customer.password,
      action: 'accept',
    });
    assert.equal(r.status, 302);
    const location = new URL(r.headers.get('location') ?? '');
    assert.equal(location.searchParams.get('scope'), scope);
    assert.equal(location.searchParams.get('tenant'), info.customerTenant.id);
    assert.ok(core.state.findServicePrincipal(info.customerTenant.id, info.multiTenantApp.appId));
  });

  it('cancel redirects with permission_denied (v1) and consent_required/AADSTS65004 (v2), granting nothing', async () => {
    const { info, core } = f.sandbox;
    const v1 = await postForm(consentUrl(info.customerTenant.id, {}), {
      client_id: info.multiTenantApp.appId,
      redirect_uri: info.multiTenantApp.redirectUri,
      state: 'c',
      action: 'cancel',
    });
    const l1 = new URL(v1.headers.get('location') ?? '');
    assert.equal(l1.searchParams.get('error'), 'permission_denied');
    assert.equal(l1.searchParams.get('error_description'), 'The admin canceled the request');
    assert.equal(l1.searchParams.get('state'), 'c');
    const v2 = await postForm(consentUrl(info.customerTenant.id, {}, true), {
      client_id: info.multiTenantApp.appId,
      redirect_uri: info.multiTenantApp.redirectUri,
      scope: 'https://graph.microsoft.com/.default',
      action: 'cancel',
    });
    const l2 = new URL(v2.headers.get('location') ?? '');
    assert.equal(l2.searchParams.get('error'), 'consent_required');
    assert.match(l2.searchParams.get('error_description') ?? '', /^AADSTS65004/);
    assert.equal(core.state.findServicePrincipal(info.customerTenant.id, info.multiTenantApp.appId), undefined);
  });

  it('refuses non-admins (access_denied, AADSTS90094), re-asks on a wrong password, and refuses users of other tenants', async () => {
    const { info, core } = f.sandbox;
    const user = info.users.find((u) => u.tenantId === info.customerTenant.id && u.roles.length === 0);
    assert.ok(user);
    const r = await postForm(consentUrl(info.customerTenant.id, {}), {
      client_id: info.multiTenantApp.appId,
      redirect_uri: info.multiTenantApp.redirectUri,
      state: 'n',
      login: user.username,
      passwd: user.password,
      action: 'accept',
    });
    const l = new URL(r.headers.get('location') ?? '');
    assert.equal(l.searchParams.get('error'), 'access_denied');
    assert.match(l.searchParams.get('error_description') ?? '', /^AADSTS90094/);
    const wrong = await postForm(consentUrl(info.customerTenant.id, {}), {
      client_id: info.multiTenantApp.appId,
      login: info.admins.customer.username,
      passwd: 'bad',
      action: 'accept',
    });
    assert.equal(wrong.status, 200);
    assert.match(String(wrong.body.text), /Your account or password is incorrect/);
    const foreign = await postForm(consentUrl(info.customerTenant.id, {}), {
      client_id: info.multiTenantApp.appId,
      login: info.admins.home.username,
      passwd: info.admins.home.password,
      action: 'accept',
    });
    assert.match(String(foreign.body.text), /AADSTS50020/);
    const noRedirect = await postForm(consentUrl(info.customerTenant.id, {}), {
      client_id: info.multiTenantApp.appId,
      login: user.username,
      passwd: user.password,
      action: 'accept',
    });
    assert.equal(noRedirect.status, 403);
    assert.match(String(noRedirect.body.text), /AADSTS90094/);
    assert.equal(core.state.findServicePrincipal(info.customerTenant.id, info.multiTenantApp.appId), undefined);
  });

  it('without redirect_uri shows a success page; then the MI → FIC → customer-tenant exchange returns the consented roles', async () => {
    const { info } = f.sandbox;
    const mi = await miToken(f.sandbox, {
      'api-version': '2019-08-01',
      resource: 'api://AzureADTokenExchange',
      client_id: info.automationAccount.userAssigned.clientId,
    });
    const exchange = () =>
      postForm(tokenUrl(f.sandbox, info.customerTenant.id), {
        grant_type: 'client_credentials',
        client_id: info.multiTenantApp.appId,
        scope: 'https://graph.microsoft.com/.default',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: mi.body.access_token as string,
      });
    const before = await exchange();
    assert.equal(before.body.error, 'unauthorized_client');
    assert.equal(aadsts(before.body), 700016);
    assert.match(String(before.body.error_description), /was not found in the directory 'Fabrikam'/);
    const page = await postForm(consentUrl(info.customerTenant.id, {}), {
      client_id: info.multiTenantApp.appId,
      login: info.admins.customer.username,
      passwd: info.admins.customer.password,
      action: 'accept',
    });
    assert.equal(page.status, 200);
    assert.match(String(page.body.text), /Permissions granted/);
    const after = await exchange();
    assert.equal(after.status, 200, JSON.stringify(after.body));
    const c = claimsOf(after.body.access_token as string);
    assert.equal(c.tid, info.customerTenant.id);
    assert.deepEqual(c.roles, ['Application.Read.All', 'User.Read.All']);
  });
});

describe('sandbox: managed-identity endpoint', () => {
  const f = useSandbox({ seed: 12 });

  it('issues the system-assigned identity token by default, App Service-shaped', async () => {
    const { info } = f.sandbox;
    const r = await miToken(f.sandbox, { 'api-version': '2019-08-01', resource: 'https://management.azure.com/' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(Object.keys(r.body).sort(), ['access_token', 'client_id', 'expires_on', 'resource', 'token_type']);
    assert.equal(typeof r.body.expires_on, 'string');
    assert.match(r.body.expires_on as string, /^\d{10}$/);
    assert.equal(r.body.resource, 'https://management.azure.com/');
    assert.equal(r.body.client_id, info.automationAccount.systemAssigned.clientId);
    const c = claimsOf(r.body.access_token as string);
    assert.equal(c.sub, info.automationAccount.systemAssigned.principalId);
    assert.equal(c.oid, info.automationAccount.systemAssigned.principalId);
    assert.equal(c.iss, info.homeTenant.issuer);
    assert.equal(c.aud, 'https://management.azure.com/');
    assert.equal(c.xms_mirid, info.automationAccount.id);
    assert.ok(info.managedIdentityEndpoint.startsWith('http://127.0.0.1:'));
  });

  it('selects user-assigned identities by client_id, principal_id, object_id and mi_res_id; POST form works too', async () => {
    const { info } = f.sandbox;
    const ua = info.automationAccount.userAssigned;
    const selectors: Record<string, string>[] = [
      { client_id: ua.clientId },
      { principal_id: ua.principalId },
      { object_id: ua.principalId },
      { mi_res_id: ua.id },
    ];
    for (const q of selectors) {
      const r = await miToken(f.sandbox, { resource: 'api://AzureADTokenExchange', ...q });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const c = claimsOf(r.body.access_token as string);
      assert.equal(c.sub, ua.principalId);
      assert.equal(c.aud, 'api://AzureADTokenExchange');
      assert.equal(c.iss, `${info.loginUrl}/${info.homeTenant.id}/v2.0`);
    }
    const post = await fetch(info.managedIdentityEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-identity-header': info.identityHeader },
      body: new URLSearchParams({ resource: 'https://graph.microsoft.com', client_id: ua.clientId }),
    });
    assert.equal(post.status, 200);
  });

  it('refuses missing (400) and wrong (401) identity headers, bad api-versions, missing resource, several selectors, unattached identities', async () => {
    const { info } = f.sandbox;
    const noHeader = await fetch(`${info.managedIdentityEndpoint}?resource=https://management.azure.com/`);
    assert.equal(noHeader.status, 400);
    assert.equal((await miToken(f.sandbox, { resource: 'https://management.azure.com/' }, 'wrong')).status, 401);
    assert.equal((await miToken(f.sandbox, { resource: 'https://management.azure.com/', 'api-version': '2017-09-01' })).status, 400);
    assert.equal((await miToken(f.sandbox, {})).status, 400);
    assert.equal((await miToken(f.sandbox, { resource: 'x', client_id: 'a', principal_id: 'b' })).status, 400);
    const spare = await miToken(f.sandbox, { resource: 'https://management.azure.com/', client_id: info.spareIdentity.clientId });
    assert.equal(spare.status, 400);
    assert.match(String(spare.body.error_description), /No user-assigned managed identity/);
    assert.equal((await miToken(f.sandbox, { resource: 'https://unknown.example' })).body.error, 'invalid_resource');
  });

  it('serves the identities of the Automation account chosen through the control API', async () => {
    const { info } = f.sandbox;
    const set = (id: string) =>
      fetch(`${info.controlUrl}/managed-identity`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-sandbox-control-key': info.controlKey },
        body: JSON.stringify({ automationAccountId: id }),
      });
    assert.equal((await set('/subscriptions/x/resourceGroups/y/providers/Microsoft.Automation/automationAccounts/none')).status, 404);
    const account = f.sandbox.core.state.findAutomationAccount(info.automationAccount.id);
    assert.ok(account);
    f.sandbox.core.state.disableSystemAssignedIdentity(account);
    account.identity.type = 'UserAssigned';
    assert.equal((await set(info.automationAccount.id.toUpperCase())).status, 200);
    const r = await miToken(f.sandbox, { resource: 'https://management.azure.com/' });
    assert.equal(r.status, 400);
    assert.match(String(r.body.error_description), /has no system-assigned managed identity/);
    f.sandbox.reset();
  });
});
