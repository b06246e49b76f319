// Check Trust in VS Code against the sandbox: nothing wrong on the seeded setup once consented, each planted
// mistake found (the credential mistakes planted straight through Graph, as another tool would write them;
// the permission and consent ones through the commands and the sandbox's consent), the report under the
// app and the app's mark in the App Registrations view, and bad arguments refused with no request.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { FederatedCredentialsApi } from '../../src/api';
import type { TrustFinding } from '../../src/domain/trustCheck';
import type { TrustReport } from '../../src/services/trustCheck';
import { sandbox } from './support/sandbox';

const EXTENSION_ID = 'federated-credentials.federated-credentials';
const run = <T>(command: string, args: Record<string, unknown>) => Promise.resolve(vscode.commands.executeCommand<T>(`federatedCredentials.${command}`, args));
/** A finding's fix, as its data names it (the full command id). */
const runFix = <T>(fix: NonNullable<TrustFinding['fix']>, extra: Record<string, unknown> = {}) =>
  Promise.resolve(vscode.commands.executeCommand<T>(fix.command, { ...fix.arguments, ...extra }));
const problems = (report: TrustReport) => report.findings.filter((f) => f.severity === 'error' || f.severity === 'warning');
const codes = (findings: readonly TrustFinding[]) => findings.map((f) => f.code);

