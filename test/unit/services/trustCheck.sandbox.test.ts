// Check Trust's service (src/services/trustCheck.ts) with the real GraphDirectory against an in-process
// sandbox: the seeded multi-tenant app trusting the Automation account's identity, read in the home tenant
// (the confidential client) and in the customer tenant (its admin's sign-in). Mistakes are planted through
// Graph, consent is granted as an admin would, and what the check reads is counted.
import assert from 'node:assert/strict';
import { UsernamePasswordCredential } from '@azure/identity';
import { entraIssuer, resolveCloud, type Cloud } from '../../../src/domain/clouds';
import { MICROSOFT_GRAPH_APP_ID } from '../../../src/domain/graphPermissions';
import { isProblem, type TrustFinding } from '../../../src/domain/trustCheck';
import { GraphDirectory } from '../../../src/graph/directory';
import { createGraphClient } from '../../../src/graph/graphClient';
import { CredentialWriteLog, runTrustCheck, type TenantAccess, type TrustCheckSources } from '../../../src/services/trustCheck';
import { grantAdminConsent } from '../../../sandbox/entra/pages';
import { sandboxGraph, useSandbox } from '../../support/sandboxSuite';

const GROUP_READ_ALL = '5b567255-7703-4780-807c-7be8301ae99b';

