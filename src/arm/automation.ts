// Azure Automation over ARM: subscriptions, Automation accounts and their identity, runbooks (create,
// draft content, publish), PowerShell 7.2 modules and runtime environments with their packages.
// Sources: azure-rest-api-specs Microsoft.Automation stable/2023-11-01 and stable/2024-10-23
// (account.json, runbook.json, examples/publishRunbook.json, examples/*PowerShell72Module*.json),
// the Automation REST API reference. Long-running operations follow the ARM async-operation contract: poll
// Azure-AsyncOperation (a status body) or Location (202 until done), honouring Retry-After.
// No `vscode` here: cancellation is an AbortSignal, progress a callback.
import { parseResourceId, type ResourceId } from '../domain/azureResourceIds';
import { isGuid, notAGuid, quote } from '../domain/text';
import { sleep, throwIfCancelled, type Sleep } from '../util/cancellation';
import type { AutomationAccount, AutomationModule, Runbook, RuntimeEnvironment, Subscription } from '../domain/model';
import { compareModuleVersions, isModuleVersion, powerShellGalleryContentLink, RUNTIME_ENVIRONMENT_NAME_PATTERN } from '../runbooks/runtimes';
import { ArmRequestError, type ArmClient, type ArmResponse } from './armClient';

/** The newest stable Automation API: runtime environments, `runtimeEnvironment` on runbooks. */
export const AUTOMATION_API_VERSION = '2024-10-23';
/** The API of the legacy PowerShell72 runbook type and the account's `powerShell72Modules`. */
export const POWERSHELL72_API_VERSION = '2023-11-01';
const SUBSCRIPTIONS_API_VERSION = '2022-12-01';

/** Automation's runbook name rule (runbook.json, `runbookName` pattern). */
export const RUNBOOK_NAME_PATTERN = /^[a-zA-Z][a-zA-Z0-9_-]*$/;
const RUNBOOK_NAME_MAX = 63;

export type ArmRequester = Pick<ArmClient, 'request' | 'listAll'>;

/** Where a runbook's modules live: the account (legacy PowerShell 7.2) or a runtime environment. */
export type ModuleTarget = { readonly kind: 'powerShell72' } | { readonly kind: 'runtimeEnvironment'; readonly name: string };

export interface RunbookDefinition {
  readonly runbookType: string;
  readonly runtimeEnvironment?: string;
  readonly apiVersion: string;
  readonly description?: string;
}

export interface AutomationClientOptions {
  /** Poll interval when the service sends no Retry-After (ms). */
  readonly pollIntervalMs?: number;
  /** Give up on one long-running operation after this long (ms). */
  readonly maxPollMs?: number;
  /** Upper bound for one Retry-After wait (ms). */
  readonly maxRetryAfterMs?: number;
  /** How long a runbook just created may answer 404 before the client gives up (ms; ARM's eventual consistency). */
  readonly propagationWaitMs?: number;
  /** Injected by tests. */
  readonly sleep?: Sleep;
  readonly now?: () => number;
}

/** Says the runbook was created by this very deploy, so a 404 for it means "not there yet"; `onWait` is told once when it is waited for. */
export interface JustCreated {
  readonly onWait?: () => void;
}

export class AutomationOperationError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'AutomationOperationError';
  }
}

/** Parses and checks an Automation account id; throws a plain-words error otherwise. */
export function parseAutomationAccountId(id: string): ResourceId {
  const parsed = typeof id === 'string' ? parseResourceId(id.trim()) : undefined;
  if (!parsed || parsed.resourceGroup === undefined || parsed.type.toLowerCase() !== 'microsoft.automation/automationaccounts') {
    throw new Error(
      `"automationAccount" must be an Automation account's resource id, /subscriptions/{id}/resourceGroups/{group}/providers/Microsoft.Automation/automationAccounts/{name}; got ${quote(String(id))}.`,
    );
  }
  return parsed;
}

