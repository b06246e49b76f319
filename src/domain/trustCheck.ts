// Check Trust: everything that decides whether a runbook's managed identity gets a token for a target
// tenant through an app, read from plain data and judged in one place. Per finding: what is wrong, why
// the token exchange (or the Graph call after it) will fail, and the fix as a command with its
// arguments. The checks reuse the rules the writes use (checkManagedIdentityTrust, classifyCredential,
// isMultiTenant, FIC_LIMITS), so a credential the extension would refuse to write is the credential
// this reports. No I/O, no `vscode`: the data comes from src/services/trustCheck.ts.
import { BUILT_IN_CLOUDS, classifyIssuer, entraIssuer, type Cloud } from './clouds';
import { classifyCredential } from './credentialKinds';
import { checkAppIsMultiTenant, checkManagedIdentityTrust, FIC_LIMITS, type IdentityLookup } from './credentialRules';
import { MICROSOFT_GRAPH_APP_ID, type AppRole, type RequiredResourceAccess } from './graphPermissions';
import { isMultiTenant, type FederatedCredential } from './model';
import { hasSurroundingWhitespace, isGuid, quote } from './text';
import type { Finding } from './validation';

export type TrustSeverity = 'error' | 'warning' | 'info' | 'ok';

/** A command that fixes the finding, with the arguments object that runs it without prompts. */
export interface TrustFix {
  readonly command: string;
  readonly arguments: Readonly<Record<string, unknown>>;
  readonly title: string;
}

/** What a finding is about: the app, one of its credentials, or a target tenant. */
export interface TrustSubject {
  readonly kind: 'app' | 'credential' | 'tenant';
  /** Object id of the app or the credential; the tenant as given (id or domain). */
  readonly id: string;
  readonly name: string;
}

export interface TrustFinding {
  readonly severity: TrustSeverity;
  /** Stable machine-readable code, e.g. `credential.subjectCase`. */
  readonly code: string;
  readonly subject: TrustSubject;
  /** What is wrong (or right), in one sentence. */
  readonly message: string;
  /** Why it will fail, naming the error the user will see. */
  readonly why: string;
  readonly fix?: TrustFix;
}

export interface TrustApp {
  readonly id: string;
  readonly appId: string;
  readonly displayName: string;
  readonly signInAudience: string;
  readonly requiredResourceAccess?: readonly RequiredResourceAccess[] | null;
}

/** What could be read of one target tenant. */
export type TenantReading =
  | {
      readonly tenant: string;
      readonly readable: false;
      /** Why it could not be read, in plain words. */
      readonly reason: string;
      /** The tenant's id when known (given as a GUID). */
      readonly tenantId?: string;
    }
  | {
      readonly tenant: string;
      readonly readable: true;
      readonly tenantId: string;
      /** The app's service principal there, or null when it has none (nobody consented). */
      readonly servicePrincipal: { readonly id: string } | null;
      /** Ids of Microsoft Graph's app roles granted to that service principal (its appRoleAssignments to Graph). */
      readonly grantedGraphRoleIds: readonly string[];
    };

export interface TrustCheckInput {
  readonly cloud: Cloud;
  /** The tenant the app is registered in (the signed-in tenant): its managed identities are the only ones it can trust. */
  readonly appTenantId: string;
  readonly app: TrustApp;
  readonly credentials: readonly FederatedCredential[];
  /**
   * The identities the managed-identity credentials name, looked up in the app's tenant by object id
   * (lower case): the service principal, `null` when there is none. A subject not in the map was not looked up.
   */
  readonly identities: ReadonlyMap<string, IdentityLookup | null>;
  /** Microsoft Graph's app roles, to name permission ids (optional: ids are shown without it). */
  readonly graphAppRoles?: readonly AppRole[];
  readonly tenants: readonly TenantReading[];
  /** When this VS Code session wrote a credential (by credential id), in ms since the epoch. */
  readonly writtenAt?: ReadonlyMap<string, number>;
  readonly now?: number;
}

/** A credential written this long ago or less "may still be propagating" (Entra says "a few minutes"). */
export const PROPAGATION_WINDOW_MS = 5 * 60_000;

/**
 * Graph application permissions with which the generated runbooks' call (`GET /users`, src/runbooks/)
 * succeeds: User.Read.All or a wider one (microsoft-graph-docs-contrib user-list.md, least privileged first).
 * Ids are Microsoft Graph's, the same in every tenant.
 */
