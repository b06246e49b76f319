// Microsoft.Automation: Automation accounts (list by subscription / resource group, get, PUT, PATCH) with their
// managed identities, runbooks (PUT, GET, list, DELETE, draft content, publish, published content),
// PowerShell 7.2 modules, runtime environments and their packages. Long-running operations (draft content,
// publish) follow the ARM async contract through common.ts.
// Sources (azure-rest-api-specs, specification/automation/resource-manager/Microsoft.Automation):
//   stable/2024-10-23 account.json, runbook.json (+ examples/runbook/*.json), runtimeEnvironment.json,
//   package.json; stable/2023-11-01 powershell72Module.json (+ examples/*PowerShell72Module*.json).
//   Identity PATCH semantics: AZD automation "enable managed identity" (type SystemAssigned alone drops the
//   user-assigned identities; list them with "SystemAssigned, UserAssigned" to keep them).
import type { SandboxCore } from '../core';
import { armError } from '../errors';
import type { SandboxModule } from '../module';
import type { SandboxRequest, SandboxResponse } from '../router';
import type { AutomationAccount, AutomationIdentity, AutomationModule, IdentityType, ResourceGroup, Runbook, RuntimeEnvironment, Subscription } from '../state';
import {
  accountId,
  allowed,
  armSettings,
  atLeast,
  automationContext,
  badRequest,
  begin,
  isObject,
  isResponse,
  objectBody,
  ok,
  page,
  resourceGroupFor,
  resourceNotFound,
  seesSubscription,
  authorize,
  startOperation,
  subscriptionFor,
} from './common';

export const ACCOUNT_TYPE = 'Microsoft.Automation/automationAccounts';
/** Automation account names: 6–50 characters, letters, digits and '-', starting with a letter, not ending with '-'. */
const ACCOUNT_NAME = /^[a-zA-Z][a-zA-Z0-9-]{4,48}[a-zA-Z0-9]$/;
/** runbook.json `runbookName` pattern; names are at most 63 characters. */
const RUNBOOK_NAME = /^[a-zA-Z][a-zA-Z-_0-9]*$/;
/**
 * Module names. powershell72Module.json gives `^[a-zA-Z][a-zA-Z-_0-9]*$`, which refuses every dotted gallery
 * module (Az.Accounts, Microsoft.Graph.Authentication) that Automation imports every day; dots are allowed here.
 */
const MODULE_NAME = /^[a-zA-Z][a-zA-Z0-9._-]{0,62}$/;
/**
 * Names of new runtime environments: `RuntimeEnvironmentNameParameter` in common/v5/definitions.json
 * (2024-10-23). No dot: `PowerShell-7.4` is refused; the system-generated environments (`Python-3.10`)
 * keep their dotted names and can be read, not created or replaced.
 */
const RUNTIME_ENVIRONMENT_NAME = /^[a-zA-Z][a-zA-Z-_0-9]*$/;
const GALLERY_HOST = 'www.powershellgallery.com';
const GALLERY_PATH = /^\/api\/v2\/package\/([A-Za-z0-9][A-Za-z0-9._-]*)(?:\/([0-9]+(?:\.[0-9]+){1,3}(?:-[A-Za-z0-9.]+)?))?\/?$/;

/**
 * PowerShell Gallery packages the sandbox "downloads", with the versions the gallery has (oldest first,
 * the last is the latest). A link to another version fails to import, as a missing package version does.
 */
export const GALLERY_PACKAGES: Readonly<Record<string, readonly string[]>> = {
  'Az.Accounts': ['2.12.1', '4.0.2', '5.1.0'],
  'Az.Resources': ['6.16.2', '8.0.0'],
  'Az.Automation': ['1.10.0', '1.11.1'],
  'Microsoft.Graph.Authentication': ['2.25.0', '2.26.1', '2.28.0'],
  'Microsoft.Graph.Users': ['2.25.0', '2.26.1', '2.28.0'],
  'Microsoft.Graph.Applications': ['2.25.0', '2.26.1', '2.28.0'],
  'Microsoft.Graph.Identity.SignIns': ['2.25.0', '2.26.1', '2.28.0'],
  TokenMagician: ['0.1.0', '0.1.1'],
  'PnP.PowerShell': ['2.12.0', '3.1.0'],
  ExchangeOnlineManagement: ['3.7.2', '3.8.0'],
};

const BASE_RUNBOOK_TYPES = ['Script', 'Graph', 'PowerShellWorkflow', 'PowerShell', 'GraphPowerShellWorkflow', 'GraphPowerShell', 'Python2', 'Python3'];

const SYSTEM_RUNTIMES: readonly [string, 'PowerShell' | 'Python', string][] = [
  ['PowerShell-5.1', 'PowerShell', '5.1'],
  ['PowerShell-7.1', 'PowerShell', '7.1'],
  ['PowerShell-7.2', 'PowerShell', '7.2'],
  ['Python-2.7', 'Python', '2.7'],
  ['Python-3.8', 'Python', '3.8'],
  ['Python-3.10', 'Python', '3.10'],
];
/** Versions a new (custom) runtime environment may have. */
const RUNTIME_VERSIONS: Readonly<Record<'PowerShell' | 'Python', readonly string[]>> = { PowerShell: ['5.1', '7.2', '7.4', '7.6'], Python: ['3.8', '3.10'] };

const IMPORT_STATES: readonly AutomationModule['provisioningState'][] = [
  'Creating',
  'RunningImportModuleRunbook',
  'ContentRetrieved',
  'ContentDownloaded',
  'ContentValidated',
  'ContentStored',
  'ModuleDataStored',
  'ActivitiesStored',
  'ModuleImportRunbookComplete',
];

// ---- side state: what the core state model does not carry ----------------------------------------------------

type Importable = Omit<AutomationModule, 'runtimeVersion'>;

interface ImportPlan {
  reads: number;
  readonly outcome: { readonly version: string } | { readonly error: { code: string; message: string } };
}

/** Imports in progress (modules and packages), advanced by reads. */
const imports = new WeakMap<Importable, ImportPlan>();
/** Packages imported into runtime environments (their default packages come from `defaultPackages`). */
const packagesOf = new WeakMap<RuntimeEnvironment, Map<string, Importable>>();
/** Creation / modification times of runtime environments created through ARM. */
const environmentTimes = new WeakMap<RuntimeEnvironment, { createdAt: string; lastModifiedAt: string }>();

function packages(env: RuntimeEnvironment): Map<string, Importable> {
  let m = packagesOf.get(env);
  if (!m) {
    m = new Map();
    packagesOf.set(env, m);
  }
  return m;
}

function etag(): string {
  // .NET ticks, as in the spec examples ("\"636263318837230000\"").
  return `"${BigInt(Date.now()) * 10000n + 621355968000000000n}"`;
}

export function runtimeEnvironmentsApi(version: string): boolean {
  return version === '2023-05-15-preview' || atLeast(version, '2024-10-23');
}

// ---- bodies -------------------------------------------------------------------------------------------------

