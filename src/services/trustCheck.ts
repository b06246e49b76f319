// Check Trust, the reading half: gathers what src/domain/trustCheck.ts judges (the app, its credentials,
// the identities they name, and per target tenant the app's service principal and its granted Microsoft
// Graph permissions) and returns the findings. No `vscode`.
//
// Request bound, whatever the size of the tenants (nothing lists every app or every identity):
//   - the app: 1 request (2 when it is given by application id);
//   - its credentials: 1 (2 when v1.0 breaks on a flexible credential and beta is asked);
//   - the identities the credentials name: 1 `$batch` (an app has at most 20 credentials: 20 look-ups);
//   - Microsoft Graph's app roles, to name permissions: at most 1 (the session caches them);
//   - per target tenant that can be read: 1 `$batch` (the app's and Graph's service principals, and the
//     tenant's id when it was given as a domain) and, when the app has a service principal there, 1 for
//     its app role assignments (plus 1 per further 999 assignments).
// A tenant that cannot be read costs no Graph request (only the silent sign-in attempt).
import type { Cloud } from '../domain/clouds';
import type { IdentityLookup } from '../domain/credentialRules';
import type { AppRole } from '../domain/graphPermissions';
import { MICROSOFT_GRAPH_APP_ID } from '../domain/graphPermissions';
import type { FederatedCredential } from '../domain/model';
import { parseTenant } from '../domain/tenants';
import { isGuid, quote } from '../domain/text';
import { checkTrust, isProblem, summarize, type TenantReading, type TrustApp, type TrustFinding, type TrustSeverity } from '../domain/trustCheck';
import { firstError } from '../domain/validation';
import type { GraphDirectory } from '../graph/directory';
import { GraphRequestError } from '../graph/errors';

/**
 * The credentials this VS Code session wrote, with the time. Graph has no creation (or change) time on a
 * federated credential, so "may still be propagating" can only be said of credentials written from here;
 * one written elsewhere minutes ago is not known to be young. Kept in memory for the session.
 */
export class CredentialWriteLog {
  private readonly written = new Map<string, number>();

  record(credentialId: string, at: number = Date.now()): void {
    this.written.set(credentialId.toLowerCase(), at);
    // Only the last minutes matter: old entries go, so the log stays small however long the session.
    if (this.written.size > 500) {
      const cutoff = at - 60 * 60_000;
      for (const [id, time] of this.written) if (time < cutoff) this.written.delete(id);
    }
  }

  /** The write times of the given credentials that were written in this session. */
  times(credentialIds: readonly string[]): Map<string, number> {
    const out = new Map<string, number>();
    for (const id of credentialIds) {
      const at = this.written.get(id.toLowerCase());
      if (at !== undefined) out.set(id, at);
    }
    return out;
  }
}

/** The one log of this extension host's credential writes (CredentialService records each write here). */
export const credentialWrites = new CredentialWriteLog();

/** A directory of another tenant read with the signed-in account (never prompting), or why there is none. */
export type TenantAccess = { readonly directory: GraphDirectory } | { readonly unreadable: string };

export interface TrustCheckSources {
  /** The signed-in tenant's directory, where the app is registered. */
  readonly directory: GraphDirectory;
  readonly cloud: Cloud;
  /** The signed-in tenant's id: the app's tenant. */
  readonly tenantId: string;
  /** Another tenant's directory when the account can read it without a prompt. */
  readonly tenantAccess: (tenant: string) => Promise<TenantAccess>;
  /** Microsoft Graph's app roles (to name permissions); failures are ignored (ids are shown instead). */
  readonly graphAppRoles?: () => Promise<readonly AppRole[]>;
  readonly writes?: CredentialWriteLog;
  readonly now?: () => number;
}

export interface TrustReport {
  readonly app: TrustApp;
  /** The tenants checked (as given), in order. */
  readonly tenants: readonly string[];
  readonly checkedAt: string;
  readonly findings: readonly TrustFinding[];
  readonly counts: Record<TrustSeverity, number>;
  /** True when any finding is an error or a warning. */
  readonly problems: boolean;
}

/** At most this many target tenants per check: each costs requests and a sign-in attempt. */
export const MAX_TARGET_TENANTS = 50;

/**
 * Reads the `tenants` of a check: tenant ids or verified domains, each at most once. Throws with what is
 * wrong with the first bad one ("common", "organizations", an email address…), before anything is read.
 */
export function parseTargetTenants(tenants: readonly string[]): string[] {
  if (tenants.length > MAX_TARGET_TENANTS) throw new Error(`"tenants" lists ${tenants.length} tenants; check at most ${MAX_TARGET_TENANTS} at a time.`);
  const out: string[] = [];
  for (const given of tenants) {
    const parsed = parseTenant(given.trim());
    if (!parsed.tenant) throw new Error(`"tenants": ${firstError(parsed.result) ?? `${quote(given)} is not a tenant id or domain.`}`);
    if (parsed.tenant.kind === 'organizations') {
      throw new Error('"tenants": "organizations" is not one tenant; give each target tenant\'s id (a GUID) or one of its verified domains.');
    }
    if (!out.includes(parsed.tenant.value)) out.push(parsed.tenant.value);
  }
  return out;
}

