// Every credential and app command driven with an arguments object, checked against what the
// sandbox received (its request log) and what it now holds.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { AppRegistration, FederatedCredential } from '../../src/domain/model';
import { sandbox } from './support/sandbox';

const run = <T>(command: string, args: Record<string, unknown>) => Promise.resolve(vscode.commands.executeCommand<T>(`federatedCredentials.${command}`, args));
const writes = async (mark: number) => (await sandbox.requests(mark)).filter((r) => r.area === 'graph' && r.method !== 'GET');

describe('Commands with arguments (sandbox)', function () {
  this.timeout(60_000);
  let app: AppRegistration;

  before(async () => {
    await vscode.commands.executeCommand('fcSandbox.signIn');
    await vscode.commands.executeCommand('federatedCredentials.signIn', {});
    app = await run<AppRegistration>('createAppRegistration', { displayName: 'Commands Test App' });
  });

  it('creates a multi-tenant app registration by default, with no permissions unless asked', async () => {
    assert.equal(app.signInAudience, 'AzureADMultipleOrgs');
    assert.match(app.appId, /^[0-9a-f-]{36}$/);
    const single = await run<AppRegistration>('createAppRegistration', { displayName: 'Single', multiTenant: false });
    assert.equal(single.signInAudience, 'AzureADMyOrg');
  });

  it('adds a GitHub Actions credential with the subject GitHub issues', async () => {
    const mark = await sandbox.mark();
    const credential = await run<FederatedCredential>('addCredential', {
      app: app.id,
      kind: 'githubActions',
      organization: 'contoso',
      repository: 'deploy',
      entity: 'branch',
      value: 'main',
      name: 'gh-main',
    });
    assert.equal(credential.issuer, 'https://token.actions.githubusercontent.com');
    assert.equal(credential.subject, 'repo:contoso/deploy:ref:refs/heads/main');
    assert.deepEqual(credential.audiences, [sandbox.info().tokenExchangeAudience]);
    const posts = (await writes(mark)).filter((r) => r.method === 'POST');
    assert.equal(posts.length, 1);
    assert.equal(posts[0].path, `/graph/v1.0/applications/${app.id}/federatedIdentityCredentials`);
  });

  it('adds Kubernetes and other-issuer credentials', async () => {
    const k8s = await run<FederatedCredential>('addCredential', {
      app: app.appId,
      kind: 'kubernetes',
      issuer: 'https://westeurope.oic.prod-aks.azure.com/tenant/cluster/',
      namespace: 'jobs',
      serviceAccount: 'sync',
      name: 'aks-sync',
    });
    assert.equal(k8s.subject, 'system:serviceaccount:jobs:sync');
    const other = await run<FederatedCredential>('addCredential', {
      app: app.id,
      kind: 'otherIssuer',
      issuer: 'https://issuer.example.com',
      subject: 'job-42',
      audience: 'api://custom',
      name: 'other-1',
      description: 'An example',
    });
    assert.deepEqual(other.audiences, ['api://custom']);
    assert.equal(other.description, 'An example');
  });

  it('refuses invalid values before sending anything, in plain words', async () => {
    const mark = await sandbox.mark();
    await assert.rejects(
      run('addCredential', { app: app.id, kind: 'otherIssuer', issuer: 'https://issuer.example.com', subject: 'x', name: 'has space' }),
      /Name may contain only ASCII letters, digits/,
    );
    await assert.rejects(
      run('addCredential', { app: app.id, kind: 'otherIssuer', issuer: ' https://issuer.example.com', subject: 'x', name: 'ok-name' }),
      /whitespace/i,
    );
    await assert.rejects(
      run('addCredential', { app: app.id, kind: 'otherIssuer', issuer: 'https://issuer.example.com', subject: 'job-42', name: 'dup-pair' }),
      /already has this issuer and subject/,
    );
    await assert.rejects(run('addCredential', { app: app.id, kind: 'nope', name: 'x1x' }), /"kind" must be one of/);
    await assert.rejects(run('addCredential', { app: app.id, bogus: 1 }), /Unknown argument "bogus"/);
    assert.deepEqual(await writes(mark), [], 'nothing was written');
  });

  it("adds a managed-identity credential from the app's tenant and refuses identities Entra would refuse", async () => {
    const info = sandbox.info();
    const credential = await run<FederatedCredential>('addManagedIdentityCredential', {
      app: app.id,
      managedIdentity: info.spareIdentity.principalId,
      name: 'msi-spare',
    });
    assert.equal(credential.issuer, info.homeTenant.issuer);
    assert.equal(credential.subject, info.spareIdentity.principalId);
    await assert.rejects(run('addManagedIdentityCredential', { app: app.id, managedIdentity: '00000000-0000-4000-8000-000000000001' }), /AADSTS700236/);
    await assert.rejects(run('addManagedIdentityCredential', { app: app.id, managedIdentity: 'not-a-guid' }), /object \(principal\) id, a GUID/);
  });

  it('edits a credential with a PATCH of only what changed, and refuses to rename it', async () => {
    const mark = await sandbox.mark();
    const updated = await run<FederatedCredential>('editCredential', { app: app.id, credential: 'other-1', description: 'Changed' });
    assert.equal(updated.description, 'Changed');
    const patches = (await writes(mark)).filter((r) => r.method === 'PATCH');
    assert.equal(patches.length, 1);
    assert.deepEqual(patches[0].body, { description: 'Changed' });
    await assert.rejects(run('editCredential', { app: app.id, credential: 'other-1', name: 'renamed' }), /cannot be changed/);
  });

  it('copies a credential as JSON, Azure CLI and Bicep', async () => {
    const json = JSON.parse(await run<string>('copyCredential', { app: app.id, credential: 'gh-main', format: 'json' }));
    assert.equal(json.subject, 'repo:contoso/deploy:ref:refs/heads/main');
    assert.equal(await vscode.env.clipboard.readText(), JSON.stringify(json, null, 2));
    assert.match(
      await run<string>('copyCredential', { app: app.id, credential: 'gh-main', format: 'azureCli' }),
      new RegExp(`^az ad app federated-credential create --id '${app.appId}' --parameters '\\{`),
    );
    assert.match(
      await run<string>('copyCredential', { app: app.id, credential: 'gh-main', format: 'bicep' }),
      /Microsoft\.Graph\/applications\/federatedIdentityCredentials@v1\.0/,
    );
  });

  it('deletes only with confirm: true', async () => {
    const mark = await sandbox.mark();
    await assert.rejects(run('deleteCredential', { app: app.id, credential: 'aks-sync' }), /needs "confirm": true/);
    assert.deepEqual(await writes(mark), []);
    const result = await run<{ deleted: boolean }>('deleteCredential', { app: app.id, credential: 'aks-sync', confirm: true });
    assert.equal(result.deleted, true);
    const deletes = (await writes(mark)).filter((r) => r.method === 'DELETE');
    assert.equal(deletes.length, 1);
    await assert.rejects(run('copyCredential', { app: app.id, credential: 'aks-sync', format: 'json' }), /has no federated credential/);
  });

  it("builds admin-consent URLs on the cloud's login host, validating the tenant", async () => {
    const info = sandbox.info();
    assert.equal(
      await run('copyConsentUrl', { app: app.appId, tenant: info.customerTenant.id }),
      `${info.loginUrl}/${info.customerTenant.id}/adminconsent?client_id=${app.appId}`,
    );
    const v2 = await run<string>('copyConsentUrl', { app: app.appId, tenant: info.customerTenant.domain, version: 'v2' });
    assert.equal(new URL(v2).searchParams.get('scope'), `${info.graphUrl}/.default`);
    await assert.rejects(run('copyConsentUrl', { app: app.appId, tenant: 'contoso com' }), /tenant/i);
    await assert.rejects(run('copyConsentUrl', { app: app.appId, tenant: 'common' }), /common/);
  });

  it('adds Microsoft Graph application permissions, keeping the existing ones', async () => {
    const withRole = await run<AppRegistration>('createAppRegistration', { displayName: 'Perms', permissions: ['User.Read.All'] });
    const access = await run<AppRegistration['requiredResourceAccess']>('addApiPermission', {
      app: withRole.id,
      permissions: ['Group.Read.All', 'User.Read.All'],
    });
    assert.deepEqual(access?.[0].resourceAccess.map((a) => a.id).sort(), ['5b567255-7703-4780-807c-7be8301ae99b', 'df021288-bdef-4463-88db-98f22de89214']);
    await assert.rejects(run('addApiPermission', { app: withRole.id, permissions: ['User.Reed.All'] }), /no application permission "User\.Reed\.All"/);
  });
});
