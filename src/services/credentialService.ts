// The credential use cases over Graph: resolve the app, check every documented rule before the
// request (and what Graph does not check: the managed identity exists in the app's tenant, issuer
// and audience fit the cloud), write, and make sure a write that may have happened is not repeated.
import type { Cloud } from '../domain/clouds';
import { checkAppIsMultiTenant, checkCredential, checkManagedIdentityTrust, type CredentialValues } from '../domain/credentialRules';
import { classifyCredential } from '../domain/credentialKinds';
import { isGuid, listNames, notAGuid, quote } from '../domain/text';
import { mergeResults, toResult, ValidationError, warning, type Finding, type ValidationResult } from '../domain/validation';
import type { ErrorKind } from '../domain/graphErrors';
import { GraphRequestError } from '../graph/errors';
import type { GraphDirectory } from '../graph/directory';
import type { AppRegistration, FederatedCredential, ServicePrincipalInfo } from '../domain/model';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../http/retryPolicy';
import { isUserCancelled, sleep, sleepUnlessCancelled, type Sleep } from '../util/cancellation';
import { credentialWrites } from './trustCheck';

/** Remembers when this session wrote the credential: Check Trust says "may still be propagating" of it (Graph keeps no such time). */
function written(credential: FederatedCredential): FederatedCredential {
  credentialWrites.record(credential.id);
  return credential;
}

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
  /** Why, in plain words (the whole reason; the summary shortens it). */
  readonly message: string;
  readonly status?: number;
  /** What kind of failure Graph gave; absent when the app was refused by the rules before any write. */
  readonly kind?: ErrorKind | 'unconfirmed';
  /** Whether running the command again for this app may succeed (throttling, an outage, an unconfirmed write). */
  readonly retryable?: boolean;
}

export interface MultiAppResult {
  readonly added: ReadonlyArray<{ readonly app: AppRegistration; readonly credential: FederatedCredential }>;
  readonly failed: readonly MultiAppFailure[];
  /**
   * Set when the run was cancelled: apps whose write was in flight (the credential may have been
   * added: the next read shows whether) and apps never written to.
   */
  readonly cancelled?: { readonly inFlight: readonly AppRegistration[]; readonly notAttempted: readonly AppRegistration[] };
  /** The outcome in one message, as the command shows it (set by the command). */
  readonly summary?: string;
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
  /** `retry`: the one retry policy; a multi-app add writes an item at most `maxAttempts` times in all, look-ups between. */
  constructor(
    private readonly directory: GraphDirectory,
    private readonly cloud: Cloud,
    private readonly tenantId: () => string,
    private readonly retry: { readonly policy?: RetryPolicy; readonly sleep?: Sleep } = {},
  ) {}

  /** An app by object id or application (client) id, or a clear error. */
  async resolveApp(idOrAppId: string): Promise<AppRegistration> {
    if (!isGuid(idOrAppId)) throw new Error(`"app" must be the app registration's object id or application (client) id, a GUID; ${notAGuid(idOrAppId)}.`);
    const app = await this.directory.apps.findApp(idOrAppId);
    if (!app) throw new Error(`No app registration with object id or application id ${idOrAppId} in tenant ${this.tenantId()}.`);
    return app;
  }