/** ARM's rule for Automation account names (6 to 50 characters), as the service and the sandbox check it. */
export const AUTOMATION_ACCOUNT_NAME_PATTERN = /^[a-zA-Z][a-zA-Z0-9-]{4,48}[a-zA-Z0-9]$/;
// Resource group names: 1 to 90 letters (any script), digits, "_", "-", "." and parentheses, not ending with ".".
const RESOURCE_GROUP_PATTERN = /^[-\w.()\p{L}\p{N}]{1,90}$/u;

/**
 * An Automation account id given by a caller, checked part by part before anything is sent: the shape
 * and type (parseAutomationAccountId), then a GUID subscription, a valid resource group and a valid
 * account name. So a malformed id is refused with what is wrong in it, and none of its parts can add
 * a path segment (`..`) or a query (`?`) to the requests built from it.
 */
export function checkAutomationAccountId(id: unknown): ResourceId {
  const label = '"automationAccount"';
  if (typeof id !== 'string')
    throw new Error(`${label} must be an Automation account's resource id (a string); got ${quote(JSON.stringify(id) ?? String(id))}.`);
  const parsed = parseResourceId(id.trim());
  if (parsed && parsed.resourceGroup !== undefined && parsed.type.toLowerCase() !== 'microsoft.automation/automationaccounts') {
    throw new Error(
      `${label} must be an Automation account's resource id, /subscriptions/{id}/resourceGroups/{group}/providers/Microsoft.Automation/automationAccounts/{name}; ${quote(id)} is a ${quote(parsed.type)} resource.`,
    );
  }
  const account = parseAutomationAccountId(id);
  if (!isGuid(account.subscriptionId)) throw new Error(`${label}: the subscription id in it must be a GUID; ${notAGuid(account.subscriptionId)}.`);
  const group = account.resourceGroup as string;
  if (!RESOURCE_GROUP_PATTERN.test(group) || group.endsWith('.')) {
    throw new Error(
      `${label}: the resource group name ${quote(group)} is not valid (1 to 90 letters, digits, "_", "-", "." or parentheses, not ending with ".").`,
    );
  }
  if (!AUTOMATION_ACCOUNT_NAME_PATTERN.test(account.name)) {
    throw new Error(
      `${label}: the account name ${quote(account.name)} is not valid (6 to 50 letters, digits or "-", starting with a letter and ending with a letter or digit).`,
    );
  }
  return account;
}

/** Why `name` is not a valid runbook name, or undefined when it is. */
export function checkRunbookName(name: string): string | undefined {
  if (name.length === 0) return 'Enter a runbook name.';
  if (name.length > RUNBOOK_NAME_MAX) return `At most ${RUNBOOK_NAME_MAX} characters.`;
  if (!RUNBOOK_NAME_PATTERN.test(name)) return 'A runbook name starts with a letter and has only letters, digits, "-" and "_".';
  return undefined;
}

/** A runbook name derived from a file name: invalid characters become "-". */
export function runbookNameFromFileName(fileName: string): string {
  const base = fileName.replace(/^.*[\\/]/, '').replace(/\.[^.]*$/, '');
  let name = base
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/^[^A-Za-z]+/, '')
    .slice(0, RUNBOOK_NAME_MAX);
  if (name === '') name = 'Runbook';
  return name;
}

/** True when the account's system-assigned identity is on. */
export function hasSystemAssignedIdentity(account: AutomationAccount): boolean {
  return (account.identity?.type ?? '').split(',').some((t) => t.trim().toLowerCase() === 'systemassigned');
}

/** The user-assigned identity attached to the account with this client id, if any. */
export function findUserAssignedIdentity(account: AutomationAccount, clientId: string): string | undefined {
  const entries = Object.entries(account.identity?.userAssignedIdentities ?? {});
  return entries.find(([, v]) => v.clientId?.toLowerCase() === clientId.toLowerCase())?.[0];
}

/**
 * The PATCH body that turns on the system-assigned identity and keeps every user-assigned one:
 * `{"identity":{"type":"SystemAssigned"}}` alone would remove them (AZD automation MI doc).
 */