export const RUNBOOK_GRAPH_PERMISSIONS: Readonly<Record<string, string>> = {
  'df021288-bdef-4463-88db-98f22de89214': 'User.Read.All',
  '741f803b-c850-494e-b5df-cde7c675a1ca': 'User.ReadWrite.All',
  '7ab1d382-f21e-4acd-a863-ba3e13f7da61': 'Directory.Read.All',
  '19dbc75e-c2e2-444c-a770-ec69d8559fc7': 'Directory.ReadWrite.All',
};

const lower = (s: string) => s.toLowerCase();

/** The Microsoft Graph application permissions (app role ids, lower case) the app requests. */
export function requestedGraphRoleIds(app: TrustApp): string[] {
  const ids = (app.requiredResourceAccess ?? [])
    .filter((r) => lower(r.resourceAppId) === MICROSOFT_GRAPH_APP_ID)
    .flatMap((r) => r.resourceAccess.filter((a) => a.type === 'Role').map((a) => lower(a.id)));
  return [...new Set(ids)];
}

function roleName(id: string, roles: readonly AppRole[] | undefined): string {
  return roles?.find((r) => lower(r.id) === id)?.value ?? RUNBOOK_GRAPH_PERMISSIONS[id] ?? id;
}

/** Every check, in report order: the credentials, the app, then each target tenant. */
export function checkTrust(input: TrustCheckInput): TrustFinding[] {
  return [...input.credentials.flatMap((c) => checkCredential(input, c)), ...checkApp(input), ...input.tenants.flatMap((t) => checkTenant(input, t))];
}

/** True when a finding is a problem (the App Registrations view marks the app). */
export function isProblem(finding: Pick<TrustFinding, 'severity'>): boolean {
  return finding.severity === 'error' || finding.severity === 'warning';
}

// --- credentials

const WHY = {
  issuer: (expected: string) =>
    `A managed identity's token carries the issuer ${quote(expected, 120)} and Entra compares it with the credential's issuer exactly, so the exchange fails with AADSTS700211 (no matching federated identity record for the assertion issuer).`,
  otherTenant:
    "A managed identity can be trusted only by an app registered in its own tenant; Entra refuses the assertion with AADSTS700236. Trust the identity from a multi-tenant app of the identity's tenant, and let the customer tenants consent to that app.",
  audience: (cloud: Cloud) =>
    `The managed identity asks for a token for ${quote(cloud.tokenExchangeAudience)}; Entra refuses an assertion whose audience is not the credential's (AADSTS700212).`,
  subjectCase:
    "Entra matches the subject case-sensitively (since February 2025) and a managed identity's token carries its object id in lower case, so the exchange fails with AADSTS700213 (no matching federated identity record for the assertion subject).",
  subject: 'The subject must be the managed identity\'s object (principal) id, which its token carries as "sub"; anything else never matches (AADSTS700213).',
  whitespace:
    'Entra accepts leading and trailing whitespace when the credential is written but compares the values exactly, so no token ever matches (AADSTS700211, 700212 or 700213).',
  dangling:
    'No token can carry this subject any more: the identity was deleted (or re-created with a new object id). The credential only counts against the 20-credential limit.',
  notManagedIdentity:
    "Only a managed identity's token from this issuer carries its object id as subject: this object is another kind of service principal, so no managed-identity token matches.",
  systemAssigned:
    'Microsoft documents only user-assigned identities as supported for trusting an app; a system-assigned identity may work today and stop later.',
};

function credentialSubject(c: FederatedCredential): TrustSubject {
  return { kind: 'credential', id: c.id, name: c.name };
}

function editFix(app: TrustApp, c: FederatedCredential, change: Record<string, string>, title: string): TrustFix {
  return { command: 'federatedCredentials.editCredential', arguments: { app: app.id, credential: c.id, ...change }, title };
}

/** A credential is judged as a managed identity's when its issuer (trimmed) is an Entra issuer of a known cloud. */
function isManagedIdentityCredential(c: FederatedCredential, cloud: Cloud): boolean {
  if (c.claimsMatchingExpression) return false;
  return classifyCredential({ issuer: c.issuer.trim(), subject: (c.subject ?? '').trim() }, knownClouds(cloud)).kind === 'managedIdentity';
}

