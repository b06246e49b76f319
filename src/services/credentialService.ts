// The credential use cases over Graph: resolve the app, check every documented rule before the
// request (and what Graph does not check: the managed identity exists in the app's tenant, issuer
// and audience fit the cloud), write, and make sure a write that may have happened is not repeated.
import type { Cloud } from '../domain/clouds';
import { checkAppIsMultiTenant, checkCredential, checkManagedIdentityTrust, type CredentialValues } from '../domain/credentialRules';
import { classifyCredential } from '../domain/credentialKinds';
import { isGuid, notAGuid, quote } from '../domain/text';
import { mergeResults, toResult, ValidationError, warning, type Finding, type ValidationResult } from '../domain/validation';
import { GraphRequestError } from '../graph/errors';
import type { AppRegistration, FederatedCredential, GraphDirectory, ServicePrincipalInfo } from '../graph/directory';

/** Adding one credential to many apps: what will be written, and the apps refused before any write. */
export interface MultiAppPlan {
  readonly items: readonly CredentialPlan[];
  readonly rejected: readonly MultiAppFailure[];
  /** Warnings for the whole run (each says which apps), shown once before the writes. */
  readonly warnings: readonly Finding[];
  readonly identity?: ServicePrincipalInfo;
}

export interface MultiAppFailure {
  readonly app: AppRegistration;
  readonly message: string;
  readonly status?: number;
}

export interface MultiAppResult {
  readonly added: ReadonlyArray<{ readonly app: AppRegistration; readonly credential: FederatedCredential }>;
  readonly failed: readonly MultiAppFailure[];
  /**
   * Set when the run was cancelled: apps whose write was in flight (the credential may have been
   * added: the next read shows whether) and apps never written to.
   */
  readonly cancelled?: { readonly inFlight: readonly AppRegistration[]; readonly notAttempted: readonly AppRegistration[] };
}

export interface CredentialPlan {
  readonly app: AppRegistration;
  readonly values: CredentialValues;
  readonly existing: readonly FederatedCredential[];
  /** Warnings the user should see before the write (single-tenant app, system-assigned identity…). */
  readonly warnings: readonly Finding[];
  readonly identity?: ServicePrincipalInfo;
}

export class CredentialService {
  constructor(private readonly directory: GraphDirectory, private readonly cloud: Cloud, private readonly tenantId: () => string) {}

  /** An app by object id or application (client) id, or a clear error. */
  async resolveApp(idOrAppId: string): Promise<AppRegistration> {
    if (!isGuid(idOrAppId)) throw new Error(`"app" must be the app registration's object id or application (client) id, a GUID; ${notAGuid(idOrAppId)}.`);
    const app = await this.directory.findApp(idOrAppId);
    if (!app) throw new Error(`No app registration with object id or application id ${idOrAppId} in tenant ${this.tenantId()}.`);
    return app;
  }

  /** Checks a new credential against the rules and the app's current credentials; throws on errors. */
  async planCreate(app: AppRegistration, values: CredentialValues): Promise<CredentialPlan> {
    const existing = await this.directory.listCredentials(app.id, { operation: 'listCredentials', appName: app.displayName });
    const results: ValidationResult[] = [checkCredential(values, { existing, appName: app.displayName })];
    let identity: ServicePrincipalInfo | undefined;
    if (classifyCredential(values, [this.cloud]).kind === 'managedIdentity') {
      identity = isGuid(values.subject) ? await this.directory.findServicePrincipal(values.subject) : undefined;
      results.push(checkManagedIdentityTrust(values, { cloud: this.cloud, tenantId: this.tenantId(), identity: isGuid(values.subject) ? identity ?? null : undefined }));
      results.push(toResult(checkAppIsMultiTenant(app.signInAudience, app.displayName)));
    }
    const result = mergeResults(...results);
    if (!result.ok) throw new ValidationError(result.errors);
    return { app, values, existing, warnings: result.warnings, identity };
  }

