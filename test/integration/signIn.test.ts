import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { FederatedCredentialsApi } from '../../src/api';
import type { SignedInAccount } from '../../src/auth/authService';
import { sandbox } from './support/sandbox';

async function api(): Promise<FederatedCredentialsApi> {
  return vscode.extensions.getExtension<FederatedCredentialsApi>('federated-credentials.federated-credentials')!.activate();
}

describe('Sign-in (sandbox tenant through a VS Code authentication provider)', function () {
  this.timeout(60_000);

  before(async () => {
    // Other suites may have signed in: sign out of the extension and of the account (Accounts menu).
    await vscode.commands.executeCommand('federatedCredentials.signOut');
    await vscode.commands.executeCommand('fcSandbox.signOut');
  });

  it('is signed out after signing out, and stays so on a silent look', async () => {
    assert.equal((await api()).account(), undefined);
  });

  it('signs in through the configured provider, asking only for Graph read scopes', async () => {
    const mark = await sandbox.mark();
    // The user signs in to the account (Accounts menu); VS Code then hands the extension its sessions.
    await vscode.commands.executeCommand('fcSandbox.signIn');
    const account = await vscode.commands.executeCommand<SignedInAccount>('federatedCredentials.signIn', {});
    const info = sandbox.info();
    assert.equal(account.tenantId, info.homeTenant.id);
    assert.equal(account.label, info.admins.home.username);
    assert.deepEqual((await api()).account(), account);
    const scopes = (await sandbox.requests(mark))
      .filter((r) => r.path.endsWith('/oauth2/v2.0/token'))
      .map((r) => String((r.body as Record<string, string>).scope));
    assert.ok(
      scopes.some((s) => /\/graph\/Application\.Read\.All/.test(s)),
      `no Graph read token was requested: ${scopes.join(' | ')}`,
    );
    assert.deepEqual(
      scopes.filter((s) => /ReadWrite/.test(s)),
      [],
      'browsing must not ask for write scopes',
    );
  });

  it('refuses a tenant argument that is not a tenant id', async () => {
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('federatedCredentials.signIn', { tenant: "x' or 1=1" })), /tenant/i);
  });
});

describe('Tenant selection (sandbox)', function () {
  this.timeout(60_000);

  it('selects a tenant by id: the views follow it and tokens are asked for that tenant', async () => {
    const info = sandbox.info();
    await vscode.commands.executeCommand('fcSandbox.signIn');
    await vscode.commands.executeCommand('federatedCredentials.signIn', {});
    const mark = await sandbox.mark();
    const account = await vscode.commands.executeCommand<SignedInAccount>('federatedCredentials.selectTenant', { tenant: info.homeTenant.id.toUpperCase() });
    assert.equal(account.tenantId, info.homeTenant.id);
    await vscode.commands.executeCommand('federatedCredentials.refresh');
    await (await api()).views.appRegistrations.render(0);
    const graphCalls = (await sandbox.requests(mark)).filter((r) => r.area === 'graph');
    assert.ok(graphCalls.length > 0, 'the views reloaded');
    assert.ok(
      graphCalls.every((r) => r.caller?.tid === info.homeTenant.id),
      'every Graph call carries a token of the selected tenant',
    );
  });

  it('refuses a tenant that is not an id before any request', async () => {
    const mark = await sandbox.mark();
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('federatedCredentials.selectTenant', { tenant: 'not a tenant' })), /tenant/i);
    assert.deepEqual(
      (await sandbox.requests(mark)).filter((r) => r.area === 'graph' || r.area === 'arm'),
      [],
      'a bad argument is refused before any request',
    );
  });
});