/** The built-in clouds and the configured one (a custom cloud's issuers are Entra issuers too). */
function knownClouds(cloud: Cloud): Cloud[] {
  return [...BUILT_IN_CLOUDS.filter((b) => b.name !== cloud.name), cloud];
}

function checkCredential(input: TrustCheckInput, c: FederatedCredential): TrustFinding[] {
  const { cloud, app, appTenantId } = input;
  const subject = credentialSubject(c);
  const findings: TrustFinding[] = [];
  const now = input.now ?? Date.now();
  const written = input.writtenAt?.get(c.id);
  if (written !== undefined && now - written < PROPAGATION_WINDOW_MS) {
    const seconds = Math.max(0, Math.round((now - written) / 1000));
    findings.push({
      severity: 'warning',
      code: 'credential.propagating',
      subject,
      message: `Credential ${quote(c.name)} was written from VS Code ${seconds} s ago and may still be propagating.`,
      why: 'Entra can take a few minutes to apply a new or changed federated credential; until then the exchange fails with AADSTS70021 (no matching federated identity record). Wait and try again. (Graph gives no creation time for a credential: only writes made in this VS Code session are known.)',
    });
  }
  if (!isManagedIdentityCredential(c, cloud)) return findings;

  // Whitespace first: it is invisible, and the other checks then look at the trimmed values.
  const audiences = [...c.audiences];
  const subjectValue = c.subject ?? '';
  const spaced = [
    hasSurroundingWhitespace(c.issuer) ? 'issuer' : undefined,
    hasSurroundingWhitespace(subjectValue) ? 'subject' : undefined,
    audiences.some(hasSurroundingWhitespace) ? 'audience' : undefined,
  ].filter((f): f is string => f !== undefined);
  if (spaced.length > 0) {
    const change: Record<string, string> = {};
    if (spaced.includes('issuer')) change.issuer = c.issuer.trim();
    if (spaced.includes('subject')) change.subject = subjectValue.trim();
    if (spaced.includes('audience') && audiences.length === 1) change.audience = audiences[0].trim();
    findings.push({
      severity: 'error',
      code: 'credential.whitespace',
      subject,
      message: `Credential ${quote(c.name)}: the ${spaced.join(', ')} ${spaced.length > 1 ? 'start or end' : 'starts or ends'} with whitespace (${spaced
        .map((f) => (f === 'issuer' ? quote(c.issuer, 120) : f === 'subject' ? quote(subjectValue) : audiences.map((a) => quote(a)).join(', ')))
        .join('; ')}).`,
      why: WHY.whitespace,
      fix: editFix(app, c, change, 'Remove the whitespace'),
    });
  }
  const values = { name: c.name, issuer: c.issuer.trim(), subject: subjectValue.trim(), audiences: audiences.map((a) => a.trim()) };
  const lookup = isGuid(values.subject) ? input.identities.get(lower(values.subject)) : undefined;
  const result = checkManagedIdentityTrust(values, { cloud, tenantId: appTenantId, identity: lookup });
  const expectedIssuer = entraIssuer(cloud, appTenantId);
  for (const f of [...result.errors, ...result.warnings]) {
    const mapped = mapRuleFinding(input, c, f, expectedIssuer, lookup);
    if (mapped) findings.push(mapped);
  }
  if (findings.every((f) => !isProblem(f)) && lookup) {
    findings.push({
      severity: 'ok',
      code: 'credential.ok',
      subject,
      message: `Credential ${quote(c.name)} trusts the managed identity ${lookup.displayName ? quote(lookup.displayName) : lookup.id} with the exact issuer, subject and audience.`,
      why: 'Its token will match this credential.',
    });
  }
  return findings;
}