describe('Check Trust against the sandbox (service)', function () {
  this.timeout(30_000);
  const f = useSandbox({ seed: 1616, size: { apps: 6, appsWithCredentials: 1, managedIdentities: 1, customerApps: 1 } });
  let home: GraphDirectory;
  let customer: GraphDirectory;
  let cloud: Cloud;
  let writes: CredentialWriteLog;
  const access: string[] = [];

  const sources = (overrides: Partial<TrustCheckSources> = {}): TrustCheckSources => ({
    directory: home,
    cloud,
    tenantId: f.sandbox.info.homeTenant.id,
    tenantAccess: async (tenant): Promise<TenantAccess> => {
      access.push(tenant);
      const c = f.sandbox.info.customerTenant;
      return tenant === c.id || tenant === c.domain ? { directory: customer } : { unreadable: 'no sign-in for it.' };
    },
    graphAppRoles: async () => (await home.servicePrincipals.microsoftGraph()).appRoles,
    writes,
    ...overrides,
  });
  const app = () => f.sandbox.core.state.applications.get(f.sandbox.info.multiTenantApp.objectId)!;
  const problems = (findings: readonly TrustFinding[]) => findings.filter(isProblem);
  const graphRequests = (since: number) => f.sandbox.requests(since).filter((r) => r.area === 'graph');
  /** Requests sent over the wire: the log also has each item of a `$batch` as a request of its own. */
  const sent = (since: number) => {
    const all = graphRequests(since);
    const items = all.filter((r) => /\$batch$/.test(r.path)).reduce((n, r) => n + ((r.body as { requests?: unknown[] }).requests?.length ?? 0), 0);
    return all.length - items;
  };

  before(() => {
    const { info } = f.sandbox;
    cloud = resolveCloud('Custom', info.customCloud);
    ({ directory: home } = sandboxGraph(f.sandbox));
    const admin = info.admins.customer;
    const credential = new UsernamePasswordCredential(info.customerTenant.id, info.publicClientId, admin.username, admin.password, {
      authorityHost: info.loginUrl,
      disableInstanceDiscovery: true,
    });
    const client = createGraphClient({ credential, baseUrl: info.graphUrl, scopes: [`${info.graphUrl}/.default`] });
    customer = new GraphDirectory({ read: async () => client, write: async () => client });
  });
  beforeEach(() => {
    writes = new CredentialWriteLog();
    access.length = 0;
  });

  it('before consent: the credential is right and the customer tenant is not consented (with its consent URL), within the request bound and no write', async () => {
    const { info } = f.sandbox;
    const mark = f.sandbox.core.log.last;
    const report = await runTrustCheck(sources(), info.multiTenantApp.appId, [info.customerTenant.id]);
    assert.deepEqual(
      problems(report.findings).map((x) => x.code),
      ['tenant.notConsented'],
    );
    assert.deepEqual(problems(report.findings)[0]!.fix, {
      command: 'federatedCredentials.copyConsentUrl',
      arguments: { app: info.multiTenantApp.objectId, tenant: info.customerTenant.id },
      title: 'Copy Admin-Consent URL',
    });
    assert.ok(report.findings.some((x) => x.code === 'credential.ok' && x.message.includes(info.automationAccount.userAssigned.name)));
    assert.equal(report.app.id, info.multiTenantApp.objectId);
    const requests = graphRequests(mark);
    // By application id: 2 for the app, 1 credentials, 1 $batch of identities, 1 Graph roles; the customer tenant: 1 $batch (no service principal there).
    assert.equal(sent(mark), 6, requests.map((r) => `${r.method} ${r.path}`).join(', '));
    assert.deepEqual(
      requests.filter((r) => r.method !== 'GET' && !/\$batch$/.test(r.path)),
      [],
    );
    assert.ok(!requests.some((r) => /\/applications$/.test(r.path) && r.query.$filter === undefined), 'no list of every app');
  });

  it('after consent in the customer tenant: nothing wrong; a permission added since is "not granted" there', async () => {
    const { info } = f.sandbox;
    const { state } = f.sandbox.core;
    grantAdminConsent(f.sandbox.core, state.tenants.get(info.customerTenant.id)!, app());
    const ok = await runTrustCheck(sources(), info.multiTenantApp.objectId, [info.customerTenant.id]);
    assert.deepEqual(problems(ok.findings), []);
    assert.deepEqual(
      ok.findings.map((x) => x.code),
      ['credential.ok', 'tenant.ok'],
    );
    assert.equal(ok.problems, false);

    const graph = app().requiredResourceAccess.find((r) => r.resourceAppId === MICROSOFT_GRAPH_APP_ID)!;
    await home.apps.updateApp(info.multiTenantApp.objectId, {
      requiredResourceAccess: [{ ...graph, resourceAccess: [...graph.resourceAccess, { id: GROUP_READ_ALL, type: 'Role' }] }],
    });
    const missing = await runTrustCheck(sources(), info.multiTenantApp.objectId, [info.customerTenant.domain]);
    const [finding] = problems(missing.findings);
    assert.equal(finding?.code, 'tenant.permissionNotGranted');
    assert.match(finding.message, /Group\.Read\.All is requested/);
    // Given as a domain, the consent URL names the tenant's id, read from the tenant itself.
    assert.equal(finding.fix?.arguments.tenant, info.customerTenant.id);
  });

  it('finds each planted credential mistake, and says "may still be propagating" of one this session wrote', async () => {
    const { info } = f.sandbox;
    const uami = info.automationAccount.userAssigned.principalId;
    const spare = info.spareIdentity.principalId;
    const homeIssuer = entraIssuer(cloud, info.homeTenant.id);
    const other = [...f.sandbox.core.state.servicePrincipals.values()].find(
      (sp) => sp.servicePrincipalType === 'ManagedIdentity' && sp.tenantId === info.homeTenant.id && sp.id !== uami && sp.id !== spare,
    )!.id;
    const created: Array<{ id: string }> = [];
    const plant = async (name: string, issuer: string, subject: string, audience = cloud.tokenExchangeAudience) => {
      const c = await home.apps.createCredential(info.multiTenantApp.objectId, { name, issuer, subject, audiences: [audience] });
      created.push(c);
      return c;
    };
    try {
      const planted = {
        case: await plant('upper-case', homeIssuer, spare.toUpperCase()),
        tenant: await plant('customer-issuer', entraIssuer(cloud, info.customerTenant.id), uami),
        space: await plant('trailing-space', `${homeIssuer} `, spare),
        audience: await plant('china-audience', homeIssuer, other, 'api://AzureADTokenExchangeChina'),
        dangling: await plant('dangling', homeIssuer, '0b8f3c1e-4d5a-4b6c-9d7e-8f9a0b1c2d3e'),
        young: await plant('young', homeIssuer, spare),
      };
      writes.record(planted.young.id);
      const report = await runTrustCheck(sources(), info.multiTenantApp.objectId, []);
      const byCredential = (id: string) =>
        problems(report.findings)
          .filter((x) => x.subject.kind === 'credential' && x.subject.id === id)
          .map((x) => x.code);
      assert.deepEqual(byCredential(planted.case.id), ['credential.subjectCase']);
      assert.deepEqual(byCredential(planted.tenant.id), ['credential.issuerTenant']);
      assert.deepEqual(byCredential(planted.space.id), ['credential.whitespace']);
      assert.deepEqual(byCredential(planted.audience.id), ['credential.audience']);
      assert.deepEqual(byCredential(planted.dangling.id), ['credential.danglingIdentity']);
      assert.deepEqual(byCredential(planted.young.id), ['credential.propagating']);
    } finally {
      for (const c of created) await home.apps.deleteCredential(info.multiTenantApp.objectId, c.id);
    }
  });

  it('a tenant the account cannot read is "not checked", costs no Graph request, and the rest is still checked', async () => {
    const mark = f.sandbox.core.log.last;
    const report = await runTrustCheck(sources(), f.sandbox.info.multiTenantApp.objectId, ['northwind.example', 'b1a2c3d4-0000-4000-8000-000000000001']);
    assert.deepEqual(
      report.findings.filter((x) => x.code === 'tenant.notChecked').map((x) => x.subject.id),
      ['northwind.example', 'b1a2c3d4-0000-4000-8000-000000000001'],
    );
    assert.deepEqual(problems(report.findings), []);
    // The app, its credentials, the identities' $batch, Graph's roles: nothing for the two tenants.
    assert.equal(sent(mark), 4);
    // A sign-in attempt that throws is "not checked" too, with its reason.
    const thrown = await runTrustCheck(
      sources({
        tenantAccess: async () => {
          throw new Error('AADSTS50020: user does not exist in tenant');
        },
      }),
      f.sandbox.info.multiTenantApp.objectId,
      [f.sandbox.info.customerTenant.id],
    );
    assert.match(thrown.findings.find((x) => x.code === 'tenant.notChecked')?.message ?? '', /AADSTS50020/);
    // Signed in there, but Graph does not answer (down, throttled, no network): that tenant is "not checked", the others are still checked.
    const silent = { servicePrincipals: { consentState: async () => Promise.reject(new Error('socket hang up')) } } as unknown as GraphDirectory;
    const down = await runTrustCheck(
      sources({ tenantAccess: async (tenant) => (tenant === 'northwind.example' ? { directory: silent } : { directory: customer }) }),
      f.sandbox.info.multiTenantApp.objectId,
      ['northwind.example', f.sandbox.info.customerTenant.id],
    );
    assert.match(
      down.findings.find((x) => x.code === 'tenant.notChecked' && x.subject.id === 'northwind.example')?.message ?? '',
      /did not answer \(socket hang up\)/,
    );
    assert.ok(
      down.findings.some((x) => x.subject.id === f.sandbox.info.customerTenant.id && x.code !== 'tenant.notChecked'),
      'the customer tenant was still checked',
    );
  });

  it('the home tenant is read with the signed-in directory, without another sign-in', async () => {
    const { info } = f.sandbox;
    const report = await runTrustCheck(sources(), info.multiTenantApp.objectId, [info.homeTenant.id]);
    assert.deepEqual(access, []);
    // The seeded app's service principal in its home tenant has no app roles granted.
    assert.deepEqual(
      problems(report.findings).map((x) => x.code),
      ['tenant.permissionNotGranted'],
    );
  });

  it('refuses bad target tenants and unknown apps with clear messages, before reading any tenant', async () => {
    const mark = f.sandbox.core.log.last;
    await assert.rejects(runTrustCheck(sources(), f.sandbox.info.multiTenantApp.objectId, ['common']), /"tenants": Tenant "common" cannot be used/);
    await assert.rejects(runTrustCheck(sources(), f.sandbox.info.multiTenantApp.objectId, ['organizations']), /"organizations" is not one tenant/);
    await assert.rejects(runTrustCheck(sources(), f.sandbox.info.multiTenantApp.objectId, ['admin@contoso.com']), /not an email address/);
    assert.equal(graphRequests(mark).length, 0);
    await assert.rejects(runTrustCheck(sources(), '0b8f3c1e-4d5a-4b6c-9d7e-8f9a0b1c2d3e', []), /No app registration with object id or application id/);
  });
});
