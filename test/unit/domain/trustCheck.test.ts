// Check Trust's judgement (src/domain/trustCheck.ts) on plain data: each planted mistake is found, with
// its reason and fix, and a correct setup gives nothing but "ok".
import assert from 'node:assert/strict';
import { AZURE_CHINA_CLOUD, AZURE_CLOUD, entraIssuer } from '../../../src/domain/clouds';
import type { IdentityLookup } from '../../../src/domain/credentialRules';
import { MICROSOFT_GRAPH_APP_ID } from '../../../src/domain/graphPermissions';
import type { FederatedCredential } from '../../../src/domain/model';
import {
  checkTrust,
  isProblem,
  PROPAGATION_WINDOW_MS,
  summarize,
  type TenantReading,
  type TrustApp,
  type TrustCheckInput,
  type TrustFinding,
} from '../../../src/domain/trustCheck';

const HOME = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const CUSTOMER = '0d5a7f0e-8f1c-4a43-9f43-7d2f7c9c1d11';
const MI = 'a7d388c3-5e3f-4959-ac7d-786b3383006a';
const USER_READ_ALL = 'df021288-bdef-4463-88db-98f22de89214';
const GROUP_READ_ALL = '5b567255-7703-4780-807c-7be8301ae99b';

const app: TrustApp = {
  id: '11111111-1111-4111-8111-111111111111',
  appId: '22222222-2222-4222-8222-222222222222',
  displayName: 'Contoso Reporter',
  signInAudience: 'AzureADMultipleOrgs',
  requiredResourceAccess: [{ resourceAppId: MICROSOFT_GRAPH_APP_ID, resourceAccess: [{ id: USER_READ_ALL, type: 'Role' }] }],
};

const credential = (overrides: Partial<FederatedCredential> = {}): FederatedCredential => ({
  id: '33333333-3333-4333-8333-333333333333',
  name: 'automation-uami',
  issuer: entraIssuer(AZURE_CLOUD, HOME),
  subject: MI,
  audiences: ['api://AzureADTokenExchange'],
  ...overrides,
});

const identity: IdentityLookup = {
  id: MI,
  servicePrincipalType: 'ManagedIdentity',
  alternativeNames: ['isExplicit=True', '/subscriptions/x/resourcegroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/uami'],
  displayName: 'uami-automation',
};

const consented: TenantReading = { tenant: CUSTOMER, readable: true, tenantId: CUSTOMER, servicePrincipal: { id: 'sp' }, grantedGraphRoleIds: [USER_READ_ALL] };

function input(overrides: Partial<TrustCheckInput> = {}): TrustCheckInput {
  return {
    cloud: AZURE_CLOUD,
    appTenantId: HOME,
    app,
    credentials: [credential()],
    identities: new Map([[MI, identity]]),
    tenants: [consented],
    now: 1_000_000_000,
    ...overrides,
  };
}

const problems = (findings: readonly TrustFinding[]) => findings.filter(isProblem);
const only = (findings: readonly TrustFinding[], code: string): TrustFinding => {
  const found = problems(findings);
  assert.deepEqual(
    found.map((f) => f.code),
    [code],
    `expected only ${code}: ${JSON.stringify(found.map((f) => f.message))}`,
  );
  return found[0]!;
};