export function identityPatchEnablingSystemAssigned(account: AutomationAccount): {
  identity: { type: string; userAssignedIdentities?: Record<string, Record<string, never>> };
} {
  const userAssigned = Object.keys(account.identity?.userAssignedIdentities ?? {});
  if (userAssigned.length === 0) return { identity: { type: 'SystemAssigned' } };
  return { identity: { type: 'SystemAssigned, UserAssigned', userAssignedIdentities: Object.fromEntries(userAssigned.map((id) => [id, {}])) } };
}

/** A module is usable when ARM says it was created or succeeded. */
function moduleIsReady(module: AutomationModule | undefined): boolean {
  const state = module?.properties?.provisioningState?.toLowerCase();
  return state === 'succeeded' || state === 'created' || (state === undefined && module !== undefined);
}

export interface ModuleStatus {
  readonly name: string;
  readonly contentLink: string;
  /**
   * `present` ready at a good version, `outdated` there but older than needed (or not at its group's
   * version), `importing` still being imported, `failed` import failed, `missing` not there.
   */
  readonly status: 'present' | 'outdated' | 'importing' | 'failed' | 'missing';
  /** The version found in the account, when there is one. */
  readonly version?: string;
  /** The version the runbook needs (and an import brings). */
  readonly requiredVersion?: string;
}

/** Statuses an import fixes. */
export function needsImport(status: ModuleStatus['status']): boolean {
  return status === 'missing' || status === 'failed' || status === 'outdated';
}

/**
 * Compares what a runbook needs with what the account (or runtime environment) has, by name
 * (case-insensitively) and version. A module older than the pinned version counts as `outdated`, to be
 * imported at the pinned version. Modules of one version group (the Microsoft Graph PowerShell SDK) must
 * share one version: the highest of the pinned one and those the account already has ready is the target
 * of the whole group, so nothing is downgraded and the group still matches.
 */
export function compareModules(
  required: ReadonlyArray<{ name: string; contentLink: string; version?: string; versionGroup?: string }>,
  existing: readonly AutomationModule[],
): ModuleStatus[] {
  const byName = new Map(existing.map((m) => [m.name.toLowerCase(), m]));
  const readyVersion = (name: string) => {
    const found = byName.get(name.toLowerCase());
    return found && moduleIsReady(found) ? (found.properties?.version ?? undefined) : undefined;
  };
  // A group's version: the highest of the pinned one and the versions its members already have ready, so
  // nothing is downgraded and every member ends at one version.
  const groupTarget = new Map<string, string>();
  for (const r of required) {
    if (!r.versionGroup || !r.version) continue;
    const candidates = [groupTarget.get(r.versionGroup) ?? r.version, r.version, readyVersion(r.name)?.replace(/\+.*$/, '')].filter(
      (v): v is string => v !== undefined && isModuleVersion(v),
    );
    groupTarget.set(
      r.versionGroup,
      candidates.reduce((a, b) => (compareModuleVersions(b, a) > 0 ? b : a)),
    );
  }
  return required.map((r) => {
    const found = byName.get(r.name.toLowerCase());
    const state = found?.properties?.provisioningState?.toLowerCase();
    const version = found?.properties?.version ?? undefined;
    const target = (r.versionGroup && groupTarget.get(r.versionGroup)) || r.version;
    const contentLink = target && target !== r.version ? powerShellGalleryContentLink(r.name, target) : r.contentLink;
    let status: ModuleStatus['status'];
    if (!found) status = 'missing';
    else if (!moduleIsReady(found)) status = state === 'failed' || state === 'canceled' || state === 'cancelled' ? 'failed' : 'importing';
    else if (!target) status = 'present';
    // A group must match exactly; a single module may be newer than the pin.
    else if (!version || (r.versionGroup ? compareModuleVersions(version, target) !== 0 : compareModuleVersions(version, target) < 0)) status = 'outdated';
    else status = 'present';
    return { name: r.name, contentLink, status, ...(version ? { version } : {}), ...(target ? { requiredVersion: target } : {}) };
  });
}