function describeReadError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function readTenant(sources: TrustCheckSources, app: TrustApp, tenant: string): Promise<TenantReading> {
  const home = isGuid(tenant) && tenant.toLowerCase() === sources.tenantId.toLowerCase();
  let directory: GraphDirectory;
  if (home) directory = sources.directory;
  else {
    const access = await sources.tenantAccess(tenant).catch((error: unknown): TenantAccess => ({ unreadable: describeReadError(error) }));
    if ('unreadable' in access) return { tenant, readable: false, reason: access.unreadable, ...(isGuid(tenant) ? { tenantId: tenant } : {}) };
    directory = access.directory;
  }
  try {
    const state = await directory.servicePrincipals.consentState(app.appId, !isGuid(tenant));
    const tenantId = isGuid(tenant) ? tenant : (state.organizationId ?? tenant);
    if (!state.servicePrincipal) return { tenant, readable: true, tenantId, servicePrincipal: null, grantedGraphRoleIds: [] };
    const assignments = await directory.servicePrincipals.appRoleAssignments(state.servicePrincipal.id);
    const graphId = state.graphServicePrincipalId?.toLowerCase();
    return {
      tenant,
      readable: true,
      tenantId,
      servicePrincipal: { id: state.servicePrincipal.id },
      grantedGraphRoleIds: assignments.filter((a) => graphId !== undefined && a.resourceId.toLowerCase() === graphId).map((a) => a.appRoleId),
    };
  } catch (error) {
    // Signed in there, but the account may not read service principals (a guest without directory rights), or Graph
    // did not answer (throttled, down, no network): the tenant is "not checked", never a finding about the app and
    // never the end of the other tenants' report.
    const reason =
      error instanceof GraphRequestError && (error.status === 401 || error.status === 403)
        ? `the signed-in account may not read it (${error.message})`
        : `Microsoft Graph did not answer (${describeReadError(error)})`;
    return { tenant, readable: false, reason, ...(isGuid(tenant) ? { tenantId: tenant } : {}) };
  }
}

/** At most this many tenants are read at once (each a silent sign-in and two requests). */
const TENANTS_AT_ONCE = 4;

async function readTenants(sources: TrustCheckSources, app: TrustApp, tenants: readonly string[]): Promise<TenantReading[]> {
  const readings: TenantReading[] = new Array(tenants.length);
  let next = 0;
  const worker = async () => {
    while (next < tenants.length) {
      const i = next++;
      readings[i] = await readTenant(sources, app, tenants[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(TENANTS_AT_ONCE, tenants.length) }, worker));
  return readings;
}

/** Looks up the managed identities the credentials name (one `$batch`): object id (lower case) → principal, or null. */
async function lookUpIdentities(directory: GraphDirectory, credentials: readonly FederatedCredential[]): Promise<Map<string, IdentityLookup | null>> {
  const ids = [...new Set(credentials.map((c) => (c.subject ?? '').trim().toLowerCase()).filter((s) => isGuid(s)))];
  const found = new Map<string, IdentityLookup | null>();
  if (ids.length === 0) return found;
  const answers = await directory.servicePrincipals.findMany(ids);
  answers.forEach((answer, i) => {
    // A look-up Graph could not answer is left out: that credential's identity is "not looked up", not "missing".
    if (!(answer instanceof GraphRequestError)) found.set(ids[i]!, answer);
  });
  return found;
}

/**
 * Checks the trust of one app (object id or application id) for the target tenants. Throws when the app
 * cannot be found or read; everything else is a finding.
 */
export async function runTrustCheck(sources: TrustCheckSources, appRef: string, tenants: readonly string[]): Promise<TrustReport> {
  const targets = parseTargetTenants(tenants);
  const found = await sources.directory.apps.findApp(appRef);
  if (!found) throw new Error(`No app registration with object id or application id ${appRef} in tenant ${sources.tenantId}.`);
  const app: TrustApp = {
    id: found.id,
    appId: found.appId,
    displayName: found.displayName,
    signInAudience: found.signInAudience,
    requiredResourceAccess: found.requiredResourceAccess ?? [],
  };
  const credentials = await sources.directory.apps.listCredentials(app.id, { operation: 'listCredentials', appName: app.displayName });
  const needsRoles = (app.requiredResourceAccess ?? []).some((r) => r.resourceAppId.toLowerCase() === MICROSOFT_GRAPH_APP_ID);
  const [identities, graphAppRoles, readings] = await Promise.all([
    lookUpIdentities(sources.directory, credentials),
    needsRoles && sources.graphAppRoles ? sources.graphAppRoles().catch(() => undefined) : Promise.resolve(undefined),
    readTenants(sources, app, targets),
  ]);
  const now = (sources.now ?? Date.now)();
  const findings = checkTrust({
    cloud: sources.cloud,
    appTenantId: sources.tenantId,
    app,
    credentials,
    identities,
    ...(graphAppRoles ? { graphAppRoles } : {}),
    tenants: readings,
    writtenAt: (sources.writes ?? credentialWrites).times(credentials.map((c) => c.id)),
    now,
  });
  return {
    app,
    tenants: targets,
    checkedAt: new Date(now).toISOString(),
    findings,
    counts: summarize(findings),
    problems: findings.some(isProblem),
  };
}