  /**
   * Creates the credential. When the answer is lost (a dropped connection, a 5xx), the create may
   * still have happened: look before trying again, so it is done exactly once.
   */
  async create(plan: CredentialPlan, signal?: AbortSignal): Promise<FederatedCredential> {
    try {
      return await this.directory.createCredential(plan.app.id, plan.values, { appName: plan.app.displayName }, signal);
    } catch (error) {
      // A cancel (RequestCancelledError) is no failure to check: no request starts after it.
      if (!isAmbiguousWriteFailure(error)) throw error;
      const found = await this.directory.getCredential(plan.app.id, plan.values.name);
      if (found && sameValues(found, plan.values)) return found;
      if (found) throw error;
      return this.directory.createCredential(plan.app.id, plan.values, { appName: plan.app.displayName }, signal);
    }
  }

  /**
   * Checks one credential per app against the rules and each app's current credentials. The apps'
   * credentials come from the listing (expanded) or, when missing, from batched reads (20 apps per
   * request); the identity is looked up once (not at all when the caller already has it). Rules that fail for every app throw; per-app failures
   * (a duplicate name, the 20-credential limit) reject only that app.
   */
  async planCreateForApps(apps: readonly AppRegistration[], valuesFor: (app: AppRegistration, existing: readonly FederatedCredential[]) => CredentialValues, knownIdentity?: ServicePrincipalInfo): Promise<MultiAppPlan> {
    const unknown = apps.filter((a) => a.federatedIdentityCredentials === undefined).map((a) => a.id);
    const loaded = unknown.length > 0 ? await this.directory.getAppsWithCredentials(unknown) : { apps: [], missing: [] };
    const byId = new Map(loaded.apps.map((a) => [a.id, a]));
    const items: CredentialPlan[] = [];
    const rejected: MultiAppFailure[] = [];
    const singleTenant: string[] = [];
    let identity: ServicePrincipalInfo | undefined;
    let identityChecked = false;
    const shared: Finding[] = [];
    for (const listed of apps) {
      const app = listed.federatedIdentityCredentials ? listed : byId.get(listed.id);
      if (!app) {
        rejected.push({ app: listed, message: `App registration ${listed.displayName || listed.id} was not found in tenant ${this.tenantId()}.`, status: 404 });
        continue;
      }
      const existing = app.federatedIdentityCredentials ?? [];
      const values = valuesFor(app, existing);
      if (!identityChecked && classifyCredential(values, [this.cloud]).kind === 'managedIdentity') {
        identityChecked = true;
        identity = knownIdentity?.id === values.subject ? knownIdentity : isGuid(values.subject) ? await this.directory.findServicePrincipal(values.subject) : undefined;
        const trust = checkManagedIdentityTrust(values, { cloud: this.cloud, tenantId: this.tenantId(), identity: isGuid(values.subject) ? identity ?? null : undefined });
        // The identity is the same for every app: its errors stop the whole run.
        if (!trust.ok) throw new ValidationError(trust.errors);
        shared.push(...trust.warnings);
      }
      const result = checkCredential(values, { existing, appName: app.displayName });
      if (!result.ok) {
        rejected.push({ app, message: result.errors.map((e) => e.message).join(' ') });
        continue;
      }
      if (classifyCredential(values, [this.cloud]).kind === 'managedIdentity' && checkAppIsMultiTenant(app.signInAudience).length > 0) singleTenant.push(app.displayName || app.appId);
      items.push({ app, values, existing, warnings: result.warnings, identity });
    }
    const warnings: Finding[] = [...shared, ...items.flatMap((i) => i.warnings)];
    if (singleTenant.length > 0) {
      const names = singleTenant.length <= 5 ? singleTenant.map((n) => quote(n)).join(', ') : `${singleTenant.slice(0, 5).map((n) => quote(n)).join(', ')} and ${singleTenant.length - 5} more`;
      warnings.push(warning('app', 'app.singleTenant', `${singleTenant.length} of the apps (${names}) are not multi-tenant, so customer tenants cannot consent to them and their runbooks can only get tokens for the apps' own tenant.`));
    }
    return { items, rejected, warnings, identity };
  }