  /** Checks a new credential against the rules and the app's current credentials; throws on errors. */
  async planCreate(app: AppRegistration, values: CredentialValues): Promise<CredentialPlan> {
    const existing = await this.directory.apps.listCredentials(app.id, { operation: 'listCredentials', appName: app.displayName });
    const results: ValidationResult[] = [checkCredential(values, { existing, appName: app.displayName })];
    let identity: ServicePrincipalInfo | undefined;
    if (classifyCredential(values, [this.cloud]).kind === 'managedIdentity') {
      identity = isGuid(values.subject) ? await this.directory.servicePrincipals.find(values.subject) : undefined;
      results.push(
        checkManagedIdentityTrust(values, { cloud: this.cloud, tenantId: this.tenantId(), identity: isGuid(values.subject) ? (identity ?? null) : undefined }),
      );
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
    return written(await this.createOnce(plan, signal));
  }

  private async createOnce(plan: CredentialPlan, signal?: AbortSignal): Promise<FederatedCredential> {
    try {
      return await this.directory.apps.createCredential(plan.app.id, plan.values, { appName: plan.app.displayName }, signal);
    } catch (error) {
      // A cancel (RequestCancelledError) is no failure to check: no request starts after it.
      if (!isAmbiguousWriteFailure(error)) throw error;
      const found = await this.directory.apps.getCredential(plan.app.id, plan.values.name);
      if (found && sameValues(found, plan.values)) return found;
      if (found) throw error;
      return this.directory.apps.createCredential(plan.app.id, plan.values, { appName: plan.app.displayName }, signal);
    }
  }

  /**
   * Checks one credential per app against the rules and each app's current credentials. The apps'
   * credentials come from the listing (expanded) or, when missing, from batched reads (20 apps per
   * request); the identity is looked up once (not at all when the caller already has it). Rules that fail for every app throw; per-app failures
   * (a duplicate name, the 20-credential limit) reject only that app.
   */
  async planCreateForApps(
    apps: readonly AppRegistration[],
    valuesFor: (app: AppRegistration, existing: readonly FederatedCredential[]) => CredentialValues,
    knownIdentity?: ServicePrincipalInfo,
  ): Promise<MultiAppPlan> {
    const unknown = apps.filter((a) => a.federatedIdentityCredentials === undefined).map((a) => a.id);
    const loaded = unknown.length > 0 ? await this.directory.apps.getAppsWithCredentials(unknown) : { apps: [], missing: [], failed: [] };
    const byId = new Map(loaded.apps.map((a) => [a.id, a]));
    const unreadable = new Map(loaded.failed.map((f) => [f.id, f.error]));
    const items: CredentialPlan[] = [];
    const rejected: MultiAppFailure[] = [];
    const singleTenant: string[] = [];
    let identity: ServicePrincipalInfo | undefined;
    let identityChecked = false;
    const shared: Finding[] = [];
    for (const listed of apps) {
      const app = listed.federatedIdentityCredentials ? listed : byId.get(listed.id);
      if (!app) {
        const error = unreadable.get(listed.id);
        rejected.push(
          error
            ? {
                app: listed,
                message: `Could not read app registration ${listed.displayName || listed.id}: ${error.message}`,
                status: error.status,
                kind: error.explained.kind,
                retryable: error.explained.retryable,
              }
            : {
                app: listed,
                message: `App registration ${listed.displayName || listed.id} was not found in tenant ${this.tenantId()}.`,
                status: 404,
                kind: 'notFound',
                retryable: false,
              },
        );
        continue;
      }
      const existing = app.federatedIdentityCredentials ?? [];
      const values = valuesFor(app, existing);
      if (!identityChecked && classifyCredential(values, [this.cloud]).kind === 'managedIdentity') {
        identityChecked = true;
        identity =
          knownIdentity?.id === values.subject
            ? knownIdentity
            : isGuid(values.subject)
              ? await this.directory.servicePrincipals.find(values.subject)
              : undefined;
        const trust = checkManagedIdentityTrust(values, {
          cloud: this.cloud,
          tenantId: this.tenantId(),
          identity: isGuid(values.subject) ? (identity ?? null) : undefined,
        });
        // The identity is the same for every app: its errors stop the whole run.
        if (!trust.ok) throw new ValidationError(trust.errors);
        shared.push(...trust.warnings);
      }
      const result = checkCredential(values, { existing, appName: app.displayName });
      if (!result.ok) {
        rejected.push({ app, message: result.errors.map((e) => e.message).join(' '), retryable: false });
        continue;
      }
      if (classifyCredential(values, [this.cloud]).kind === 'managedIdentity' && checkAppIsMultiTenant(app.signInAudience).length > 0)
        singleTenant.push(app.displayName || app.appId);
      items.push({ app, values, existing, warnings: result.warnings, identity });
    }
    const warnings: Finding[] = [...shared, ...items.flatMap((i) => i.warnings)];
    if (singleTenant.length > 0) {
      const names = listNames(singleTenant.map((n) => quote(n)));
      warnings.push(
        warning(
          'app',
          'app.singleTenant',
          `${singleTenant.length} of the apps (${names}) are not multi-tenant, so customer tenants cannot consent to them and their runbooks can only get tokens for the apps' own tenant.`,
        ),
      );
    }
    return { items, rejected, warnings, identity };
  }

  /**
   * Writes the planned credentials with `$batch` (20 per request) and reports each app's outcome,
   * each credential written exactly once and each sent at most `maxAttempts` times in all (the one
   * retry policy). The batch executor sends throttled writes again within that budget; a write whose
   * answer was a 5xx or was lost (or a 409, perhaps from our own lost write) may have been applied, so
   * it is looked up first (20 per `$batch`) and sent again only when it is not there and its budget
   * allows. Whatever still failed is reported with its reason.
   * A cancel (`signal`) stops before the next request; the result then says which apps were in
   * flight (or waiting for that look-up: they may have the credential) and which were never attempted.
   */
  async createForApps(plan: MultiAppPlan, signal?: AbortSignal): Promise<MultiAppResult> {
    const policy = this.retry.policy ?? DEFAULT_RETRY_POLICY;
    const wait = this.retry.sleep ?? sleep;
    const items = plan.items;
    const added = new Map<number, FederatedCredential>();
    /** The last error of each item not (yet) added: its reason when the run is over. */
    const errors = new Map<number, GraphRequestError>();
    /** Sends so far per item: the budget is for all of them, whichever call made them. */
    const sent = items.map(() => 0);
    let toWrite = items.map((_, index) => index);
    let toCheck: number[] = [];
    const inFlight = new Set<number>();
    const notAttempted = new Set<number>();
    const check = async () => {
      const found = await this.directory.apps.findCredentials(toCheck.map((index) => ({ appObjectId: items[index].app.id, name: items[index].values.name })));
      found.forEach((credential, k) => {
        const index = toCheck[k];
        // Graph could not say, even after the look-up was retried: never write blindly, report it unconfirmed.
        if (credential instanceof GraphRequestError) errors.set(index, unconfirmed(items[index].app, items[index].values.name));
        else if (credential === null) {
          if (sent[index]! < policy.maxAttempts) toWrite.push(index); // not applied: write it again, within its budget
        } else if (sameValues(credential, items[index].values)) {
          added.set(index, written(credential));
          errors.delete(index);
        } else {
          errors.set(
            index,
            new GraphRequestError({
              kind: 'conflict',
              status: 409,
              message: `App ${quote(items[index].app.displayName)} already has a credential named ${quote(items[index].values.name)} with other values; it was left as it is.`,
              retryable: false,
            }),
          );
        }
      });
      toCheck = [];
    };
    try {
      for (let round = 0; toWrite.length + toCheck.length > 0; round++) {
        if (toCheck.length > 0) {
          if (signal?.aborted) break;
          await check();
        }
        if (toWrite.length === 0) continue;
        if (round > 0) await sleepUnlessCancelled(policy.baseDelayMs, signal, wait);
        const batch = toWrite.sort((a, b) => a - b);
        toWrite = [];
        const results = await this.directory.apps.createCredentials(
          batch.map((index) => ({
            appObjectId: items[index].app.id,
            values: items[index].values,
            appName: items[index].app.displayName,
            attemptsBefore: sent[index],
          })),
          signal,
        );
        results.forEach((r, k) => {
          const index = batch[k];
          sent[index] = r.attempts;
          if (r.ok) {
            added.set(index, written(r.credential));
            errors.delete(index);
          } else if ('cancelled' in r) {
            (r.cancelled === 'inFlight' ? inFlight : notAttempted).add(index);
          } else {
            errors.set(index, r.error);
            if (r.lost || r.error.status === 409) toCheck.push(index); // applied? (409: perhaps by our own lost write)
          }
        });
        if (inFlight.size + notAttempted.size > 0) break;
      }
    } catch (error) {
      if (!isUserCancelled(error)) throw error;
    }
    if (signal?.aborted || inFlight.size + notAttempted.size > 0) {
      // Cancelled: writes waiting to be looked up may have been applied; writes waiting to be sent again were not.
      for (const index of toCheck) inFlight.add(index);
      for (const index of toWrite) notAttempted.add(index);
    }
    const cancelledApps = new Set([...inFlight, ...notAttempted]);
    const failed: MultiAppFailure[] = [...plan.rejected];
    items.forEach((item, index) => {
      const error = errors.get(index);
      if (added.has(index) || cancelledApps.has(index) || !error) return;
      failed.push({
        app: item.app,
        message: error.message,
        status: error.status,
        kind: error.explained.code === UNCONFIRMED ? 'unconfirmed' : error.explained.kind,
        retryable: error.explained.retryable,
      });
    });
    const byIndex = (set: Set<number>) => [...set].sort((a, b) => a - b).map((index) => items[index].app);
    return {
      added: items.flatMap((item, index) => (added.has(index) ? [{ app: item.app, credential: added.get(index)! }] : [])),
      failed,
      ...(cancelledApps.size > 0 ? { cancelled: { inFlight: byIndex(inFlight), notAttempted: byIndex(notAttempted) } } : {}),
    };
  }

  async planUpdate(app: AppRegistration, current: FederatedCredential, values: CredentialValues): Promise<CredentialPlan> {
    const existing = await this.directory.apps.listCredentials(app.id, { operation: 'listCredentials', appName: app.displayName });
    const results: ValidationResult[] = [checkCredential(values, { existing, editing: current.name, appName: app.displayName })];
    if (classifyCredential(values, [this.cloud]).kind === 'managedIdentity' && values.subject !== current.subject) {
      const identity = isGuid(values.subject) ? await this.directory.servicePrincipals.find(values.subject) : undefined;
      results.push(
        checkManagedIdentityTrust(values, { cloud: this.cloud, tenantId: this.tenantId(), identity: isGuid(values.subject) ? (identity ?? null) : undefined }),
      );
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
    if (values.claimsMatchingExpression) {
      // A flexible credential: its expression instead of a subject (written through Graph beta).
      if (values.claimsMatchingExpression.value !== current.claimsMatchingExpression?.value)
        Object.assign(patch, { claimsMatchingExpression: { ...values.claimsMatchingExpression } });
    } else if (values.subject !== current.subject) Object.assign(patch, { subject: values.subject });
    if (JSON.stringify(values.audiences) !== JSON.stringify(current.audiences)) Object.assign(patch, { audiences: [...values.audiences] });
    if ((values.description ?? null) !== (current.description ?? null)) Object.assign(patch, { description: values.description ?? null });
    if (Object.keys(patch).length > 0)
      await this.directory.apps.updateCredential(
        plan.app.id,
        current.id,
        patch,
        { appName: plan.app.displayName, credentialName: current.name },
        signal,
        Boolean(current.claimsMatchingExpression),
      );
    const updated = { ...current, ...patch } as FederatedCredential;
    return Object.keys(patch).length > 0 ? written(updated) : updated;
  }

  async delete(app: AppRegistration, credential: FederatedCredential, signal?: AbortSignal): Promise<void> {
    try {
      await this.directory.apps.deleteCredential(
        app.id,
        credential.id,
        { appName: app.displayName, credentialName: credential.name },
        signal,
        Boolean(credential.claimsMatchingExpression),
      );
    } catch (error) {
      // Deleting what is already gone is done: a retried delete must not report failure.
      if (error instanceof GraphRequestError && error.status === 404) return;
      if (!isAmbiguousWriteFailure(error)) throw error;
      if (await this.directory.apps.getCredential(app.id, credential.id)) throw error;
    }
  }
}

const UNCONFIRMED = 'unconfirmed';

/** A write whose answer was lost and whose look-ups failed too: it may or may not have been applied. */
function unconfirmed(app: AppRegistration, name: string): GraphRequestError {
  return new GraphRequestError({
    kind: 'unavailable',
    code: UNCONFIRMED,
    message: `Microsoft Graph did not confirm whether credential ${quote(name)} was added to app ${quote(app.displayName || app.id)} (the answer was lost and looking it up failed too). Refresh the view to see; adding it again is safe, since an app that has it is refused.`,
    retryable: true,
  });
}

function sameValues(found: FederatedCredential, values: CredentialValues): boolean {
  return (
    found.issuer === values.issuer &&
    found.subject === values.subject &&
    (found.claimsMatchingExpression?.value ?? null) === (values.claimsMatchingExpression?.value ?? null) &&
    JSON.stringify(found.audiences) === JSON.stringify(values.audiences)
  );
}

/** A failure after which the write may or may not have been applied. */
export function isAmbiguousWriteFailure(error: unknown): boolean {
  if (!(error instanceof GraphRequestError)) return false;
  const status = error.status;
  return status === undefined ? error.explained.kind === 'unavailable' : status >= 500;
}