/** How a runtime environment in the list can serve a runbook: its language and version match. */
function runsSpec(env: RuntimeEnvironment, spec: { language: string; version: string }): boolean {
  const runtime = env.properties?.runtime;
  return runtime?.language?.toLowerCase() === spec.language.toLowerCase() && runtime?.version === spec.version;
}

/** Whether Automation made this environment itself: its names carry a dot (not allowed for new ones) or its description says so. */
export function isSystemGeneratedEnvironment(env: RuntimeEnvironment): boolean {
  return !RUNTIME_ENVIRONMENT_NAME_PATTERN.test(env.name) || /^system-generated/i.test(String(env.properties?.description ?? ''));
}

export interface EnvironmentChoiceOptions {
  /** The environment the runbook is linked to today: kept when it runs the same language and version. */
  readonly current?: string;
  /** The runbook needs packages imported: system-generated environments cannot be edited, so they do not qualify. */
  readonly needsPackages?: boolean;
}

/**
 * Which runtime environment a runbook of this language and version links to: the account's own first
 * (the one the runbook is linked to today, the one named as we would name it, then a system-generated one,
 * then any other by name), so a deploy never makes a second environment for a runtime the account already
 * has and never moves a runbook off its team's environment. A runbook that needs packages skips the
 * system-generated ones, which cannot be edited. Otherwise the name of a new one: `spec.newName`, with
 * `-2`, `-3`… when another runtime already holds that name.
 */
export function chooseRuntimeEnvironment(
  existing: readonly RuntimeEnvironment[],
  spec: { language: string; version: string; newName: string },
  options: EnvironmentChoiceOptions = {},
): { readonly reuse: RuntimeEnvironment } | { readonly create: string } {
  const matching = existing.filter((e) => runsSpec(e, spec) && !(options.needsPackages && isSystemGeneratedEnvironment(e)));
  const current = options.current?.toLowerCase();
  const rank = (e: RuntimeEnvironment) =>
    e.name.toLowerCase() === current ? 0 : e.name.toLowerCase() === spec.newName.toLowerCase() ? 1 : isSystemGeneratedEnvironment(e) ? 2 : 3;
  const best = [...matching].sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name))[0];
  if (best) return { reuse: best };
  const taken = new Set(existing.map((e) => e.name.toLowerCase()));
  let name = spec.newName;
  for (let i = 2; taken.has(name.toLowerCase()); i++) name = `${spec.newName}-${i}`;
  return { create: name };
}

function header(headers: Record<string, string>, name: string): string | undefined {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}