describe('Check Trust: the checks (domain)', () => {
  it('finds nothing wrong on a correct setup, and says what it checked', () => {
    const findings = checkTrust(input());
    assert.deepEqual(problems(findings), []);
    assert.deepEqual(
      findings.map((f) => f.code),
      ['credential.ok', 'tenant.ok'],
    );
    assert.deepEqual(summarize(findings), { error: 0, warning: 0, info: 0, ok: 2 });
  });

  it('a subject in the wrong letter case: AADSTS700213, fixed by writing it in lower case', () => {
    const f = only(checkTrust(input({ credentials: [credential({ subject: MI.toUpperCase() })] })), 'credential.subjectCase');
    assert.equal(f.severity, 'error');
    assert.match(f.why, /AADSTS700213/);
    assert.deepEqual(f.fix, {
      command: 'federatedCredentials.editCredential',
      arguments: { app: app.id, credential: credential().id, subject: MI },
      title: 'Write the subject in lower case',
    });
  });

  it("an issuer of another tenant: AADSTS700236; the fix sets the app's tenant when the identity is the app tenant's", () => {
    const f = only(checkTrust(input({ credentials: [credential({ issuer: entraIssuer(AZURE_CLOUD, CUSTOMER) })] })), 'credential.issuerTenant');
    assert.match(f.why, /AADSTS700236/);
    assert.equal(f.fix?.arguments.issuer, entraIssuer(AZURE_CLOUD, HOME));
    // The identity is not in the app's tenant either: no edit here helps, and it is said as well.
    const elsewhere = checkTrust(input({ credentials: [credential({ issuer: entraIssuer(AZURE_CLOUD, CUSTOMER) })], identities: new Map([[MI, null]]) }));
    const codes = problems(elsewhere).map((x) => x.code);
    assert.deepEqual(codes, ['credential.issuerTenant', 'credential.danglingIdentity']);
    assert.equal(problems(elsewhere)[0]!.fix, undefined);
  });

  it('leading or trailing whitespace in the issuer, the subject or the audience: one finding, the fix trims them', () => {
    const spaced = credential({ issuer: ` ${entraIssuer(AZURE_CLOUD, HOME)}`, subject: `${MI} `, audiences: ['api://AzureADTokenExchange\t'] });
    const f = only(checkTrust(input({ credentials: [spaced] })), 'credential.whitespace');
    assert.match(f.message, /issuer, subject, audience start or end with whitespace/);
    assert.deepEqual(f.fix?.arguments, {
      app: app.id,
      credential: spaced.id,
      issuer: entraIssuer(AZURE_CLOUD, HOME),
      subject: MI,
      audience: 'api://AzureADTokenExchange',
    });
    assert.equal(only(checkTrust(input({ credentials: [credential({ subject: `\u00a0${MI}` })] })), 'credential.whitespace').fix?.arguments.subject, MI);
  });

  it("another cloud's audience: AADSTS700212, fixed with this cloud's", () => {
    const f = only(checkTrust(input({ credentials: [credential({ audiences: [AZURE_CHINA_CLOUD.tokenExchangeAudience] })] })), 'credential.audience');
    assert.match(f.why, /AADSTS700212/);
    assert.equal(f.fix?.arguments.audience, 'api://AzureADTokenExchange');
  });

  it("an issuer of another cloud or not in Entra's exact form: AADSTS700211", () => {
    only(checkTrust(input({ credentials: [credential({ issuer: entraIssuer(AZURE_CHINA_CLOUD, HOME) })] })), 'credential.issuer');
    const v1 = only(checkTrust(input({ credentials: [credential({ issuer: `https://sts.windows.net/${HOME}/` })] })), 'credential.issuer');
    assert.match(v1.why, /AADSTS700211/);
    assert.equal(v1.fix?.arguments.issuer, entraIssuer(AZURE_CLOUD, HOME));
  });

  it('a dangling identity (no longer exists): the fix deletes the credential', () => {
    const f = only(checkTrust(input({ identities: new Map([[MI, null]]) })), 'credential.danglingIdentity');
    assert.match(f.message, /does not exist in the app's tenant/);
    assert.deepEqual(f.fix, {
      command: 'federatedCredentials.deleteCredential',
      arguments: { app: app.id, credential: credential().id },
      title: 'Delete the credential',
    });
  });

  it('a subject that is no managed identity, or a system-assigned one', () => {
    only(checkTrust(input({ identities: new Map([[MI, { ...identity, servicePrincipalType: 'Application' }]]) })), 'credential.notManagedIdentity');
    const f = only(checkTrust(input({ identities: new Map([[MI, { ...identity, alternativeNames: ['isExplicit=False'] }]]) })), 'credential.systemAssigned');
    assert.equal(f.severity, 'warning');
  });

  it('a credential of another kind (GitHub) or a flexible one is not judged as a managed identity', () => {
    const github = credential({ issuer: 'https://token.actions.githubusercontent.com', subject: 'repo:contoso/app:ref:refs/heads/main' });
    assert.deepEqual(problems(checkTrust(input({ credentials: [github] }))), []);
  });

  it('a credential written from VS Code minutes ago may still be propagating; older ones not', () => {
    const now = 1_000_000_000;
    const young = checkTrust(input({ writtenAt: new Map([[credential().id, now - 30_000]]), now }));
    const f = only(young, 'credential.propagating');
    assert.match(f.why, /AADSTS70021/);
    assert.match(f.message, /30 s ago/);
    assert.deepEqual(problems(checkTrust(input({ writtenAt: new Map([[credential().id, now - PROPAGATION_WINDOW_MS - 1]]), now }))), []);
  });

  it('missing consent in a target tenant: AADSTS700016, with Copy Admin-Consent URL for that tenant', () => {
    const f = only(
      checkTrust(input({ tenants: [{ tenant: CUSTOMER, readable: true, tenantId: CUSTOMER, servicePrincipal: null, grantedGraphRoleIds: [] }] })),
      'tenant.notConsented',
    );
    assert.match(f.why, /AADSTS700016/);
    assert.deepEqual(f.fix, { command: 'federatedCredentials.copyConsentUrl', arguments: { app: app.id, tenant: CUSTOMER }, title: 'Copy Admin-Consent URL' });
    assert.deepEqual(f.subject, { kind: 'tenant', id: CUSTOMER, name: CUSTOMER });
  });

  it("a requested permission not granted in a target tenant, named from Graph's roles: 403, with the consent URL", () => {
    const withGroups: TrustApp = {
      ...app,
      requiredResourceAccess: [
        {
          resourceAppId: MICROSOFT_GRAPH_APP_ID,
          resourceAccess: [
            { id: USER_READ_ALL, type: 'Role' },
            { id: GROUP_READ_ALL, type: 'Role' },
            { id: 'e1fe6dd8-ba31-4d61-89e7-88639da4683d', type: 'Scope' },
          ],
        },
      ],
    };
    const f = only(checkTrust(input({ app: withGroups, graphAppRoles: [{ id: GROUP_READ_ALL, value: 'Group.Read.All' }] })), 'tenant.permissionNotGranted');
    assert.match(f.message, /Group\.Read\.All is requested/);
    assert.match(f.why, /403 Authorization_RequestDenied/);
    assert.equal(f.fix?.command, 'federatedCredentials.copyConsentUrl');
  });

  it('no Graph application permission requested, or none the runbooks need: the fix adds User.Read.All', () => {
    const none = only(checkTrust(input({ app: { ...app, requiredResourceAccess: [] }, tenants: [] })), 'app.noGraphPermission');
    assert.deepEqual(none.fix, {
      command: 'federatedCredentials.addApiPermission',
      arguments: { app: app.id, permissions: ['User.Read.All'] },
      title: 'Add User.Read.All',
    });
    const groupsOnly: TrustApp = {
      ...app,
      requiredResourceAccess: [{ resourceAppId: MICROSOFT_GRAPH_APP_ID, resourceAccess: [{ id: GROUP_READ_ALL, type: 'Role' }] }],
    };
    const f = only(
      checkTrust(input({ app: groupsOnly, tenants: [], graphAppRoles: [{ id: GROUP_READ_ALL, value: 'Group.Read.All' }] })),
      'app.runbookPermission',
    );
    assert.equal(f.severity, 'warning');
    assert.match(f.message, /requests Group\.Read\.All but none that reads users/);
  });

  it('a single-tenant app with other tenants named: said once on the app, not again per tenant', () => {
    const single = { ...app, signInAudience: 'AzureADMyOrg' };
    const unconsented: TenantReading = { tenant: CUSTOMER, readable: true, tenantId: CUSTOMER, servicePrincipal: null, grantedGraphRoleIds: [] };
    const f = only(checkTrust(input({ app: single, tenants: [unconsented] })), 'app.singleTenant');
    assert.match(f.why, /AADSTS700016/);
    // Only its own tenant named: a single-tenant app is fine.
    const own: TenantReading = { tenant: HOME, readable: true, tenantId: HOME, servicePrincipal: { id: 'sp' }, grantedGraphRoleIds: [USER_READ_ALL] };
    assert.deepEqual(problems(checkTrust(input({ app: single, tenants: [own] }))), []);
  });

  it('the 20-credential limit: at 20 a warning, past it an error', () => {
    const many = (n: number) =>
      Array.from({ length: n }, (_, i) =>
        credential({ id: `c${i}`, name: `github-${i}`, issuer: 'https://token.actions.githubusercontent.com', subject: `repo:o/r${i}:ref:refs/heads/main` }),
      );
    assert.equal(only(checkTrust(input({ credentials: many(20) })), 'app.credentialLimit').severity, 'warning');
    assert.equal(only(checkTrust(input({ credentials: many(21) })), 'app.credentialLimit').severity, 'error');
    assert.deepEqual(problems(checkTrust(input({ credentials: many(19) }))), []);
  });

  it('a tenant that cannot be read is "not checked" (info), not a failure', () => {
    const findings = checkTrust(input({ tenants: [{ tenant: 'fabrikam.onmicrosoft.com', readable: false, reason: 'no sign-in for it.' }] }));
    assert.deepEqual(problems(findings), []);
    const f = findings.find((x) => x.code === 'tenant.notChecked');
    assert.equal(f?.severity, 'info');
    assert.match(f?.message ?? '', /fabrikam\.onmicrosoft\.com was not checked: no sign-in for it\./);
  });

  it('an identity that was not looked up (Graph did not answer) is not called dangling', () => {
    assert.deepEqual(problems(checkTrust(input({ identities: new Map() }))), []);
  });
});