describe('Check Trust (sandbox, in VS Code)', function () {
  this.timeout(90_000);
  let api: FederatedCredentialsApi;
  const planted: string[] = [];

  /** Writes a credential straight through Graph as the sandbox's confidential client (as a script or the portal would). */
  async function plant(name: string, issuer: string, subject: string, audience: string): Promise<string> {
    const info = sandbox.info();
    const token = await sandbox.mintToken({
      tenant: info.homeTenant.id,
      resource: info.graphUrl,
      servicePrincipalId: info.confidentialClient.servicePrincipalId,
    });
    const response = await fetch(`${info.graphUrl}/v1.0/applications/${info.multiTenantApp.objectId}/federatedIdentityCredentials`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name, issuer, subject, audiences: [audience] }),
    });
    assert.equal(response.status, 201, await response.clone().text());
    const id = ((await response.json()) as { id: string }).id;
    planted.push(id);
    return id;
  }

  before(async () => {
    api = await vscode.extensions.getExtension<FederatedCredentialsApi>(EXTENSION_ID)!.activate();
    await vscode.commands.executeCommand('fcSandbox.signIn');
    await vscode.commands.executeCommand('federatedCredentials.signIn', {});
    const info = sandbox.info();
    // The correct setup: the seeded app consented in its home tenant and in the customer's.
    await sandbox.consent({ tenant: info.homeTenant.id, clientId: info.multiTenantApp.appId });
    await sandbox.consent({ tenant: info.customerTenant.id, clientId: info.multiTenantApp.appId });
  });
  after(async () => {
    for (const id of planted)
      await run('deleteCredential', { app: sandbox.info().multiTenantApp.objectId, credential: id, confirm: true }).catch(() => undefined);
  });

  it('finds nothing wrong on the seeded setup; a tenant the account cannot sign in to is "not checked"; no write', async () => {
    const info = sandbox.info();
    const mark = await sandbox.mark();
    const report = await run<TrustReport>('checkTrust', { app: info.multiTenantApp.appId, tenants: [info.homeTenant.id, info.customerTenant.id] });
    assert.deepEqual(problems(report), [], JSON.stringify(problems(report)));
    assert.deepEqual(codes(report.findings), ['credential.ok', 'tenant.ok', 'tenant.notChecked']);
    assert.equal(report.findings[2]!.subject.id, info.customerTenant.id);
    const writes = (await sandbox.requests(mark)).filter((r) => r.area === 'graph' && r.method !== 'GET' && !/\$batch$/.test(r.path));
    assert.deepEqual(writes, []);
    // The report is under the app, and the app is not marked.
    await vscode.commands.executeCommand('federatedCredentials.refresh');
    const app = (await api.views.appRegistrations.render(2)).find((n) => n.id === `app/${info.multiTenantApp.objectId}`);
    assert.ok(app, 'the app is listed');
    assert.doesNotMatch(app.description ?? '', /trust:/);
  });

  it('finds each planted credential mistake, marks the app, and shows the findings with their fixes under it', async () => {
    const info = sandbox.info();
    const homeIssuer = `${info.loginUrl}/${info.homeTenant.id}/v2.0`;
    const spare = info.spareIdentity.principalId;
    const uami = info.automationAccount.userAssigned.principalId;
    const ids = {
      case: await plant('planted-case', homeIssuer, spare.toUpperCase(), info.tokenExchangeAudience),
      tenant: await plant('planted-tenant', `${info.loginUrl}/${info.customerTenant.id}/v2.0`, uami, info.tokenExchangeAudience),
      space: await plant('planted-space', homeIssuer, ` ${spare}`, info.tokenExchangeAudience),
      audience: await plant('planted-audience', homeIssuer, spare, 'api://AzureADTokenExchangeUSGov'),
      dangling: await plant('planted-dangling', homeIssuer, '0b8f3c1e-4d5a-4b6c-9d7e-8f9a0b1c2d3e', info.tokenExchangeAudience),
    };
    const report = await run<TrustReport>('checkTrust', { app: info.multiTenantApp.objectId, tenants: [info.homeTenant.id] });
    const of = (id: string) => codes(problems(report).filter((f) => f.subject.id === id));
    assert.deepEqual(of(ids.case), ['credential.subjectCase']);
    assert.deepEqual(of(ids.tenant), ['credential.issuerTenant']);
    assert.deepEqual(of(ids.space), ['credential.whitespace']);
    assert.deepEqual(of(ids.audience), ['credential.audience']);
    assert.deepEqual(of(ids.dangling), ['credential.danglingIdentity']);
    assert.equal(report.problems, true);

    await vscode.commands.executeCommand('federatedCredentials.refresh');
    const app = (await api.views.appRegistrations.render(2)).find((n) => n.id === `app/${info.multiTenantApp.objectId}`);
    assert.match(app?.description ?? '', /trust: 5 error\(s\)/);
    assert.equal(app?.icon, 'error');
    const group = app?.children?.find((c) => c.id.endsWith('/trust'));
    assert.ok(group, `a Trust check node: ${JSON.stringify(app?.children?.map((c) => c.label))}`);
    const fixable = group.children?.filter((c) => /\bfixable\b/.test(c.contextValue ?? '')) ?? [];
    // Each mistake but the other tenant's issuer (its identity is the app tenant's: the issuer fix applies too) has a fix.
    assert.equal(fixable.length, 5, JSON.stringify(group.children?.map((c) => [c.label, c.contextValue])));
    assert.match(group.children?.[0]?.tooltip ?? '', /Why: /);

    // A fix applied through its command: the dangling credential goes, and the check no longer finds it.
    const dangling = report.findings.find((f) => f.code === 'credential.danglingIdentity')!;
    await runFix(dangling.fix!, { confirm: true });
    planted.splice(planted.indexOf(ids.dangling), 1);
    const again = await run<TrustReport>('checkTrust', { app: info.multiTenantApp.objectId, tenants: [info.homeTenant.id] });
    assert.ok(!codes(again.findings).includes('credential.danglingIdentity'));
  });

  it('finds missing consent (a new app) and a permission not granted, with Copy Admin-Consent URL', async () => {
    const info = sandbox.info();
    const created = await run<{ id: string; appId: string }>('createAppRegistration', {
      displayName: `check-trust-${Date.now()}`,
      permissions: ['User.Read.All'],
    });
    const fresh = await run<TrustReport>('checkTrust', { app: created.id, tenants: [info.homeTenant.id] });
    const [consent] = problems(fresh);
    assert.equal(consent?.code, 'tenant.notConsented');
    assert.equal(consent.fix?.command, 'federatedCredentials.copyConsentUrl');
    const url = await runFix<string>(consent.fix!);
    assert.match(url, new RegExp(`/${info.homeTenant.id}/adminconsent\\?client_id=${created.appId}`));

    await run('addApiPermission', { app: info.multiTenantApp.objectId, permissions: ['Group.Read.All'] });
    const report = await run<TrustReport>('checkTrust', { app: info.multiTenantApp.objectId, tenants: [info.homeTenant.id] });
    const missing = problems(report).find((f) => f.code === 'tenant.permissionNotGranted');
    assert.match(missing?.message ?? '', /Group\.Read\.All is requested/);
  });

  it('refuses bad arguments with clear messages and sends nothing', async () => {
    const info = sandbox.info();
    const mark = await sandbox.mark();
    const app = info.multiTenantApp.objectId;
    await assert.rejects(run('checkTrust', {}), /Pass "app"/);
    await assert.rejects(run('checkTrust', { app: 'not-a-guid' }), /"app" must be the app registration's object id or application \(client\) id, a GUID/);
    await assert.rejects(run('checkTrust', { app, tenants: 'fabrikam.onmicrosoft.com' }), /Argument "tenants" must be a list of strings/);
    await assert.rejects(run('checkTrust', { app, tenants: ['common'] }), /"tenants": Tenant "common" cannot be used/);
    await assert.rejects(run('checkTrust', { app, tenants: ['organizations'] }), /"organizations" is not one tenant/);
    await assert.rejects(run('checkTrust', { app, tenant: info.customerTenant.id }), /Unknown argument "tenant"; this command takes app, tenants/);
    await assert.rejects(run('checkTrust', { app: '0b8f3c1e-4d5a-4b6c-9d7e-8f9a0b1c2d3e' }), /No app registration with object id or application id/);
    const writes = (await sandbox.requests(mark)).filter((r) => r.method !== 'GET' && !/\$batch$/.test(r.path) && r.area !== 'login');
    assert.deepEqual(writes, []);
  });
});