describe('Sign-in with the Azure CLI (sandbox)', function () {
  this.timeout(60_000);
  const config = () => vscode.workspace.getConfiguration('federatedCredentials');

  after(async () => {
    await config().update('authentication.method', undefined, vscode.ConfigurationTarget.Global);
  });

  it("reuses `az login` through @azure/identity and lists the tenant's apps with its tokens", async () => {
    const info = sandbox.info();
    await vscode.commands.executeCommand('federatedCredentials.signOut');
    await config().update('authentication.method', 'azureCli', vscode.ConfigurationTarget.Global);
    const account = await vscode.commands.executeCommand<SignedInAccount>('federatedCredentials.signIn', {});
    assert.equal(account.tenantId, info.homeTenant.id);
    assert.equal(account.label, info.admins.home.username);
    const mark = await sandbox.mark();
    await vscode.commands.executeCommand('federatedCredentials.refresh');
    const nodes = await (await api()).views.appRegistrations.render(0);
    assert.ok(nodes.some((n) => n.contextValue?.includes('appRegistration')));
    const graph = (await sandbox.requests(mark)).filter((r) => r.area === 'graph');
    assert.ok(graph.length > 0);
    assert.ok(
      graph.every(
        (r) =>
          r.caller?.appid === '04b07795-8ddb-461a-bbee-02f9e1bf7b46' ||
          (r.caller as { azp?: string } | undefined)?.azp === '04b07795-8ddb-461a-bbee-02f9e1bf7b46',
      ),
      JSON.stringify(graph.map((r) => r.caller)),
    );
  });
});

describe('Sign-in with a device code (sandbox)', function () {
  this.timeout(60_000);
  const config = () => vscode.workspace.getConfiguration('federatedCredentials');

  after(async () => {
    await config().update('authentication.method', undefined, vscode.ConfigurationTarget.Global);
  });

  it('shows the code, and signs in once the user enters it on the verification page', async () => {
    const info = sandbox.info();
    await vscode.commands.executeCommand('federatedCredentials.signOut');
    await config().update('authentication.method', 'deviceCode', vscode.ConfigurationTarget.Global);
    const signingIn = Promise.resolve(vscode.commands.executeCommand<SignedInAccount>('federatedCredentials.signIn', {}));
    // The user reads the code off the notification and enters it at the verification page.
    let userCode: string | undefined;
    for (let i = 0; i < 50 && !userCode; i++) {
      userCode = (await sandbox.deviceCodes())[0]?.userCode;
      if (!userCode) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.ok(userCode, 'the extension started a device-code sign-in');
    await sandbox.completeDeviceCode(userCode, info.admins.home.username, info.admins.home.password);
    const account = await signingIn;
    assert.equal(account.tenantId, info.homeTenant.id);
    assert.equal(account.label, info.admins.home.username);
    await vscode.commands.executeCommand('federatedCredentials.refresh');
    assert.ok((await (await api()).views.appRegistrations.render(0)).some((n) => n.contextValue?.includes('appRegistration')));
  });
});

describe('A sign-in client refused Graph write permissions (sandbox)', function () {
  this.timeout(60_000);
  const config = () => vscode.workspace.getConfiguration('federatedCredentials');

  after(async () => {
    await config().update('authentication.clientId', undefined, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('federatedCredentials.signOut');
  });

  it('is recognised, and the user is told the ways out', async () => {
    const info = sandbox.info();
    // An organisation's own public client, consented for reading only.
    const token = await sandbox.mintToken({
      tenant: info.homeTenant.id,
      resource: info.graphUrl,
      username: info.admins.home.username,
      scopes: ['Application.ReadWrite.All'],
    });
    const created = await fetch(`${info.graphUrl}/v1.0/applications`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ displayName: 'Contoso Sign-in Client', signInAudience: 'AzureADMyOrg', isFallbackPublicClient: true }),
    });
    assert.equal(created.status, 201, await created.clone().text());
    const client = (await created.json()) as { appId: string };
    await sandbox.consent({
      tenant: info.homeTenant.id,
      clientId: client.appId,
      scope: 'https://graph.microsoft.com/Application.Read.All https://graph.microsoft.com/User.Read https://graph.microsoft.com/offline_access',
    });

    await vscode.commands.executeCommand('federatedCredentials.signOut');
    await config().update('authentication.clientId', client.appId, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('fcSandbox.signIn');
    const account = await vscode.commands.executeCommand<SignedInAccount>('federatedCredentials.signIn', {});
    assert.equal(account.tenantId, info.homeTenant.id, 'reading works with the read-only consent');
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('federatedCredentials.createAppRegistration', { displayName: 'Needs write' })),
      (error: Error) =>
        /Application\.ReadWrite\.All/.test(error.message) &&
        /federatedCredentials\.authentication\.clientId/.test(error.message) &&
        /azureCli/.test(error.message),
    );
  });
});