/** One finding of the write rules, as a trust finding with its reason and fix. */
function mapRuleFinding(
  input: TrustCheckInput,
  c: FederatedCredential,
  f: Finding,
  expectedIssuer: string,
  lookup: IdentityLookup | null | undefined,
): TrustFinding | undefined {
  const { app, cloud } = input;
  const subject = credentialSubject(c);
  const base = { subject, message: `Credential ${quote(c.name)}: ${f.message}` };
  const otherTenant = (said: { subject: TrustSubject; message: string }): TrustFinding => ({
    ...said,
    severity: 'error',
    code: 'credential.issuerTenant',
    why: WHY.otherTenant,
    // Found in the app's tenant: only the issuer is wrong. Not found: the identity lives in the other tenant, and no edit here helps.
    ...(lookup ? { fix: editFix(app, c, { issuer: expectedIssuer }, "Use the app's tenant in the issuer") } : {}),
  });
  switch (f.code) {
    case 'issuer.otherTenant':
      return otherTenant(base);
    case 'issuer.otherCloud':
    case 'issuer.mismatch': {
      // The write rules know the built-in clouds only: an issuer of the configured (custom) cloud for another tenant is that mistake too.
      const seen = classifyIssuer(c.issuer.trim(), knownClouds(cloud));
      if (seen.kind === 'entra' && seen.cloud === cloud.name && seen.tenantId !== lower(input.appTenantId)) {
        return otherTenant({
          subject,
          message: `Credential ${quote(c.name)}: Issuer ${quote(c.issuer.trim(), 120)} is tenant ${seen.tenantId}, but the managed identity must be in the app's tenant ${lower(input.appTenantId)}: Entra refuses tokens from other tenants' identities (AADSTS700236). Expected ${quote(expectedIssuer, 120)}.`,
        });
      }
      return {
        ...base,
        severity: 'error',
        code: 'credential.issuer',
        why: WHY.issuer(expectedIssuer),
        fix: editFix(app, c, { issuer: expectedIssuer }, 'Set the exact issuer'),
      };
    }
    case 'audience.mismatch':
      return {
        ...base,
        severity: 'error',
        code: 'credential.audience',
        why: WHY.audience(cloud),
        fix: editFix(app, c, { audience: cloud.tokenExchangeAudience }, `Set the audience to ${cloud.tokenExchangeAudience}`),
      };
    case 'subject.uppercase':
      return {
        ...base,
        severity: 'error',
        code: 'credential.subjectCase',
        why: WHY.subjectCase,
        fix: editFix(app, c, { subject: lower(c.subject.trim()) }, 'Write the subject in lower case'),
      };
    case 'subject.notGuid':
      return { ...base, severity: 'error', code: 'credential.subject', why: WHY.subject };
    case 'subject.notFound':
      return {
        ...base,
        severity: 'error',
        code: 'credential.danglingIdentity',
        message: `Credential ${quote(c.name)} names the managed identity ${lower(c.subject.trim())}, which does not exist in the app's tenant ${lower(input.appTenantId)}.`,
        why: WHY.dangling,
        fix: { command: 'federatedCredentials.deleteCredential', arguments: { app: app.id, credential: c.id }, title: 'Delete the credential' },
      };
    case 'subject.notManagedIdentity':
      return { ...base, severity: 'error', code: 'credential.notManagedIdentity', why: WHY.notManagedIdentity };
    case 'subject.systemAssigned':
      return { ...base, severity: 'warning', code: 'credential.systemAssigned', why: WHY.systemAssigned };
    default:
      return { ...base, severity: f.severity, code: `credential.${f.code}`, why: WHY.subject };
  }
}

// --- the app

