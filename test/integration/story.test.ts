// The whole story as one test: a multi-tenant app with User.Read.All, trusted by the Automation
// account's managed identity; the customer's admin consents through the URL the extension gives;
// then the identity's token is exchanged for an app token in the customer tenant, with no secret.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { AppRegistration, FederatedCredential } from '../../src/domain/model';
import { sandbox } from './support/sandbox';

async function postForm(url: string, fields: Record<string, string>): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields),
    redirect: 'manual',
  });
}

describe('The story, end to end (sandbox)', function () {
  this.timeout(90_000);

  it('creates the app, trusts the identity, gets consent in the customer tenant, and the exchange works', async () => {
    const info = sandbox.info();
    await vscode.commands.executeCommand('fcSandbox.signIn');
    await vscode.commands.executeCommand('federatedCredentials.signIn', {});

    const app = await vscode.commands.executeCommand<AppRegistration>('federatedCredentials.createAppRegistration', {
      displayName: 'Contoso Customer Sync',
      multiTenant: true,
      permissions: ['User.Read.All'],
    });
    assert.equal(app.signInAudience, 'AzureADMultipleOrgs');
    assert.deepEqual(app.requiredResourceAccess, [
      { resourceAppId: '00000003-0000-0000-c000-000000000000', resourceAccess: [{ id: 'df021288-bdef-4463-88db-98f22de89214', type: 'Role' }] },
    ]);

    const identity = info.automationAccount.userAssigned;
    const credential = await vscode.commands.executeCommand<FederatedCredential>('federatedCredentials.addManagedIdentityCredential', {
      app: app.appId,
      managedIdentity: identity.principalId,
    });
    assert.equal(credential.issuer, info.homeTenant.issuer);
    assert.equal(credential.subject, identity.principalId);
    assert.deepEqual(credential.audiences, [info.tokenExchangeAudience]);
    assert.equal(credential.name, `msi-${identity.name}`);

    // Before consent the customer tenant refuses the app (no service principal there).
    const miToken = async () => {
      const url = new URL(info.managedIdentityEndpoint);
      url.search = new URLSearchParams({ 'api-version': '2019-08-01', resource: info.tokenExchangeAudience, client_id: identity.clientId }).toString();
      const response = await fetch(url, { headers: { 'X-IDENTITY-HEADER': info.identityHeader, Metadata: 'true' } });
      assert.equal(response.status, 200, await response.clone().text());
      return ((await response.json()) as { access_token: string }).access_token;
    };
    const exchange = async () =>
      postForm(`${info.loginUrl}/${info.customerTenant.id}/oauth2/v2.0/token`, {
        client_id: app.appId,
        scope: `${info.graphUrl}/.default`,
        grant_type: 'client_credentials',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: await miToken(),
      });
    const before = await exchange();
    assert.equal(before.status, 400);
    assert.match(((await before.json()) as { error_description: string }).error_description, /AADSTS700016/);

    const consentUrl = await vscode.commands.executeCommand<string>('federatedCredentials.copyConsentUrl', { app: app.id, tenant: info.customerTenant.domain });
    assert.equal(consentUrl, `${info.loginUrl}/${info.customerTenant.domain}/adminconsent?client_id=${app.appId}`);
    assert.equal(await vscode.env.clipboard.readText(), consentUrl);
    const page = await fetch(consentUrl);
    assert.match(await page.text(), /User\.Read\.All/);
    const consented = await postForm(consentUrl, {
      client_id: app.appId,
      login: info.admins.customer.username,
      passwd: info.admins.customer.password,
      action: 'accept',
    });
    assert.ok(consented.status === 200 || consented.status === 302, `consent answered ${consented.status}`);

    // A new credential takes a moment to propagate in Entra (AADSTS70021 meanwhile; the sandbox's consistency
    // knob is on in these suites): a client tries again for a bounded time, as the runbooks do.
    let after = await exchange();
    let body = (await after.json()) as { access_token?: string; error_description?: string };
    for (let tries = 0; after.status !== 200 && /AADSTS70021:/.test(body.error_description ?? '') && tries < 20; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      after = await exchange();
      body = (await after.json()) as { access_token?: string; error_description?: string };
    }
    assert.equal(after.status, 200, body.error_description);
    const claims = JSON.parse(Buffer.from(body.access_token!.split('.')[1], 'base64url').toString('utf8')) as {
      tid: string;
      roles?: string[];
      appid?: string;
      azp?: string;
    };
    assert.equal(claims.tid, info.customerTenant.id);
    assert.deepEqual(claims.roles, ['User.Read.All']);
  });
});