function identityBody(identity: AutomationIdentity): Record<string, unknown> | undefined {
  if (identity.type === 'None') return undefined;
  const out: Record<string, unknown> = { type: identity.type };
  if (identity.type.startsWith('SystemAssigned')) {
    out.principalId = identity.principalId;
    out.tenantId = identity.tenantId;
  }
  if (identity.type.endsWith('UserAssigned')) {
    out.userAssignedIdentities = Object.fromEntries(
      Object.entries(identity.userAssignedIdentities).map(([k, v]) => [k, { principalId: v.principalId, clientId: v.clientId }]),
    );
  }
  return out;
}

export function accountBody(a: AutomationAccount): Record<string, unknown> {
  const identity = identityBody(a.identity);
  return {
    id: a.id,
    name: a.name,
    type: 'Microsoft.Automation/AutomationAccounts',
    location: a.location,
    tags: { ...a.tags },
    ...(identity ? { identity } : {}),
    properties: {
      sku: { name: a.sku.name },
      state: 'Ok',
      creationTime: a.creationTime,
      lastModifiedTime: a.lastModifiedTime,
      disableLocalAuth: false,
      publicNetworkAccess: true,
      encryption: { keySource: 'Microsoft.Automation', identity: {} },
    },
  };
}

export function defaultEnvironment(runbookType: string): string | undefined {
  switch (runbookType) {
    case 'PowerShell':
      return 'PowerShell-5.1';
    case 'PowerShell72':
      return 'PowerShell-7.2';
    case 'Python2':
      return 'Python-2.7';
    case 'Python3':
      return 'Python-3.8';
    default:
      return undefined;
  }
}

function runbookBody(a: AutomationAccount, rb: Runbook, version: string): Record<string, unknown> {
  const properties: Record<string, unknown> = {
    description: rb.description,
    logVerbose: rb.logVerbose,
    logProgress: rb.logProgress,
    logActivityTrace: rb.logActivityTrace,
    parameters: {},
    runbookType: rb.runbookType,
    state: rb.state,
    jobCount: 0,
    provisioningState: 'Succeeded',
    creationTime: rb.creationTime,
    lastModifiedTime: rb.lastModifiedTime,
    outputTypes: [],
  };
  if (runtimeEnvironmentsApi(version)) {
    const env = rb.runtimeEnvironment ?? defaultEnvironment(rb.runbookType);
    if (env) properties.runtimeEnvironment = env;
  }
  if (version === '2022-06-30-preview' && rb.runtime) properties.runtime = rb.runtime;
  return {
    id: `${a.id}/runbooks/${rb.name}`,
    name: rb.name,
    type: 'Microsoft.Automation/AutomationAccounts/Runbooks',
    location: rb.location,
    tags: { ...rb.tags },
    etag: rb.etag,
    properties,
  };
}

function moduleBody(m: Importable, id: string, type: string, location: string): Record<string, unknown> {
  return {
    id,
    name: m.name,
    type,
    location,
    tags: {},
    etag: null,
    properties: {
      isGlobal: m.isGlobal,
      version: m.version,
      sizeInBytes: m.sizeInBytes,
      activityCount: m.activityCount,
      creationTime: m.creationTime,
      lastModifiedTime: m.lastModifiedTime,
      error: m.error ?? { code: null, message: null },
      provisioningState: m.provisioningState,
      isComposite: false,
      ...(m.contentLink ? { contentLink: { ...m.contentLink } } : {}),
    },
  };
}

function packageBody(p: Importable, isDefault: boolean, envId: string): Record<string, unknown> {
  return {
    id: `${envId}/packages/${p.name}`,
    name: p.name,
    type: 'Microsoft.Automation/automationAccounts/runtimeEnvironments/packages',
    systemData: { createdAt: p.creationTime, lastModifiedAt: p.lastModifiedTime },
    properties: {
      default: isDefault,
      version: p.version,
      sizeInBytes: p.sizeInBytes,
      provisioningState: p.provisioningState,
      ...(p.contentLink ? { contentLink: { ...p.contentLink } } : {}),
      error: p.error ?? { code: null, message: null },
    },
  };
}

function environmentBody(a: AutomationAccount, env: RuntimeEnvironment): Record<string, unknown> {
  const times = environmentTimes.get(env) ?? { createdAt: a.creationTime, lastModifiedAt: a.creationTime };
  return {
    name: env.name,
    id: `${a.id}/runtimeEnvironments/${env.name}`,
    type: 'Microsoft.Automation/automationAccounts/runtimeEnvironments',
    location: a.location,
    tags: {},
    systemData: { ...times },
    properties: { runtime: { language: env.language, version: env.version }, defaultPackages: { ...env.defaultPackages }, description: env.description },
  };
}

// ---- identity -----------------------------------------------------------------------------------------------

const IDENTITY_TYPES: readonly IdentityType[] = ['None', 'SystemAssigned', 'UserAssigned', 'SystemAssigned, UserAssigned'];

function normaliseIdentityType(value: unknown): IdentityType | undefined {
  if (typeof value !== 'string') return undefined;
  const parts = value
    .split(',')
    .map((p) => p.trim().toLowerCase())
    .filter(Boolean)
    .sort();
  const key = parts.join(',');
  return IDENTITY_TYPES.find(
    (t) =>
      t
        .split(',')
        .map((p) => p.trim().toLowerCase())
        .sort()
        .join(',') === key,
  );
}

/**
 * Applies an `identity` object of a PUT or PATCH. The user-assigned identities stay only when the type keeps
 * `UserAssigned`; a map value `null` detaches one; turning SystemAssigned on creates its service principal in
 * the subscription's tenant, turning it off deletes it.
 */
function applyIdentity(req: SandboxRequest, account: AutomationAccount, sub: Subscription, raw: unknown): SandboxResponse | undefined {
  if (!isObject(raw)) return badRequest(req, "The 'identity' property must be an object.", 'InvalidIdentity');
  const type = normaliseIdentityType(raw.type);
  if (!type)
    return badRequest(
      req,
      `The identity type '${String(raw.type)}' is invalid. The supported types are 'SystemAssigned', 'UserAssigned', 'SystemAssigned, UserAssigned' and 'None'.`,
      'InvalidIdentityType',
    );
  const map = raw.userAssignedIdentities;
  const wantsUser = type.endsWith('UserAssigned');
  if (map !== undefined && map !== null && !isObject(map))
    return badRequest(req, "The 'userAssignedIdentities' property must be an object keyed by identity resource ids.", 'InvalidIdentity');
  if (!wantsUser && isObject(map) && Object.keys(map).length > 0) {
    return badRequest(
      req,
      `The identity type '${type}' does not allow 'userAssignedIdentities'; use 'UserAssigned' or 'SystemAssigned, UserAssigned'.`,
      'InvalidIdentity',
    );
  }
  const next: Record<string, { principalId: string; clientId: string }> = wantsUser ? { ...account.identity.userAssignedIdentities } : {};
  if (wantsUser && isObject(map)) {
    for (const [id, value] of Object.entries(map)) {
      const existingKey = Object.keys(next).find((k) => k.toLowerCase() === id.toLowerCase());
      if (value === null) {
        if (existingKey) delete next[existingKey];
        continue;
      }
      const uami = req.core.state.findUserAssignedIdentity(id);
      if (!uami || uami.tenantId !== sub.tenantId) {
        return badRequest(
          req,
          `Resource '${id}' was not found or is not a user-assigned identity of this tenant. Identity operation for resource '${account.id}' failed.`,
          'FailedIdentityOperation',
        );
      }
      if (!existingKey) next[id] = { principalId: uami.principalId, clientId: uami.clientId };
    }
  }
  if (wantsUser && Object.keys(next).length === 0) {
    return badRequest(req, `The identity type '${type}' needs at least one entry in 'userAssignedIdentities'.`, 'InvalidIdentity');
  }
  account.identity.userAssignedIdentities = next;
  if (type.startsWith('SystemAssigned')) req.core.state.enableSystemAssignedIdentity(account);
  else if (account.identity.principalId) req.core.state.disableSystemAssignedIdentity(account);
  account.identity.type = type;
  if (!type.startsWith('SystemAssigned')) delete account.identity.tenantId;
  return undefined;
}