/** Retry-After in ms: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(headers: Record<string, string>, now: number = Date.now()): number | undefined {
  const value = header(headers, 'retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function enc(value: string): string {
  return encodeURIComponent(value);
}

export class AutomationClient {
  private readonly pollIntervalMs: number;
  private readonly maxPollMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly propagationWaitMs: number;
  private readonly sleep: Sleep;
  private readonly now: () => number;

  constructor(
    private readonly arm: ArmRequester,
    private readonly armUrl: string,
    options: AutomationClientOptions = {},
  ) {
    this.pollIntervalMs = options.pollIntervalMs ?? 2_000;
    this.maxPollMs = options.maxPollMs ?? 10 * 60_000;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
    this.propagationWaitMs = options.propagationWaitMs ?? 120_000;
    this.sleep = options.sleep ?? sleep;
    this.now = options.now ?? Date.now;
  }

  // --- subscriptions and accounts

  listSubscriptions(signal?: AbortSignal): Promise<Subscription[]> {
    return this.arm.listAll<Subscription>('/subscriptions', SUBSCRIPTIONS_API_VERSION, signal);
  }

  listAccounts(subscriptionId: string, signal?: AbortSignal): Promise<AutomationAccount[]> {
    return this.arm.listAll<AutomationAccount>(
      `/subscriptions/${enc(subscriptionId)}/providers/Microsoft.Automation/automationAccounts`,
      AUTOMATION_API_VERSION,
      signal,
    );
  }

  async getAccount(accountId: string, signal?: AbortSignal): Promise<AutomationAccount> {
    parseAutomationAccountId(accountId);
    return (await this.arm.request<AutomationAccount>('GET', accountId, { apiVersion: AUTOMATION_API_VERSION, signal })).body;
  }

  /** Turns on the system-assigned identity, keeping the user-assigned ones. Returns the updated account. */
  async enableSystemAssignedIdentity(account: AutomationAccount, signal?: AbortSignal): Promise<AutomationAccount> {
    if (hasSystemAssignedIdentity(account)) return account;
    const response = await this.arm.request<AutomationAccount>('PATCH', account.id, {
      apiVersion: AUTOMATION_API_VERSION,
      body: identityPatchEnablingSystemAssigned(account),
      signal,
    });
    const updated = await this.completeOperation(response, signal);
    return updated && typeof updated === 'object' && 'id' in (updated as object) ? (updated as AutomationAccount) : this.getAccount(account.id, signal);
  }

  // --- runbooks

  private runbookPath(accountId: string, name: string): string {
    const problem = checkRunbookName(name);
    if (problem) throw new Error(`Runbook name ${quote(name)}: ${problem}`);
    return `${accountId.replace(/\/+$/, '')}/runbooks/${enc(name)}`;
  }

  /** The account's runbooks (every page). */
  async listRunbooks(accountId: string, signal?: AbortSignal): Promise<Runbook[]> {
    checkAutomationAccountId(accountId);
    return this.arm.listAll<Runbook>(`${accountId.trim().replace(/\/+$/, '')}/runbooks`, AUTOMATION_API_VERSION, signal);
  }

  async getRunbook(accountId: string, name: string, apiVersion = AUTOMATION_API_VERSION, signal?: AbortSignal): Promise<Runbook | undefined> {
    try {
      return (await this.arm.request<Runbook>('GET', this.runbookPath(accountId, name), { apiVersion, signal })).body;
    } catch (error) {
      if (error instanceof ArmRequestError && error.status === 404) return undefined;
      throw error;
    }
  }

  /** PUT the runbook as a draft (`draft: {}`) with its type and runtime environment. */
  async createOrUpdateRunbook(accountId: string, name: string, location: string, definition: RunbookDefinition, signal?: AbortSignal): Promise<Runbook> {
    const body = {
      name,
      location,
      properties: {
        runbookType: definition.runbookType,
        ...(definition.runtimeEnvironment ? { runtimeEnvironment: definition.runtimeEnvironment } : {}),
        logVerbose: false,
        logProgress: false,
        ...(definition.description ? { description: definition.description } : {}),
        draft: {},
      },
    };
    const response = await this.arm.request<Runbook>('PUT', this.runbookPath(accountId, name), { apiVersion: definition.apiVersion, body, signal });
    await this.completeOperation(response, signal);
    return (await this.getRunbook(accountId, name, definition.apiVersion, signal)) ?? response.body;
  }

  /**
   * A request on a runbook created a moment ago (`justCreated` given): ARM can answer 404 for a while
   * after the runbook PUT (hashicorp/terraform-provider-azurerm #4403, #8264), so a 404 is tried again,
   * bounded by `propagationWaitMs`, and `justCreated.onWait` says so once. Without it (a runbook that
   * existed before) a 404 stands at once. Any other answer ends it.
   */
  private async whenVisible<T>(send: () => Promise<T>, signal: AbortSignal | undefined, justCreated?: JustCreated): Promise<T> {
    if (!justCreated) return send();
    const onWait = justCreated.onWait;
    const started = this.now();
    let told = false;
    for (;;) {
      try {
        return await send();
      } catch (error) {
        // Only the runbook itself not found: a missing account, group or subscription is an answer at once.
        const notYet =
          error instanceof ArmRequestError &&
          error.status === 404 &&
          (error.code === 'ResourceNotFound' || error.code === 'NotFound') &&
          /\/runbooks\//i.test(error.message);
        if (!notYet || this.now() - started >= this.propagationWaitMs) throw error;
        if (!told) onWait?.();
        told = true;
        await this.sleep(this.pollIntervalMs, signal);
      }
    }
  }

  /**
   * PUT …/draft/content with the script as the raw body; waits for the long-running operation.
   * `onAccepted` runs once Azure has accepted the upload (it may complete even if the wait is cut short);
   * `justCreated` when the runbook was created a moment ago (a 404 is then waited out, see whenVisible).
   */
  async uploadDraftContent(
    accountId: string,
    name: string,
    content: string,
    apiVersion: string,
    signal?: AbortSignal,
    onAccepted?: () => void,
    justCreated?: JustCreated,
  ): Promise<void> {
    // The spec declares `text/powershell` as the only content type of this operation, for every runbook type.
    await this.runbookOperation(
      () =>
        this.arm.request<unknown>('PUT', `${this.runbookPath(accountId, name)}/draft/content`, {
          apiVersion,
          text: { content, contentType: 'text/powershell' },
          signal,
        }),
      signal,
      onAccepted,
      justCreated,
    );
  }

  /** One long-running operation on a runbook: sent (waiting out a new runbook's 404), accepted, then followed to its end. */
  private async runbookOperation(
    send: () => Promise<ArmResponse<unknown>>,
    signal: AbortSignal | undefined,
    onAccepted: (() => void) | undefined,
    justCreated: JustCreated | undefined,
  ): Promise<void> {
    const response = await this.whenVisible(send, signal, justCreated);
    onAccepted?.();
    await this.completeOperation(response, signal);
  }

  /** POST …/publish (202 + Location); waits until the operation ends. `onAccepted` and `justCreated` as for uploadDraftContent. */
  async publishRunbook(
    accountId: string,
    name: string,
    apiVersion: string,
    signal?: AbortSignal,
    onAccepted?: () => void,
    justCreated?: JustCreated,
  ): Promise<void> {
    await this.runbookOperation(
      () => this.arm.request<unknown>('POST', `${this.runbookPath(accountId, name)}/publish`, { apiVersion, signal }),
      signal,
      onAccepted,
      justCreated,
    );
  }

  /** The draft or the published script. */
  async getRunbookContent(
    accountId: string,
    name: string,
    which: 'draft' | 'published',
    apiVersion = AUTOMATION_API_VERSION,
    signal?: AbortSignal,
  ): Promise<string> {
    const suffix = which === 'draft' ? '/draft/content' : '/content';
    const response = await this.arm.request<unknown>('GET', `${this.runbookPath(accountId, name)}${suffix}`, { apiVersion, signal });
    return typeof response.body === 'string' ? response.body : JSON.stringify(response.body);
  }

  // --- runtime environments

  private runtimeEnvironmentPath(accountId: string, name: string): string {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw new Error(`Not a runtime environment name: ${quote(name)}`);
    return `${accountId.replace(/\/+$/, '')}/runtimeEnvironments/${enc(name)}`;
  }

  async getRuntimeEnvironment(accountId: string, name: string, signal?: AbortSignal): Promise<RuntimeEnvironment | undefined> {
    try {
      return (await this.arm.request<RuntimeEnvironment>('GET', this.runtimeEnvironmentPath(accountId, name), { apiVersion: AUTOMATION_API_VERSION, signal }))
        .body;
    } catch (error) {
      if (error instanceof ArmRequestError && error.status === 404) return undefined;
      throw error;
    }
  }

  listRuntimeEnvironments(accountId: string, signal?: AbortSignal): Promise<RuntimeEnvironment[]> {
    parseAutomationAccountId(accountId);
    return this.arm.listAll<RuntimeEnvironment>(`${accountId.replace(/\/+$/, '')}/runtimeEnvironments`, AUTOMATION_API_VERSION, signal);
  }

  /**
   * The runtime environment for a runbook of this language and version: one the account already has
   * (chooseRuntimeEnvironment), or a new one under a name ARM accepts. Language and version are
   * immutable once created.
   */
  async ensureRuntimeEnvironment(
    account: AutomationAccount,
    spec: { language: string; version: string; newName: string; defaultPackages?: Readonly<Record<string, string>> },
    signal?: AbortSignal,
    options: EnvironmentChoiceOptions = {},
  ): Promise<{ environment: RuntimeEnvironment; created: boolean }> {
    const choice = chooseRuntimeEnvironment(await this.listRuntimeEnvironments(account.id, signal), spec, options);
    if ('reuse' in choice) return { environment: choice.reuse, created: false };
    if (!RUNTIME_ENVIRONMENT_NAME_PATTERN.test(choice.create)) {
      throw new Error(`Not a name ARM accepts for a new runtime environment: ${quote(choice.create)} (letters, digits, "-" and "_", starting with a letter).`);
    }
    const body = {
      location: account.location,
      properties: { runtime: { language: spec.language, version: spec.version }, defaultPackages: { ...(spec.defaultPackages ?? {}) } },
    };
    const response = await this.arm.request<RuntimeEnvironment>('PUT', this.runtimeEnvironmentPath(account.id, choice.create), {
      apiVersion: AUTOMATION_API_VERSION,
      body,
      signal,
    });
    await this.completeOperation(response, signal);
    return { environment: (await this.getRuntimeEnvironment(account.id, choice.create, signal)) ?? response.body, created: true };
  }

  // --- modules and packages

  private modulesPath(accountId: string, target: ModuleTarget): { path: string; apiVersion: string } {
    const account = accountId.replace(/\/+$/, '');
    return target.kind === 'powerShell72'
      ? { path: `${account}/powerShell72Modules`, apiVersion: POWERSHELL72_API_VERSION }
      : { path: `${this.runtimeEnvironmentPath(account, target.name)}/packages`, apiVersion: AUTOMATION_API_VERSION };
  }

  listModules(accountId: string, target: ModuleTarget, signal?: AbortSignal): Promise<AutomationModule[]> {
    const { path, apiVersion } = this.modulesPath(accountId, target);
    return this.arm.listAll<AutomationModule>(path, apiVersion, signal);
  }

  async getModule(accountId: string, target: ModuleTarget, name: string, signal?: AbortSignal): Promise<AutomationModule | undefined> {
    const { path, apiVersion } = this.modulesPath(accountId, target);
    try {
      return (await this.arm.request<AutomationModule>('GET', `${path}/${enc(name)}`, { apiVersion, signal })).body;
    } catch (error) {
      if (error instanceof ArmRequestError && error.status === 404) return undefined;
      throw error;
    }
  }

  /**
   * Imports a module from a content link (a PowerShell Gallery package URL) and waits until its
   * provisioning state ends: Succeeded/Created resolves, Failed throws with ARM's error.
   */
  async importModule(
    accountId: string,
    target: ModuleTarget,
    module: { name: string; contentLink: string; version?: string },
    signal?: AbortSignal,
    onState?: (state: string) => void,
  ): Promise<AutomationModule> {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(module.name)) throw new Error(`Not a module name: ${quote(module.name)}`);
    if (!/^https:\/\//i.test(module.contentLink)) throw new Error(`A module's content link must be an https URL; got ${quote(module.contentLink)}.`);
    const { path, apiVersion } = this.modulesPath(accountId, target);
    const url = `${path}/${enc(module.name)}`;
    const response = await this.arm.request<AutomationModule>('PUT', url, {
      apiVersion,
      body: { properties: { contentLink: { uri: module.contentLink, ...(module.version ? { version: module.version } : {}) } } },
      signal,
    });
    await this.completeOperation(response, signal);
    const started = this.now();
    let current: AutomationModule | undefined = response.body && typeof response.body === 'object' ? response.body : undefined;
    for (;;) {
      const state = current?.properties?.provisioningState;
      if (state) onState?.(state);
      const lower = state?.toLowerCase();
      if (current && moduleIsReady(current)) return current;
      if (lower === 'failed' || lower === 'canceled' || lower === 'cancelled') {
        const error = current?.properties?.error;
        throw new AutomationOperationError(
          `Importing ${module.name} ${lower === 'failed' ? 'failed' : 'was cancelled'}${error?.message ? `: ${error.message}` : '.'}`,
          error?.code ?? undefined,
        );
      }
      if (this.now() - started > this.maxPollMs)
        throw new AutomationOperationError(
          `Importing ${module.name} did not finish within ${Math.round(this.maxPollMs / 1000)} s; it goes on in Azure. Check the account's modules in the portal.`,
        );
      await this.sleep(this.pollIntervalMs, signal);
      current = await this.getModule(accountId, target, module.name, signal);
    }
  }

  // --- long-running operations

  /**
   * Completes an ARM long-running operation from its first response: 201/202 with an
   * Azure-AsyncOperation header (poll its status body) or a Location header (poll until not 202).
   * Returns the final body when there is one. A poll URL on another host than ARM is refused:
   * the bearer token must not leave for it.
   */
  async completeOperation(first: ArmResponse<unknown>, signal?: AbortSignal): Promise<unknown> {
    if (first.status !== 201 && first.status !== 202) return first.body;
    const asyncUrl = header(first.headers, 'azure-asyncoperation');
    const locationUrl = header(first.headers, 'location');
    if (!asyncUrl && !locationUrl) return first.body;
    const started = this.now();
    let retryAfter = retryAfterMs(first.headers, this.now());
    if (asyncUrl) {
      const url = this.checkPollUrl(asyncUrl);
      for (;;) {
        await this.wait(retryAfter, started, signal);
        const poll = await this.arm.request<{ status?: string; error?: { code?: string; message?: string } }>('GET', url, {
          apiVersion: AUTOMATION_API_VERSION,
          signal,
        });
        const status = (poll.body?.status ?? '').toLowerCase();
        if (status === 'succeeded') break;
        if (status === 'failed' || status === 'canceled' || status === 'cancelled') {
          throw new AutomationOperationError(
            `Azure reported the operation ${status}${poll.body?.error?.message ? `: ${poll.body.error.message}` : '.'}`,
            poll.body?.error?.code,
          );
        }
        retryAfter = retryAfterMs(poll.headers, this.now());
      }
      if (!locationUrl) return undefined;
      const final = await this.arm.request<unknown>('GET', this.checkPollUrl(locationUrl), { apiVersion: AUTOMATION_API_VERSION, signal });
      return final.body;
    }
    const url = this.checkPollUrl(locationUrl!);
    for (;;) {
      await this.wait(retryAfter, started, signal);
      const poll = await this.arm.request<unknown>('GET', url, { apiVersion: AUTOMATION_API_VERSION, signal });
      if (poll.status !== 202) return poll.body;
      retryAfter = retryAfterMs(poll.headers, this.now());
    }
  }

  private async wait(retryAfter: number | undefined, started: number, signal?: AbortSignal): Promise<void> {
    throwIfCancelled(signal);
    if (this.now() - started > this.maxPollMs) {
      throw new AutomationOperationError(`The operation did not finish within ${Math.round(this.maxPollMs / 1000)} s; it may still complete in Azure.`);
    }
    await this.sleep(Math.min(retryAfter ?? this.pollIntervalMs, this.maxRetryAfterMs), signal);
  }

  private checkPollUrl(value: string): string {
    let url: URL;
    try {
      url = new URL(value, `${this.armUrl}/`);
    } catch {
      throw new AutomationOperationError(`Azure returned an unreadable operation URL: ${quote(value)}.`);
    }
    if (url.origin !== new URL(this.armUrl).origin) {
      throw new AutomationOperationError(`Azure returned an operation URL on ${url.host}, not on ${new URL(this.armUrl).host}; not following it.`);
    }
    return url.toString();
  }
}