function checkApp(input: TrustCheckInput): TrustFinding[] {
  const { app, appTenantId } = input;
  const subject: TrustSubject = { kind: 'app', id: app.id, name: app.displayName };
  const findings: TrustFinding[] = [];
  const count = input.credentials.length;
  if (count >= FIC_LIMITS.perApp) {
    findings.push({
      severity: count > FIC_LIMITS.perApp ? 'error' : 'warning',
      code: 'app.credentialLimit',
      subject,
      message: `App ${quote(app.displayName)} has ${count} federated credentials: the limit is ${FIC_LIMITS.perApp} per app.`,
      why: `Graph refuses a federated credential beyond the ${FIC_LIMITS.perApp}th, so no other identity can be trusted by this app; delete credentials that no longer name an identity, or use another app.`,
    });
  }
  const others = input.tenants.filter((t) => t.tenantId === undefined || lower(t.tenantId) !== lower(appTenantId));
  if (others.length > 0 && !isMultiTenant(app.signInAudience)) {
    const [rule] = checkAppIsMultiTenant(app.signInAudience, app.displayName);
    findings.push({
      severity: 'error',
      code: 'app.singleTenant',
      subject,
      message: rule?.message ?? `App ${quote(app.displayName)} is not multi-tenant.`,
      why: `Only a multi-tenant app gets a service principal in other tenants (${others.map((t) => t.tenant).join(', ')}) through admin consent; a token request for them fails with AADSTS700016 (application not found in the directory).`,
    });
  }
  const requested = requestedGraphRoleIds(app);
  if (requested.length === 0) {
    findings.push({
      severity: 'error',
      code: 'app.noGraphPermission',
      subject,
      message: `App ${quote(app.displayName)} requests no Microsoft Graph application permission.`,
      why: "The runbook's token for a tenant carries only the application permissions the app requests and an admin granted there; with none, every Microsoft Graph call is refused with 403 Authorization_RequestDenied.",
      fix: { command: 'federatedCredentials.addApiPermission', arguments: { app: app.id, permissions: ['User.Read.All'] }, title: 'Add User.Read.All' },
    });
  } else if (!requested.some((id) => id in RUNBOOK_GRAPH_PERMISSIONS)) {
    findings.push({
      severity: 'warning',
      code: 'app.runbookPermission',
      subject,
      message: `App ${quote(app.displayName)} requests ${requested.map((id) => roleName(id, input.graphAppRoles)).join(', ')} but none that reads users (User.Read.All or wider).`,
      why: "The generated runbooks read the tenant's users (GET /users): without User.Read.All (or Directory.Read.All) that call answers 403 Authorization_RequestDenied. Other runbooks may need other permissions.",
      fix: { command: 'federatedCredentials.addApiPermission', arguments: { app: app.id, permissions: ['User.Read.All'] }, title: 'Add User.Read.All' },
    });
  }
  return findings;
}

// --- target tenants

function consentFix(app: TrustApp, tenant: string): TrustFix {
  return { command: 'federatedCredentials.copyConsentUrl', arguments: { app: app.id, tenant }, title: 'Copy Admin-Consent URL' };
}

function checkTenant(input: TrustCheckInput, reading: TenantReading): TrustFinding[] {
  const { app } = input;
  const subject: TrustSubject = { kind: 'tenant', id: reading.tenant, name: reading.tenant };
  if (!reading.readable) {
    return [
      {
        severity: 'info',
        code: 'tenant.notChecked',
        subject,
        message: `Tenant ${reading.tenant} was not checked: ${reading.reason}`,
        why: 'Consent and permissions there are unknown (not a failure). Sign in with an account of that tenant to check them, or ask its admin.',
      },
    ];
  }
  const home = lower(reading.tenantId) === lower(input.appTenantId);
  if (!reading.servicePrincipal) {
    if (!home && !isMultiTenant(app.signInAudience)) return []; // said once, on the app (app.singleTenant)
    return [
      {
        severity: 'error',
        code: 'tenant.notConsented',
        subject,
        message: `App ${quote(app.displayName)} has no service principal in tenant ${reading.tenant}: nobody has consented to it there.`,
        why: `A token request for tenant ${reading.tenant} fails with AADSTS700016 (application not found in the directory) until an admin of that tenant consents.`,
        fix: consentFix(app, reading.tenantId),
      },
    ];
  }
  const granted = new Set(reading.grantedGraphRoleIds.map(lower));
  const missing = requestedGraphRoleIds(app).filter((id) => !granted.has(id));
  if (missing.length > 0) {
    const names = missing.map((id) => roleName(id, input.graphAppRoles));
    return [
      {
        severity: 'error',
        code: 'tenant.permissionNotGranted',
        subject,
        message: `In tenant ${reading.tenant}, ${names.join(', ')} ${missing.length > 1 ? 'are' : 'is'} requested by ${quote(app.displayName)} but not granted.`,
        why: 'The token for that tenant carries only the granted application permissions (roles), so the Graph calls that need these answer 403 Authorization_RequestDenied. Consenting again grants every permission the app requests now.',
        fix: consentFix(app, reading.tenantId),
      },
    ];
  }
  return [
    {
      severity: 'ok',
      code: 'tenant.ok',
      subject,
      message: `Tenant ${reading.tenant}: consented, and every requested Microsoft Graph application permission is granted.`,
      why: 'Tokens for this tenant carry the permissions the app requests.',
    },
  ];
}

/** Counts per severity, for the summary and the app's mark. */
export function summarize(findings: readonly TrustFinding[]): Record<TrustSeverity, number> {
  const counts: Record<TrustSeverity, number> = { error: 0, warning: 0, info: 0, ok: 0 };
  for (const f of findings) counts[f.severity]++;
  return counts;
}