function stringTags(value: unknown): Record<string, string> | undefined {
  if (!isObject(value)) return undefined;
  return Object.fromEntries(Object.entries(value).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

// ---- module imports -------------------------------------------------------------------------------------------

/** Plans an import from `properties.contentLink`; answers ARM's 400 for a missing or unusable link. */
function planImport(
  req: SandboxRequest,
  name: string,
  body: Record<string, unknown>,
  gallery: boolean,
): (ImportPlan & { contentLink: { uri: string; version?: string } }) | SandboxResponse {
  const props = body.properties;
  const link = isObject(props) ? props.contentLink : undefined;
  if (!isObject(link) || typeof link.uri !== 'string' || link.uri.trim() === '') {
    return badRequest(req, "The 'properties.contentLink.uri' property is required: the URL of the module's package.");
  }
  let url: URL;
  try {
    url = new URL(link.uri);
  } catch {
    return badRequest(req, `The content link '${link.uri}' is not an absolute URL.`, 'InvalidContentLink');
  }
  if (url.protocol !== 'https:') return badRequest(req, `The content link '${link.uri}' must be an https URL.`, 'InvalidContentLink');
  const contentLink = { uri: link.uri, ...(typeof link.version === 'string' ? { version: link.version } : {}) };
  if (gallery && url.hostname.toLowerCase() === GALLERY_HOST) {
    const m = GALLERY_PATH.exec(url.pathname);
    if (!m)
      return badRequest(
        req,
        `The content link '${link.uri}' is not a PowerShell Gallery package link (https://${GALLERY_HOST}/api/v2/package/{name}[/{version}]).`,
        'InvalidContentLink',
      );
    const packageName = m[1] as string;
    const known = Object.keys(GALLERY_PACKAGES).find((k) => k.toLowerCase() === packageName.toLowerCase());
    const fail = (message: string): ImportPlan & { contentLink: typeof contentLink } => ({
      reads: 0,
      contentLink,
      outcome: { error: { code: 'ModuleImportFailed', message } },
    });
    if (!known)
      return fail(
        `Orchestrator.Shared.AsyncModuleImport.ModuleImportException: Could not download the module from the content link '${link.uri}': the PowerShell Gallery has no package '${packageName}'.`,
      );
    if (known.toLowerCase() !== name.toLowerCase())
      return fail(
        `Orchestrator.Shared.AsyncModuleImport.ModuleImportException: Cannot import the module of name ${name}, as the module structure was invalid: the package contains the module '${known}'.`,
      );
    const versions = GALLERY_PACKAGES[known] as readonly string[];
    const version = m[2];
    if (version !== undefined && !versions.includes(version))
      return fail(
        `Orchestrator.Shared.AsyncModuleImport.ModuleImportException: Could not download the module from the content link '${link.uri}': the PowerShell Gallery has no version ${version} of '${known}' (it has ${versions.join(', ')}).`,
      );
    return { reads: 0, contentLink, outcome: { version: version ?? (versions[versions.length - 1] as string) } };
  }
  return { reads: 0, contentLink, outcome: { version: typeof link.version === 'string' ? link.version : '1.0.0' } };
}

/** One read of an importing module: moves it along the provisioning states, ending in Succeeded or Failed. */
function advanceImport(core: SandboxCore, m: Importable): void {
  const plan = imports.get(m);
  if (!plan) return;
  plan.reads += 1;
  const needed = armSettings(core).moduleImportPolls;
  m.lastModifiedTime = core.state.now();
  if (plan.reads >= needed || ('error' in plan.outcome && plan.reads >= Math.min(needed, 1))) {
    imports.delete(m);
    if ('error' in plan.outcome) {
      m.provisioningState = 'Failed';
      m.error = { ...plan.outcome.error };
    } else {
      m.provisioningState = 'Succeeded';
      m.version = plan.outcome.version;
      m.sizeInBytes = 250_000 + ((m.name.length * 7919) % 700_000);
      m.activityCount = 10 + ((m.name.length * 31) % 90);
      m.error = null;
    }
    return;
  }
  m.provisioningState = IMPORT_STATES[Math.min(plan.reads, IMPORT_STATES.length - 1)] as AutomationModule['provisioningState'];
}

function startImport(core: SandboxCore, m: Importable, plan: ImportPlan & { contentLink: { uri: string; version?: string } }): void {
  m.provisioningState = 'Creating';
  m.contentLink = plan.contentLink;
  m.error = null;
  m.version = null;
  m.sizeInBytes = 0;
  m.activityCount = 0;
  m.lastModifiedTime = core.state.now();
  imports.set(m, { reads: 0, outcome: plan.outcome });
  if (armSettings(core).moduleImportPolls === 0) advanceImport(core, m);
}

// ---- routes ---------------------------------------------------------------------------------------------------

export const ACCOUNT = '/subscriptions/:sub/resourceGroups/:rg/providers/Microsoft.Automation/automationAccounts/:account';

function listAccounts(req: SandboxRequest, byResourceGroup: boolean): SandboxResponse {
  const started = begin(req, 'automation');
  if (isResponse(started)) return started;
  const { claims } = started;
  const sub = subscriptionFor(req, claims, req.params.sub ?? '');
  if (isResponse(sub)) return sub;
  let rg: ResourceGroup | undefined;
  if (byResourceGroup) {
    const found = resourceGroupFor(req, sub, req.params.rg ?? '');
    if (isResponse(found)) return found;
    rg = found;
  }
  const scope = rg ? `/subscriptions/${sub.subscriptionId}/resourceGroups/${rg.name}` : `/subscriptions/${sub.subscriptionId}`;
  if (!seesSubscription(req.core, claims, sub.subscriptionId))
    return authorize(req, claims, scope, `${ACCOUNT_TYPE}/read`, 'read') ?? ok(req, 200, { value: [] });
  const accounts = [...req.core.state.automationAccounts.values()]
    .filter((a) => a.subscriptionId === sub.subscriptionId && (!rg || a.resourceGroup.toLowerCase() === rg.name.toLowerCase()))
    .filter((a) => allowed(req.core, claims, a.id, 'Microsoft.Automation', 'read'))
    .sort((a, b) => a.name.localeCompare(b.name))
    .map(accountBody);
  const body = page(req, accounts);
  return isResponse(body) ? body : ok(req, 200, body);
}

function findRunbook(account: AutomationAccount, name: string): Runbook | undefined {
  return account.runbooks.get(name.toLowerCase());
}

/** Context of a runbook route: account plus an existing runbook (404 ResourceNotFound otherwise). */
export function runbookContext(req: SandboxRequest, access: 'read' | 'write', action: string) {
  const ctx = automationContext(req, 'automation', access, action, true);
  if (isResponse(ctx)) return ctx;
  const name = req.params.runbook ?? '';
  const runbook = findRunbook(ctx.account, name);
  // A runbook created a moment ago is not there yet for reads and draft uploads (the consistency knob).
  if (!runbook || req.core.isPropagating(runbook, req.core.consistency.runbookPropagationMs)) {
    return resourceNotFound(req, `${ACCOUNT_TYPE}/${ctx.account.name}/runbooks`, name, ctx.rg.name);
  }
  return { ...ctx, runbook };
}

function runbookTypeFor(version: string, value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const allowedTypes = [...BASE_RUNBOOK_TYPES];
  if (atLeast(version, '2022-08-08')) allowedTypes.push('PowerShell72');
  if (runtimeEnvironmentsApi(version)) allowedTypes.push('Python');
  return allowedTypes.find((t) => t.toLowerCase() === value.toLowerCase());
}

export function languageOf(runbookType: string): 'PowerShell' | 'Python' | undefined {
  if (runbookType === 'PowerShell' || runbookType === 'PowerShell72') return 'PowerShell';
  if (runbookType === 'Python' || runbookType === 'Python2' || runbookType === 'Python3') return 'Python';
  return undefined;
}

/** What an update of a runbook may change (RunbookUpdateParameters: description, log settings, tags); a new etag. */
function applyRunbookUpdate(runbook: Runbook, props: Record<string, unknown>, tags: Record<string, string> | undefined, now: string): void {
  if (typeof props.description === 'string') runbook.description = props.description;
  if (typeof props.logVerbose === 'boolean') runbook.logVerbose = props.logVerbose;
  if (typeof props.logProgress === 'boolean') runbook.logProgress = props.logProgress;
  if (typeof props.logActivityTrace === 'number') runbook.logActivityTrace = props.logActivityTrace;
  if (tags) runbook.tags = tags;
  runbook.lastModifiedTime = now;
  runbook.etag = etag();
}

function putRunbook(req: SandboxRequest): SandboxResponse {
  const ctx = automationContext(req, 'automation', 'write', `${ACCOUNT_TYPE}/runbooks/write`, true);
  if (isResponse(ctx)) return ctx;
  const { account, version } = ctx;
  const name = req.params.runbook ?? '';
  if (!RUNBOOK_NAME.test(name) || name.length > 63) {
    return badRequest(
      req,
      `The runbook name '${name}' is invalid. A runbook name starts with a letter, has only letters, digits, '-' and '_' (pattern ^[a-zA-Z][a-zA-Z-_0-9]*$) and is at most 63 characters long.`,
    );
  }
  const body = objectBody(req);
  if (isResponse(body)) return body;
  const props = body.properties;
  if (!isObject(props)) return badRequest(req, "The 'properties' property is required.");
  if (props.runbookType === undefined) return badRequest(req, "The 'properties.runbookType' property is required.");
  const runbookType = runbookTypeFor(version, props.runbookType);
  if (!runbookType) {
    return badRequest(req, `The runbook type '${String(props.runbookType)}' is not supported with api-version '${version}'.`, 'InvalidRunbookType');
  }
  if (isObject(props.draft) && isObject(props.publishContentLink)) {
    return badRequest(req, 'Provide either a content link for a published runbook or a draft, not both.');
  }
  if (props.publishContentLink !== undefined) {
    return badRequest(
      req,
      'The sandbox cannot download publishContentLink; create the runbook with "draft": {} and upload its content with PUT …/draft/content.',
      'NotSupportedInSandbox',
    );
  }
  let runtimeEnvironment: string | undefined;
  if (runtimeEnvironmentsApi(version) && props.runtimeEnvironment !== undefined && props.runtimeEnvironment !== null) {
    if (typeof props.runtimeEnvironment !== 'string')
      return badRequest(req, "The 'properties.runtimeEnvironment' property must be a runtime environment name.");
    const env = account.runtimeEnvironments.get(props.runtimeEnvironment.toLowerCase());
    if (!env)
      return badRequest(
        req,
        `The runtime environment '${props.runtimeEnvironment}' was not found in the Automation account '${account.name}'.`,
        'RuntimeEnvironmentNotFound',
      );
    const language = languageOf(runbookType);
    if (!language)
      return badRequest(req, `Runbooks of type '${runbookType}' cannot use a runtime environment; runtime environments serve PowerShell and Python runbooks.`);
    if (language !== env.language)
      return badRequest(
        req,
        `The runtime environment '${env.name}' runs ${env.language} ${env.version}; a ${runbookType} runbook needs a ${language} runtime environment.`,
        'RuntimeEnvironmentMismatch',
      );
    runtimeEnvironment = env.name;
  } else if (runbookType === 'Python') {
    return badRequest(req, "Runbooks of type 'Python' need 'properties.runtimeEnvironment' (a Python runtime environment such as Python-3.10).");
  }
  const location = typeof body.location === 'string' && body.location.trim() !== '' ? body.location : account.location;
  const tags = stringTags(body.tags);
  const now = req.core.state.now();
  const existing = findRunbook(account, name);
  if (existing) {
    if (existing.runbookType !== runbookType) {
      return badRequest(
        req,
        `The runbook '${existing.name}' is of type '${existing.runbookType}'; a runbook's type cannot change. Delete it and create it again as '${runbookType}'.`,
        'RunbookTypeChangeNotAllowed',
      );
    }
    if (runtimeEnvironmentsApi(version)) existing.runtimeEnvironment = runtimeEnvironment;
    if (version === '2022-06-30-preview' && typeof props.runtime === 'string') existing.runtime = props.runtime;
    existing.location = location;
    applyRunbookUpdate(existing, props, tags, now);
    return ok(req, 200, runbookBody(account, existing, version));
  }
  const runbook: Runbook = {
    name,
    location,
    tags: tags ?? {},
    runbookType,
    ...(runtimeEnvironment ? { runtimeEnvironment } : {}),
    ...(version === '2022-06-30-preview' && typeof props.runtime === 'string' ? { runtime: props.runtime } : {}),
    state: 'New',
    description: typeof props.description === 'string' ? props.description : '',
    logVerbose: props.logVerbose === true,
    logProgress: props.logProgress === true,
    logActivityTrace: typeof props.logActivityTrace === 'number' ? props.logActivityTrace : 0,
    draftContent: null,
    publishedContent: null,
    creationTime: now,
    lastModifiedTime: now,
    etag: etag(),
  };
  account.runbooks.set(name.toLowerCase(), runbook);
  req.core.recordWrite(runbook);
  return ok(req, 201, runbookBody(account, runbook, version));
}

function putDraftContent(req: SandboxRequest): SandboxResponse {
  const ctx = runbookContext(req, 'write', `${ACCOUNT_TYPE}/runbooks/draft/write`);
  if (isResponse(ctx)) return ctx;
  const { account, runbook, version, sub } = ctx;
  const contentType = (req.headers['content-type'] ?? '').toLowerCase();
  if (/json|x-www-form-urlencoded|multipart/.test(contentType)) {
    return armError(
      req,
      415,
      'UnsupportedMediaType',
      `The content media type '${req.headers['content-type'] ?? ''}' is not supported. The runbook content is sent as 'text/powershell'.`,
    );
  }
  if (req.rawBody === '') return badRequest(req, 'The runbook draft content is required (the script as the request body).');
  const content = req.rawBody;
  const apply = () => {
    runbook.draftContent = content;
    if (runbook.state === 'Published') runbook.state = 'Edit';
    runbook.lastModifiedTime = req.core.state.now();
    runbook.etag = etag();
    return {};
  };
  if (armSettings(req.core).draftContent === 'sync') {
    apply();
    return ok(req, 200, {});
  }
  const path = `/subscriptions/${sub.subscriptionId}/resourceGroups/${account.resourceGroup}/providers/Microsoft.Automation/automationAccounts/${account.name}/runbooks/${runbook.name}/draft/content`;
  const { headers } = startOperation(req, version, {
    resourcePath: path,
    location: true,
    asyncOperation: { subscriptionId: sub.subscriptionId, location: account.location },
    complete: apply,
  });
  return ok(req, 202, undefined, headers);
}

function publish(req: SandboxRequest): SandboxResponse {
  const ctx = runbookContext(req, 'write', `${ACCOUNT_TYPE}/runbooks/publish/action`);
  if (isResponse(ctx)) return ctx;
  const { account, runbook, version, sub } = ctx;
  const path = `/subscriptions/${sub.subscriptionId}/resourceGroups/${account.resourceGroup}/providers/Microsoft.Automation/automationAccounts/${account.name}/runbooks/${runbook.name}/publish`;
  const { headers } = startOperation(req, version, {
    resourcePath: path,
    location: true,
    complete: () => {
      if (runbook.draftContent === null) {
        return {
          error: {
            status: 400,
            code: 'BadRequest',
            message: `The runbook '${runbook.name}' has no draft content to publish. Upload it with PUT …/draft/content first.`,
          },
        };
      }
      runbook.publishedContent = runbook.draftContent;
      runbook.draftContent = null;
      runbook.state = 'Published';
      runbook.lastModifiedTime = req.core.state.now();
      runbook.etag = etag();
      return {};
    },
  });
  return ok(req, 202, undefined, headers);
}

function scriptResponse(req: SandboxRequest, content: string): SandboxResponse {
  return {
    status: 200,
    headers: { 'content-type': 'text/powershell', 'x-ms-request-id': req.requestId, 'x-ms-correlation-request-id': req.requestId },
    body: content,
  };
}

function listModules(req: SandboxRequest): SandboxResponse {
  const ctx = automationContext(req, 'powerShell72Modules', 'read', `${ACCOUNT_TYPE}/powerShell72Modules/read`, true);
  if (isResponse(ctx)) return ctx;
  const modules = [...ctx.account.modules.values()].filter((m) => m.runtimeVersion === '7.2').sort((a, b) => a.name.localeCompare(b.name));
  for (const m of modules) advanceImport(req.core, m);
  const body = page(
    req,
    modules.map((m) =>
      moduleBody(m, `${ctx.account.id}/powerShell72Modules/${m.name}`, 'Microsoft.Automation/AutomationAccounts/PowerShell72Modules', ctx.account.location),
    ),
  );
  return isResponse(body) ? body : ok(req, 200, body);
}

function environmentContext(req: SandboxRequest, access: 'read' | 'write', action: string) {
  const ctx = automationContext(req, 'runtimeEnvironments', access, action, true);
  if (isResponse(ctx)) return ctx;
  const name = req.params.env ?? '';
  const env = ctx.account.runtimeEnvironments.get(name.toLowerCase());
  return { ...ctx, name, env };
}

export const automationModule: SandboxModule = {
  name: 'arm-automation',
  area: 'arm',
  register(r) {
    // -- accounts
    r.get('/subscriptions/:sub/providers/Microsoft.Automation/automationAccounts', (req) => listAccounts(req, false));
    r.get('/subscriptions/:sub/resourceGroups/:rg/providers/Microsoft.Automation/automationAccounts', (req) => listAccounts(req, true));

    r.get(ACCOUNT, (req) => {
      const ctx = automationContext(req, 'automation', 'read', `${ACCOUNT_TYPE}/read`, false);
      return isResponse(ctx) ? ctx : ok(req, 200, accountBody(ctx.account));
    });

    r.put(ACCOUNT, (req) => {
      const started = begin(req, 'automation');
      if (isResponse(started)) return started;
      const { claims } = started;
      const sub = subscriptionFor(req, claims, req.params.sub ?? '');
      if (isResponse(sub)) return sub;
      const rg = resourceGroupFor(req, sub, req.params.rg ?? '');
      if (isResponse(rg)) return rg;
      const name = req.params.account ?? '';
      const id = accountId(sub.subscriptionId, rg.name, name);
      const denied = authorize(req, claims, id, `${ACCOUNT_TYPE}/write`, 'write');
      if (denied) return denied;
      if (!ACCOUNT_NAME.test(name)) {
        return badRequest(
          req,
          `The Automation account name '${name}' is invalid. It has 6 to 50 characters (letters, digits and hyphens), starts with a letter and ends with a letter or digit.`,
          'InvalidAccountName',
        );
      }
      const body = objectBody(req);
      if (isResponse(body)) return body;
      if (typeof body.location !== 'string' || body.location.trim() === '')
        return armError(req, 400, 'LocationRequired', 'The location property is required for this definition.');
      const props = isObject(body.properties) ? body.properties : {};
      const skuName = isObject(props.sku) ? props.sku.name : undefined;
      if (skuName !== undefined && skuName !== 'Free' && skuName !== 'Basic')
        return badRequest(req, `The SKU '${String(skuName)}' is invalid. The supported SKUs are 'Free' and 'Basic'.`, 'InvalidSku');
      const now = req.core.state.now();
      const existing = req.core.state.findAutomationAccount(id);
      const account: AutomationAccount = existing ?? {
        id,
        subscriptionId: sub.subscriptionId,
        resourceGroup: rg.name,
        name,
        location: body.location,
        tags: {},
        sku: { name: 'Basic' },
        identity: { type: 'None', userAssignedIdentities: {} },
        creationTime: now,
        lastModifiedTime: now,
        runbooks: new Map(),
        modules: new Map(),
        runtimeEnvironments: new Map(),
      };
      if (body.identity !== undefined) {
        const failed = applyIdentity(req, account, sub, body.identity);
        if (failed) return failed;
      }
      if (skuName === 'Free' || skuName === 'Basic') account.sku = { name: skuName };
      account.tags = stringTags(body.tags) ?? account.tags;
      account.lastModifiedTime = now;
      if (existing) return ok(req, 200, accountBody(account));
      for (const [envName, language, version] of SYSTEM_RUNTIMES) {
        account.runtimeEnvironments.set(envName.toLowerCase(), {
          name: envName,
          language,
          version,
          defaultPackages: language === 'PowerShell' && version !== '5.1' ? { Az: '11.2.0' } : {},
          description: `System-generated Runtime Environment for your Automation account with Runtime ${language} ${version}`,
          isSystem: true,
        });
      }
      req.core.state.addAutomationAccount(account);
      return ok(req, 201, accountBody(account));
    });

    r.patch(ACCOUNT, (req) => {
      const ctx = automationContext(req, 'automation', 'write', `${ACCOUNT_TYPE}/write`, false);
      if (isResponse(ctx)) return ctx;
      const { account, sub } = ctx;
      const body = objectBody(req);
      if (isResponse(body)) return body;
      const props = isObject(body.properties) ? body.properties : {};
      const skuName = isObject(props.sku) ? props.sku.name : undefined;
      if (skuName !== undefined && skuName !== 'Free' && skuName !== 'Basic')
        return badRequest(req, `The SKU '${String(skuName)}' is invalid. The supported SKUs are 'Free' and 'Basic'.`, 'InvalidSku');
      if (body.identity !== undefined) {
        const failed = applyIdentity(req, account, sub, body.identity);
        if (failed) return failed;
      }
      if (skuName === 'Free' || skuName === 'Basic') account.sku = { name: skuName };
      const tags = stringTags(body.tags);
      if (tags) account.tags = tags;
      account.lastModifiedTime = req.core.state.now();
      return ok(req, 200, accountBody(account));
    });

    // -- runbooks
    r.get(`${ACCOUNT}/runbooks`, (req) => {
      const ctx = automationContext(req, 'automation', 'read', `${ACCOUNT_TYPE}/runbooks/read`, true);
      if (isResponse(ctx)) return ctx;
      const items = [...ctx.account.runbooks.values()].sort((a, b) => a.name.localeCompare(b.name)).map((rb) => runbookBody(ctx.account, rb, ctx.version));
      const body = page(req, items);
      return isResponse(body) ? body : ok(req, 200, body);
    });
    r.get(`${ACCOUNT}/runbooks/:runbook`, (req) => {
      const ctx = runbookContext(req, 'read', `${ACCOUNT_TYPE}/runbooks/read`);
      return isResponse(ctx) ? ctx : ok(req, 200, runbookBody(ctx.account, ctx.runbook, ctx.version));
    });
    r.put(`${ACCOUNT}/runbooks/:runbook`, putRunbook);
    // Runbook_Update: description, log settings and tags only (RunbookUpdateParameters); type and runtime stay.
    r.patch(`${ACCOUNT}/runbooks/:runbook`, (req) => {
      const ctx = runbookContext(req, 'write', `${ACCOUNT_TYPE}/runbooks/write`);
      if (isResponse(ctx)) return ctx;
      const body = objectBody(req);
      if (isResponse(body)) return body;
      const props = isObject(body.properties) ? body.properties : {};
      applyRunbookUpdate(ctx.runbook, props, stringTags(body.tags), req.core.state.now());
      return ok(req, 200, runbookBody(ctx.account, ctx.runbook, ctx.version));
    });
    r.delete(`${ACCOUNT}/runbooks/:runbook`, (req) => {
      const ctx = automationContext(req, 'automation', 'write', `${ACCOUNT_TYPE}/runbooks/delete`, true);
      if (isResponse(ctx)) return ctx;
      const key = (req.params.runbook ?? '').toLowerCase();
      if (!ctx.account.runbooks.has(key)) return ok(req, 204, undefined);
      ctx.account.runbooks.delete(key);
      return ok(req, 200, undefined);
    });
    r.put(`${ACCOUNT}/runbooks/:runbook/draft/content`, putDraftContent);
    r.get(`${ACCOUNT}/runbooks/:runbook/draft/content`, (req) => {
      const ctx = runbookContext(req, 'read', `${ACCOUNT_TYPE}/runbooks/draft/readContent/action`);
      if (isResponse(ctx)) return ctx;
      const content = ctx.runbook.draftContent ?? ctx.runbook.publishedContent;
      if (content === null) return armError(req, 404, 'NotFound', `The runbook '${ctx.runbook.name}' has no draft content.`);
      return scriptResponse(req, content);
    });
    r.post(`${ACCOUNT}/runbooks/:runbook/publish`, publish);
    r.get(`${ACCOUNT}/runbooks/:runbook/content`, (req) => {
      const ctx = runbookContext(req, 'read', `${ACCOUNT_TYPE}/runbooks/readContent/action`);
      if (isResponse(ctx)) return ctx;
      if (ctx.runbook.publishedContent === null)
        return armError(req, 404, 'NotFound', `The runbook '${ctx.runbook.name}' has not been published; it has no published content.`);
      return scriptResponse(req, ctx.runbook.publishedContent);
    });

    // -- PowerShell 7.2 modules (2023-11-01)
    r.get(`${ACCOUNT}/powerShell72Modules`, listModules);
    r.get(`${ACCOUNT}/powerShell72Modules/:module`, (req) => {
      const ctx = automationContext(req, 'powerShell72Modules', 'read', `${ACCOUNT_TYPE}/powerShell72Modules/read`, true);
      if (isResponse(ctx)) return ctx;
      const name = req.params.module ?? '';
      const m = ctx.account.modules.get(`7.2/${name.toLowerCase()}`);
      if (!m) return resourceNotFound(req, `${ACCOUNT_TYPE}/${ctx.account.name}/powerShell72Modules`, name, ctx.rg.name);
      advanceImport(req.core, m);
      return ok(
        req,
        200,
        moduleBody(m, `${ctx.account.id}/powerShell72Modules/${m.name}`, 'Microsoft.Automation/AutomationAccounts/PowerShell72Modules', ctx.account.location),
      );
    });
    // `mustExist` for PowerShell72Module_Update (PATCH), which changes a module that is there.
    const putModule = (req: SandboxRequest, mustExist = false): SandboxResponse => {
      const ctx = automationContext(req, 'powerShell72Modules', 'write', `${ACCOUNT_TYPE}/powerShell72Modules/write`, true);
      if (isResponse(ctx)) return ctx;
      if (mustExist && !ctx.account.modules.has(`7.2/${(req.params.module ?? '').toLowerCase()}`))
        return resourceNotFound(req, `${ACCOUNT_TYPE}/${ctx.account.name}/powerShell72Modules`, req.params.module ?? '', ctx.rg.name);
      const name = req.params.module ?? '';
      if (!MODULE_NAME.test(name))
        return badRequest(req, `The module name '${name}' is invalid. A module name starts with a letter and has only letters, digits, '.', '-' and '_'.`);
      const body = objectBody(req);
      if (isResponse(body)) return body;
      const plan = planImport(req, name, body, true);
      if (isResponse(plan)) return plan;
      const key = `7.2/${name.toLowerCase()}`;
      const existing = ctx.account.modules.get(key);
      if (existing?.isGlobal) return badRequest(req, `The module '${existing.name}' is a global module and cannot be replaced.`);
      const now = req.core.state.now();
      const m: AutomationModule = existing ?? {
        name,
        runtimeVersion: '7.2',
        version: null,
        provisioningState: 'Creating',
        contentLink: null,
        isGlobal: false,
        sizeInBytes: 0,
        activityCount: 0,
        error: null,
        creationTime: now,
        lastModifiedTime: now,
      };
      startImport(req.core, m, plan);
      if (!existing) ctx.account.modules.set(key, m);
      return ok(
        req,
        existing ? 200 : 201,
        moduleBody(m, `${ctx.account.id}/powerShell72Modules/${m.name}`, 'Microsoft.Automation/AutomationAccounts/PowerShell72Modules', ctx.account.location),
      );
    };
    r.put(`${ACCOUNT}/powerShell72Modules/:module`, (req) => putModule(req));
    // PowerShell72Module_Update: a new content link imports the module again; the module must exist.
    r.patch(`${ACCOUNT}/powerShell72Modules/:module`, (req) => putModule(req, true));
    r.delete(`${ACCOUNT}/powerShell72Modules/:module`, (req) => {
      const ctx = automationContext(req, 'powerShell72Modules', 'write', `${ACCOUNT_TYPE}/powerShell72Modules/delete`, true);
      if (isResponse(ctx)) return ctx;
      const key = `7.2/${(req.params.module ?? '').toLowerCase()}`;
      const m = ctx.account.modules.get(key);
      if (!m) return ok(req, 204, undefined);
      if (m.isGlobal) return badRequest(req, `The module '${m.name}' is a global module and cannot be deleted.`);
      ctx.account.modules.delete(key);
      return ok(req, 200, undefined);
    });

    // -- runtime environments (2023-05-15-preview, 2024-10-23)
    r.get(`${ACCOUNT}/runtimeEnvironments`, (req) => {
      const ctx = automationContext(req, 'runtimeEnvironments', 'read', `${ACCOUNT_TYPE}/runtimeEnvironments/read`, true);
      if (isResponse(ctx)) return ctx;
      const items = [...ctx.account.runtimeEnvironments.values()].sort((a, b) => a.name.localeCompare(b.name)).map((e) => environmentBody(ctx.account, e));
      const body = page(req, items);
      return isResponse(body) ? body : ok(req, 200, body);
    });
    r.get(`${ACCOUNT}/runtimeEnvironments/:env`, (req) => {
      const ctx = environmentContext(req, 'read', `${ACCOUNT_TYPE}/runtimeEnvironments/read`);
      if (isResponse(ctx)) return ctx;
      return ctx.env
        ? ok(req, 200, environmentBody(ctx.account, ctx.env))
        : resourceNotFound(req, `${ACCOUNT_TYPE}/${ctx.account.name}/runtimeEnvironments`, ctx.name, ctx.rg.name);
    });
    r.put(`${ACCOUNT}/runtimeEnvironments/:env`, (req) => {
      const ctx = environmentContext(req, 'write', `${ACCOUNT_TYPE}/runtimeEnvironments/write`);
      if (isResponse(ctx)) return ctx;
      if (!RUNTIME_ENVIRONMENT_NAME.test(ctx.name))
        return badRequest(
          req,
          `The runtime environment name '${ctx.name}' is invalid. It must match the pattern '^[a-zA-Z][a-zA-Z-_0-9]*$': a letter first, then letters, digits, '-' and '_' (no '.').`,
        );
      const body = objectBody(req);
      if (isResponse(body)) return body;
      const props = body.properties;
      if (!isObject(props)) return badRequest(req, "The 'properties' property is required.");
      const runtime = props.runtime;
      if (!isObject(runtime) || typeof runtime.language !== 'string' || typeof runtime.version !== 'string') {
        return badRequest(req, 'The \'properties.runtime\' property is required: {"language": "PowerShell" | "Python", "version": "…"}.');
      }
      const language = (['PowerShell', 'Python'] as const).find((l) => l.toLowerCase() === String(runtime.language).toLowerCase());
      if (!language)
        return badRequest(
          req,
          `The runtime language '${runtime.language}' is not supported. The supported languages are 'PowerShell' and 'Python'.`,
          'InvalidRuntime',
        );
      const defaultPackages = props.defaultPackages;
      if (defaultPackages !== undefined && (!isObject(defaultPackages) || Object.values(defaultPackages).some((v) => typeof v !== 'string'))) {
        return badRequest(req, "The 'properties.defaultPackages' property maps package names to versions (strings).");
      }
      const now = req.core.state.now();
      if (ctx.env) {
        if (ctx.env.language !== language || ctx.env.version !== runtime.version) {
          return badRequest(
            req,
            `The runtime of a runtime environment cannot change: '${ctx.env.name}' runs ${ctx.env.language} ${ctx.env.version}.`,
            'RuntimeUpdateNotAllowed',
          );
        }
        if (defaultPackages) ctx.env.defaultPackages = { ...(defaultPackages as Record<string, string>) };
        if (typeof props.description === 'string') ctx.env.description = props.description;
        const times = environmentTimes.get(ctx.env);
        if (times) times.lastModifiedAt = now;
        return ok(req, 200, environmentBody(ctx.account, ctx.env));
      }
      if (!RUNTIME_VERSIONS[language].includes(runtime.version)) {
        return badRequest(
          req,
          `${language} ${runtime.version} is not supported for new runtime environments. The supported versions are ${RUNTIME_VERSIONS[language].join(', ')}.`,
          'InvalidRuntime',
        );
      }
      const env: RuntimeEnvironment = {
        name: ctx.name,
        language,
        version: runtime.version,
        defaultPackages: { ...((defaultPackages as Record<string, string> | undefined) ?? {}) },
        description: typeof props.description === 'string' ? props.description : '',
        isSystem: false,
      };
      environmentTimes.set(env, { createdAt: now, lastModifiedAt: now });
      ctx.account.runtimeEnvironments.set(ctx.name.toLowerCase(), env);
      return ok(req, 201, environmentBody(ctx.account, env));
    });
    r.patch(`${ACCOUNT}/runtimeEnvironments/:env`, (req) => {
      const ctx = environmentContext(req, 'write', `${ACCOUNT_TYPE}/runtimeEnvironments/write`);
      if (isResponse(ctx)) return ctx;
      if (!ctx.env) return resourceNotFound(req, `${ACCOUNT_TYPE}/${ctx.account.name}/runtimeEnvironments`, ctx.name, ctx.rg.name);
      if (ctx.env.isSystem) return badRequest(req, `The runtime environment '${ctx.env.name}' is system-generated and cannot be edited.`);
      const body = objectBody(req);
      if (isResponse(body)) return body;
      const props = isObject(body.properties) ? body.properties : {};
      if (props.defaultPackages !== undefined) {
        if (!isObject(props.defaultPackages) || Object.values(props.defaultPackages).some((v) => typeof v !== 'string'))
          return badRequest(req, "The 'properties.defaultPackages' property maps package names to versions (strings).");
        ctx.env.defaultPackages = { ...(props.defaultPackages as Record<string, string>) };
      }
      return ok(req, 200, environmentBody(ctx.account, ctx.env));
    });
    r.delete(`${ACCOUNT}/runtimeEnvironments/:env`, (req) => {
      const ctx = environmentContext(req, 'write', `${ACCOUNT_TYPE}/runtimeEnvironments/delete`);
      if (isResponse(ctx)) return ctx;
      if (!ctx.env) return ok(req, 204, undefined);
      if (ctx.env.isSystem) return badRequest(req, `The runtime environment '${ctx.env.name}' is system-generated and cannot be deleted.`);
      ctx.account.runtimeEnvironments.delete(ctx.name.toLowerCase());
      return ok(req, 200, undefined);
    });

    // -- packages of a runtime environment (2024-10-23 package.json)
    const envPackages = (req: SandboxRequest, access: 'read' | 'write', action: string) => {
      const ctx = environmentContext(req, access, action);
      if (isResponse(ctx)) return ctx;
      if (!ctx.env) return resourceNotFound(req, `${ACCOUNT_TYPE}/${ctx.account.name}/runtimeEnvironments`, ctx.name, ctx.rg.name);
      return { ...ctx, env: ctx.env, envId: `${ctx.account.id}/runtimeEnvironments/${ctx.env.name}` };
    };
    const defaultPackage = (env: RuntimeEnvironment, account: AutomationAccount, name: string, version: string): Importable => ({
      name,
      version,
      provisioningState: 'Succeeded',
      contentLink: null,
      isGlobal: true,
      sizeInBytes: 0,
      activityCount: 0,
      error: null,
      creationTime: environmentTimes.get(env)?.createdAt ?? account.creationTime,
      lastModifiedTime: environmentTimes.get(env)?.lastModifiedAt ?? account.creationTime,
    });
    r.get(`${ACCOUNT}/runtimeEnvironments/:env/packages`, (req) => {
      const ctx = envPackages(req, 'read', `${ACCOUNT_TYPE}/runtimeEnvironments/packages/read`);
      if (isResponse(ctx)) return ctx;
      const imported = [...packages(ctx.env).values()];
      for (const p of imported) advanceImport(req.core, p);
      const items = [
        ...Object.entries(ctx.env.defaultPackages).map(([n, v]) => packageBody(defaultPackage(ctx.env, ctx.account, n, v), true, ctx.envId)),
        ...imported.sort((a, b) => a.name.localeCompare(b.name)).map((p) => packageBody(p, false, ctx.envId)),
      ];
      const body = page(req, items);
      return isResponse(body) ? body : ok(req, 200, body);
    });
    r.get(`${ACCOUNT}/runtimeEnvironments/:env/packages/:package`, (req) => {
      const ctx = envPackages(req, 'read', `${ACCOUNT_TYPE}/runtimeEnvironments/packages/read`);
      if (isResponse(ctx)) return ctx;
      const name = req.params.package ?? '';
      const p = packages(ctx.env).get(name.toLowerCase());
      if (p) {
        advanceImport(req.core, p);
        return ok(req, 200, packageBody(p, false, ctx.envId));
      }
      const def = Object.entries(ctx.env.defaultPackages).find(([n]) => n.toLowerCase() === name.toLowerCase());
      if (def) return ok(req, 200, packageBody(defaultPackage(ctx.env, ctx.account, def[0], def[1]), true, ctx.envId));
      return resourceNotFound(req, `${ACCOUNT_TYPE}/${ctx.account.name}/runtimeEnvironments/${ctx.env.name}/packages`, name, ctx.rg.name);
    });
    // `mustExist` for Package_Update (PATCH), which changes a package that is there.
    const putPackage = (req: SandboxRequest, mustExist = false): SandboxResponse => {
      const ctx = envPackages(req, 'write', `${ACCOUNT_TYPE}/runtimeEnvironments/packages/write`);
      if (isResponse(ctx)) return ctx;
      if (mustExist && !packages(ctx.env).has((req.params.package ?? '').toLowerCase()))
        return resourceNotFound(req, `${ACCOUNT_TYPE}/${ctx.account.name}/runtimeEnvironments/${ctx.env.name}/packages`, req.params.package ?? '', ctx.rg.name);
      const name = req.params.package ?? '';
      if (!MODULE_NAME.test(name)) return badRequest(req, `The package name '${name}' is invalid.`);
      // azure-docs runtime-environment-overview.md: system-generated runtime environments cannot be edited.
      if (ctx.env.isSystem)
        return badRequest(
          req,
          `The runtime environment '${ctx.env.name}' is system-generated and cannot be edited; create a runtime environment to add packages.`,
        );
      if (Object.keys(ctx.env.defaultPackages).some((n) => n.toLowerCase() === name.toLowerCase())) {
        return badRequest(req, `'${name}' is a default package of '${ctx.env.name}'; change its version through the runtime environment's defaultPackages.`);
      }
      const body = objectBody(req);
      if (isResponse(body)) return body;
      const plan = planImport(req, name, body, ctx.env.language === 'PowerShell');
      if (isResponse(plan)) return plan;
      const existing = packages(ctx.env).get(name.toLowerCase());
      const now = req.core.state.now();
      const p: Importable = existing ?? {
        name,
        version: null,
        provisioningState: 'Creating',
        contentLink: null,
        isGlobal: false,
        sizeInBytes: 0,
        activityCount: 0,
        error: null,
        creationTime: now,
        lastModifiedTime: now,
      };
      startImport(req.core, p, plan);
      if (!existing) packages(ctx.env).set(name.toLowerCase(), p);
      return ok(req, existing ? 200 : 201, packageBody(p, false, ctx.envId));
    };
    r.put(`${ACCOUNT}/runtimeEnvironments/:env/packages/:package`, (req) => putPackage(req));
    // Package_Update (package.json, 2024-10-23): a new content link imports the package again; it must exist.
    r.patch(`${ACCOUNT}/runtimeEnvironments/:env/packages/:package`, (req) => putPackage(req, true));
    r.delete(`${ACCOUNT}/runtimeEnvironments/:env/packages/:package`, (req) => {
      const ctx = envPackages(req, 'write', `${ACCOUNT_TYPE}/runtimeEnvironments/packages/delete`);
      if (isResponse(ctx)) return ctx;
      const key = (req.params.package ?? '').toLowerCase();
      if (!packages(ctx.env).has(key)) return ok(req, 204, undefined);
      packages(ctx.env).delete(key);
      return ok(req, 200, undefined);
    });
  },
};