  /**
   * Writes the planned credentials with `$batch` (20 per request) and reports each app's outcome.
   * A cancel (`signal`) stops before the next batch; the result then says which apps were in flight
   * and which were never attempted.
   */
  async createForApps(plan: MultiAppPlan, signal?: AbortSignal): Promise<MultiAppResult> {
    const results = await this.directory.createCredentials(plan.items.map((i) => ({ appObjectId: i.app.id, values: i.values, appName: i.app.displayName })), undefined, signal);
    const added: Array<{ app: AppRegistration; credential: FederatedCredential }> = [];
    const failed: MultiAppFailure[] = [...plan.rejected];
    const inFlight: AppRegistration[] = [];
    const notAttempted: AppRegistration[] = [];
    results.forEach((r, index) => {
      const { app } = plan.items[index];
      if (r.ok) added.push({ app, credential: r.credential });
      else if ('cancelled' in r) (r.cancelled === 'inFlight' ? inFlight : notAttempted).push(app);
      else failed.push({ app, message: r.error.message, status: r.error.status });
    });
    return { added, failed, ...(inFlight.length + notAttempted.length > 0 ? { cancelled: { inFlight, notAttempted } } : {}) };
  }

  async planUpdate(app: AppRegistration, current: FederatedCredential, values: CredentialValues): Promise<CredentialPlan> {
    const existing = await this.directory.listCredentials(app.id, { operation: 'listCredentials', appName: app.displayName });
    const results: ValidationResult[] = [checkCredential(values, { existing, editing: current.name, appName: app.displayName })];
    if (classifyCredential(values, [this.cloud]).kind === 'managedIdentity' && values.subject !== current.subject) {
      const identity = isGuid(values.subject) ? await this.directory.findServicePrincipal(values.subject) : undefined;
      results.push(checkManagedIdentityTrust(values, { cloud: this.cloud, tenantId: this.tenantId(), identity: isGuid(values.subject) ? identity ?? null : undefined }));
    }
    const result = mergeResults(...results);
    if (!result.ok) throw new ValidationError(result.errors);
    return { app, values, existing, warnings: result.warnings };
  }

  /** PATCH only what changed (an update is idempotent, so the Graph client may retry it). */
  async update(plan: CredentialPlan, current: FederatedCredential, signal?: AbortSignal): Promise<FederatedCredential> {
    const patch: Partial<Omit<CredentialValues, 'name'>> = {};
    const { values } = plan;
    if (values.issuer !== current.issuer) Object.assign(patch, { issuer: values.issuer });
    if (values.subject !== current.subject) Object.assign(patch, { subject: values.subject });
    if (JSON.stringify(values.audiences) !== JSON.stringify(current.audiences)) Object.assign(patch, { audiences: [...values.audiences] });
    if ((values.description ?? null) !== (current.description ?? null)) Object.assign(patch, { description: values.description ?? null });
    if (Object.keys(patch).length > 0) await this.directory.updateCredential(plan.app.id, current.id, patch, { appName: plan.app.displayName, credentialName: current.name }, signal);
    return { ...current, ...patch } as FederatedCredential;
  }

  async delete(app: AppRegistration, credential: FederatedCredential, signal?: AbortSignal): Promise<void> {
    try {
      await this.directory.deleteCredential(app.id, credential.id, { appName: app.displayName, credentialName: credential.name }, signal);
    } catch (error) {
      // Deleting what is already gone is done: a retried delete must not report failure.
      if (error instanceof GraphRequestError && error.status === 404) return;
      if (!isAmbiguousWriteFailure(error)) throw error;
      if (await this.directory.getCredential(app.id, credential.id)) throw error;
    }
  }
}

function sameValues(found: FederatedCredential, values: CredentialValues): boolean {
  return found.issuer === values.issuer && found.subject === values.subject && JSON.stringify(found.audiences) === JSON.stringify(values.audiences);
}

/** A failure after which the write may or may not have been applied. */
export function isAmbiguousWriteFailure(error: unknown): boolean {
  if (!(error instanceof GraphRequestError)) return false;
  const status = error.status;
  return status === undefined ? error.explained.kind === 'unavailable' : status >= 500;
}
