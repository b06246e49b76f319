// Shared ARM plumbing for the route modules: api-version checks per resource type, authentication and coarse
// RBAC from the token, ARM's not-found shapes, nextLink paging, long-running operations, and the knobs.
// Sources: ARM RPC (error response content, async operations: Azure-AsyncOperation / Location, Retry-After),
// azure-rest-api-specs (Microsoft.Resources 2022-12-01, Microsoft.Automation 2023-11-01 / 2024-10-23,
// Microsoft.ManagedIdentity 2024-11-30). Messages follow the texts ARM returns for these codes.
import { armForbidden, requireArmToken } from '../auth';
import type { SandboxCore } from '../core';
import { armError } from '../errors';
import { json, SandboxRequest, SandboxResponse, serviceUrl } from '../router';
import type { ArmOperation, ArmRoleAssignment, AutomationAccount, ResourceGroup, Subscription } from '../state';
import type { AccessTokenClaims } from '../tokens';

// ---- knobs --------------------------------------------------------------------------------------------------

export interface ArmSettings {
  /** Polls of a long-running operation that still answer InProgress before it completes. Default 1. */
  lroPolls: number;
  /** Retry-After (seconds) sent with 201/202 answers and InProgress polls. Default 1. */
  retryAfterSeconds: number;
  /** Polls sooner than Retry-After after the previous answer do not advance the operation. Default true. */
  enforceRetryAfter: boolean;
  /** `PUT …/draft/content` answers 202 + LRO headers (`async`) or 200 at once (`sync`), both as the spec allows. */
  draftContent: 'async' | 'sync';
  /** Reads of an importing module (GET or list) before its import succeeds. Default 3. */
  moduleImportPolls: number;
  /** Items per page of list operations (nextLink beyond). Default 100. */
  pageSize: number;
}

export const DEFAULT_ARM_SETTINGS: Readonly<ArmSettings> = {
  lroPolls: 1,
  retryAfterSeconds: 1,
  enforceRetryAfter: true,
  draftContent: 'async',
  moduleImportPolls: 3,
  pageSize: 100,
};

const settingsByCore = new WeakMap<SandboxCore, ArmSettings>();

export function armSettings(core: SandboxCore): ArmSettings {
  let s = settingsByCore.get(core);
  if (!s) {
    s = { ...DEFAULT_ARM_SETTINGS };
    settingsByCore.set(core, s);
  }
  return s;
}

/** Changes the ARM knobs of a running sandbox (tests: `setArmSettings(sandbox.core, { retryAfterSeconds: 0 })`). */
export function setArmSettings(core: SandboxCore, patch: Partial<ArmSettings>): ArmSettings {
  const s = armSettings(core);
  const num = (v: unknown, min: number, max: number): number | undefined =>
    typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? v : undefined;
  for (const [k, v] of Object.entries(patch)) {
    switch (k) {
      case 'lroPolls':
      case 'moduleImportPolls': {
        const n = num(v, 0, 100);
        if (n === undefined) throw new Error(`${k} must be an integer 0..100`);
        s[k] = n;
        break;
      }
      case 'retryAfterSeconds': {
        const n = num(v, 0, 600);
        if (n === undefined) throw new Error('retryAfterSeconds must be an integer 0..600');
        s.retryAfterSeconds = n;
        break;
      }
      case 'pageSize': {
        const n = num(v, 1, 1000);
        if (n === undefined) throw new Error('pageSize must be an integer 1..1000');
        s.pageSize = n;
        break;
      }
      case 'enforceRetryAfter':
        if (typeof v !== 'boolean') throw new Error('enforceRetryAfter must be a boolean');
        s.enforceRetryAfter = v;
        break;
      case 'draftContent':
        if (v !== 'async' && v !== 'sync') throw new Error('draftContent must be "async" or "sync"');
        s.draftContent = v;
        break;
      default:
        throw new Error(`unknown ARM setting ${k}`);
    }
  }
  return s;
}

// ---- responses ------------------------------------------------------------------------------------------------

/** ARM's tracing headers on every answer. */
export function armHeaders(req: SandboxRequest, extra: Record<string, string> = {}): Record<string, string> {
  return {
    'x-ms-request-id': req.requestId,
    'x-ms-correlation-request-id': req.requestId,
    'x-ms-client-request-id': req.headers['x-ms-client-request-id'] || req.requestId,
    'cache-control': 'no-cache',
    ...extra,
  };
}

export function ok(req: SandboxRequest, status: number, body: unknown, extra: Record<string, string> = {}): SandboxResponse {
  if (body === undefined) return { status, headers: armHeaders(req, extra), body: undefined };
  return json(status, body, armHeaders(req, extra));
}

export function badRequest(req: SandboxRequest, message: string, code = 'BadRequest'): SandboxResponse {
  return armError(req, 400, code, message);
}

/** The JSON object body of a write, or ARM's answer for a missing / unreadable one. */
export function objectBody(req: SandboxRequest): Record<string, unknown> | SandboxResponse {
  if (req.bodyError || (req.rawBody.trim() !== '' && req.body === undefined)) {
    return armError(
      req,
      400,
      'InvalidRequestContent',
      `The request content was invalid and could not be deserialized: '${req.bodyError ?? 'Unexpected character encountered while parsing value.'}'.`,
    );
  }
  if (req.body === undefined || req.body === null || typeof req.body !== 'object' || Array.isArray(req.body)) {
    return armError(
      req,
      400,
      'InvalidRequestContent',
      'The request content was invalid and could not be deserialized: the request body must be a JSON object.',
    );
  }
  return req.body as Record<string, unknown>;
}

export function isResponse(v: unknown): v is SandboxResponse {
  return typeof v === 'object' && v !== null && 'status' in v && typeof (v as { status: unknown }).status === 'number' && !('subscriptionId' in v);
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// ---- api-version --------------------------------------------------------------------------------------------

export type ApiKind =
  | 'resources'
  | 'resourceGroups'
  | 'automation'
  | 'powerShell72Modules'
  | 'runtimeEnvironments'
  | 'managedIdentity'
  | 'identityFederatedCredentials'
  | 'managedClusters';

/** Supported api-versions per resource type (stable and preview folders of azure-rest-api-specs). */
export const API_VERSIONS: Readonly<Record<ApiKind, readonly string[]>> = {
  resources: [
    '2014-04-01-preview',
    '2015-11-01',
    '2016-01-01',
    '2016-06-01',
    '2018-06-01',
    '2019-06-01',
    '2019-11-01',
    '2020-01-01',
    '2021-01-01',
    '2022-01-01',
    '2022-12-01',
  ],
  resourceGroups: [
    '2014-04-01',
    '2015-11-01',
    '2016-02-01',
    '2016-09-01',
    '2017-05-10',
    '2018-05-01',
    '2019-05-01',
    '2019-08-01',
    '2019-10-01',
    '2020-06-01',
    '2020-10-01',
    '2021-01-01',
    '2021-04-01',
    '2022-09-01',
    '2023-07-01',
    '2024-03-01',
    '2024-07-01',
    '2024-11-01',
  ],
  automation: [
    '2015-10-31',
    '2017-05-15-preview',
    '2018-01-15',
    '2018-06-30',
    '2019-06-01',
    '2020-01-13-preview',
    '2021-06-22',
    '2022-01-31',
    '2022-02-22',
    '2022-06-30-preview',
    '2022-08-08',
    '2023-05-15-preview',
    '2023-11-01',
    '2024-10-23',
  ],
  powerShell72Modules: ['2023-11-01'],
  runtimeEnvironments: ['2023-05-15-preview', '2024-10-23'],
  managedIdentity: [
    '2015-08-31-preview',
    '2018-11-30',
    '2021-09-30-preview',
    '2022-01-31-preview',
    '2023-01-31',
    '2023-07-31-preview',
    '2024-11-30',
    '2025-01-31-preview',
    '2025-05-31-preview',
    '2026-04-30',
    '2026-05-31',
  ],
  // Federated credentials of a user-assigned identity came with 2022-01-31-preview (flexible ones with the 2025 previews).
  identityFederatedCredentials: [
    '2022-01-31-preview',
    '2023-01-31',
    '2023-07-31-preview',
    '2024-11-30',
    '2025-01-31-preview',
    '2025-05-31-preview',
    '2026-04-30',
    '2026-05-31',
  ],
  // AKS clusters (read only here): a few stable versions with oidcIssuerProfile (since 2022-03-02-preview / 2023-02-01 stable).
  managedClusters: ['2023-02-01', '2024-02-01', '2024-09-01', '2025-01-01', '2025-05-01'],
};

const TYPE_NAMES: Readonly<Record<ApiKind, string>> = {
  resources: 'subscriptions',
  resourceGroups: 'resourceGroups',
  automation: 'automationAccounts',
  powerShell72Modules: 'automationAccounts/powerShell72Modules',
  runtimeEnvironments: 'automationAccounts/runtimeEnvironments',
  managedIdentity: 'userAssignedIdentities',
  identityFederatedCredentials: 'userAssignedIdentities/federatedIdentityCredentials',
  managedClusters: 'managedClusters',
};

const LOCATIONS = 'westeurope, northeurope, eastus, eastus2, westus2, uksouth, japaneast, australiaeast';

/**
 * The request's api-version, or ARM's 400: MissingApiVersionParameter; InvalidApiVersionParameter for
 * Microsoft.Resources types and for malformed values; NoRegisteredProviderFound for a resource provider's type.
 */
export function apiVersion(req: SandboxRequest, kind: ApiKind, location = 'westeurope'): string | SandboxResponse {
  const v = req.query.get('api-version');
  if (v === null || v === '')
    return armError(req, 400, 'MissingApiVersionParameter', 'The api-version query parameter (?api-version=) is required for all requests.');
  const supported = API_VERSIONS[kind];
  if (supported.includes(v)) return v;
  const wellFormed = /^\d{4}-\d{2}-\d{2}(-(preview|privatepreview|alpha|beta))?$/i.test(v);
  if (!wellFormed || kind === 'resources' || kind === 'resourceGroups') {
    return armError(
      req,
      400,
      'InvalidApiVersionParameter',
      `The api-version '${v}' is invalid. The supported versions are '${[...supported].reverse().join(',')}'.`,
    );
  }
  return armError(
    req,
    400,
    'NoRegisteredProviderFound',
    `No registered resource provider found for location '${location.toLowerCase().replace(/\s+/g, '')}' and API version '${v}' for type '${TYPE_NAMES[kind]}'. The supported api-versions are '${supported.join(', ')}'. The supported locations are '${LOCATIONS}'.`,
  );
}

/** True when `v` (yyyy-mm-dd[-preview]) is at least `min`. */
export function atLeast(v: string, min: string): boolean {
  return v.slice(0, 10) >= min;
}

// ---- authentication and RBAC ----------------------------------------------------------------------------------

export type Access = 'read' | 'write';

const ROLE_ACTIONS: Readonly<Record<ArmRoleAssignment['roleDefinitionName'], (ns: string, access: Access) => boolean>> = {
  Owner: () => true,
  Contributor: () => true,
  Reader: (_ns, access) => access === 'read',
  'Automation Contributor': (ns, access) => access === 'read' || ns === 'microsoft.automation',
  'Managed Identity Operator': (ns, access) => access === 'read' && (ns === 'microsoft.managedidentity' || ns === 'microsoft.resources'),
  'Managed Identity Contributor': (ns, access) => ns === 'microsoft.managedidentity' || (access === 'read' && ns === 'microsoft.resources'),
};

function within(resourceId: string, scope: string): boolean {
  const r = resourceId.toLowerCase().replace(/\/+$/, '');
  const s = scope.toLowerCase().replace(/\/+$/, '');
  return r === s || r.startsWith(`${s}/`);
}

/** The caller's role assignments that apply at `resourceId` (inherited from above). */
function rolesAt(core: SandboxCore, principalId: string, resourceId: string): ArmRoleAssignment[] {
  return [...core.state.armRoleAssignments.values()].filter((a) => a.principalId === principalId && within(resourceId, a.scope));
}

/** Whether the caller may `access` the resource (its provider namespace decides what scoped roles allow). */
export function allowed(core: SandboxCore, claims: AccessTokenClaims, resourceId: string, namespace: string, access: Access): boolean {
  return rolesAt(core, claims.oid, resourceId).some((a) => ROLE_ACTIONS[a.roleDefinitionName](namespace.toLowerCase(), access));
}

/** Whether the caller holds any role at the subscription or below it (what makes a subscription visible). */
export function seesSubscription(core: SandboxCore, claims: AccessTokenClaims, subscriptionId: string): boolean {
  const sub = `/subscriptions/${subscriptionId}`;
  return [...core.state.armRoleAssignments.values()].some((a) => a.principalId === claims.oid && (within(sub, a.scope) || within(a.scope, sub)));
}

export type Authed = { readonly claims: AccessTokenClaims };

/** Token check (401 in ARM's shape) then api-version (400). */
export function begin(req: SandboxRequest, kind: ApiKind, location?: string): { claims: AccessTokenClaims; version: string } | SandboxResponse {
  const auth = requireArmToken(req);
  if ('response' in auth) return auth.response;
  const version = apiVersion(req, kind, location);
  if (typeof version !== 'string') return version;
  return { claims: auth.claims, version };
}

/**
 * The subscription of a request path. 404 SubscriptionNotFound when it does not exist, 401
 * InvalidAuthenticationTokenTenant when it belongs to another tenant than the token's, as ARM does.
 */
export function subscriptionFor(req: SandboxRequest, claims: AccessTokenClaims, subscriptionId: string): Subscription | SandboxResponse {
  const sub = [...req.core.state.subscriptions.values()].find((s) => s.subscriptionId.toLowerCase() === subscriptionId.toLowerCase());
  if (!sub) return armError(req, 404, 'SubscriptionNotFound', `The subscription '${subscriptionId}' could not be found.`);
  if (sub.tenantId !== claims.tid) {
    const login = serviceUrl(req, 'login');
    return armError(
      req,
      401,
      'InvalidAuthenticationTokenTenant',
      `The access token is from the wrong issuer '${req.core.issuer(claims.tid)}'. It must match the tenant '${req.core.issuer(sub.tenantId)}' associated with this subscription. Please use the authority (URL) '${login}/${sub.tenantId}' to get the token. Note, if the subscription is transferred to another tenant there is no impact to the services, but information about new tenant could take time to propagate (up to an hour). If you just transferred your subscription and see this error message, please try back later.`,
      {
        'www-authenticate': `Bearer authorization_uri="${login}/${sub.tenantId}", error="invalid_token", error_description="The access token is from the wrong issuer. It must match the tenant associated with this subscription. Please use correct authority to get the token."`,
      },
    );
  }
  return sub;
}

/** The resource group, or 404 ResourceGroupNotFound. */
export function resourceGroupFor(req: SandboxRequest, sub: Subscription, name: string): ResourceGroup | SandboxResponse {
  const rg = req.core.state.findResourceGroup(sub.subscriptionId, name);
  return rg ?? armError(req, 404, 'ResourceGroupNotFound', `Resource group '${name}' could not be found.`);
}

/** 403 AuthorizationFailed unless the caller may do `action` at `scope`. */
export function authorize(req: SandboxRequest, claims: AccessTokenClaims, scope: string, action: string, access: Access): SandboxResponse | undefined {
  const ns = /\/providers\/([^/]+)\//i.exec(scope)?.[1] ?? action.split('/')[0] ?? '';
  return allowed(req.core, claims, scope, ns, access) ? undefined : armForbidden(req, claims, action, scope);
}

export function resourceNotFound(req: SandboxRequest, type: string, name: string, resourceGroup: string): SandboxResponse {
  return armError(
    req,
    404,
    'ResourceNotFound',
    `The Resource '${type}/${name}' under resource group '${resourceGroup}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
  );
}

export function parentNotFound(req: SandboxRequest, parentType: string, parentName: string): SandboxResponse {
  return armError(req, 404, 'ParentResourceNotFound', `Can not perform requested operation on nested resource. Parent resource '${parentName}' not found.`, {
    'x-ms-parent-type': parentType,
  });
}

// ---- Automation account lookup shared by the nested routes -----------------------------------------------------

export function accountId(sub: string, rg: string, name: string): string {
  return `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Automation/automationAccounts/${name}`;
}

/**
 * Token, api-version, subscription, resource group, RBAC and the Automation account of a path with
 * `:sub/:rg/:account`. `nested` answers ParentResourceNotFound for a missing account (child resources).
 */
export function automationContext(
  req: SandboxRequest,
  kind: ApiKind,
  access: Access,
  action: string,
  nested: boolean,
): { claims: AccessTokenClaims; version: string; sub: Subscription; rg: ResourceGroup; account: AutomationAccount } | SandboxResponse {
  const started = begin(req, kind);
  if (isResponse(started)) return started;
  const { claims, version } = started;
  const sub = subscriptionFor(req, claims, req.params.sub ?? '');
  if (isResponse(sub)) return sub;
  const rg = resourceGroupFor(req, sub, req.params.rg ?? '');
  if (isResponse(rg)) return rg;
  settleOperations(req.core);
  const name = req.params.account ?? '';
  const id = accountId(sub.subscriptionId, rg.name, name);
  const denied = authorize(req, claims, id, action, access);
  if (denied) return denied;
  const account = req.core.state.findAutomationAccount(id);
  if (!account)
    return nested
      ? parentNotFound(req, 'Microsoft.Automation/automationAccounts', name)
      : resourceNotFound(req, 'Microsoft.Automation/automationAccounts', name, rg.name);
  return { claims, version, sub, rg, account };
}

// ---- paging -----------------------------------------------------------------------------------------------

/** One page of `items` with ARM's `nextLink` (an absolute URL carrying `$skiptoken`), as the specs page. */
export function page<T>(req: SandboxRequest, items: readonly T[], extra: Record<string, unknown> = {}): Record<string, unknown> | SandboxResponse {
  const size = armSettings(req.core).pageSize;
  const token = req.query.get('$skiptoken');
  let offset = 0;
  if (token !== null) {
    const decoded = /^o(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
    if (!decoded) return badRequest(req, `The value '${token}' of the '$skiptoken' query parameter is invalid.`, 'InvalidSkipToken');
    offset = Number(decoded[1]);
  }
  const value = items.slice(offset, offset + size);
  const body: Record<string, unknown> = { value, ...extra };
  if (offset + size < items.length) {
    const next = new URL(`${req.baseUrl}${req.path}`);
    for (const [k, v] of req.query) if (k !== '$skiptoken') next.searchParams.append(k, v);
    next.searchParams.set('$skiptoken', Buffer.from(`o${offset + size}`, 'utf8').toString('base64url'));
    body.nextLink = next.toString();
  }
  return body;
}

// ---- long-running operations ------------------------------------------------------------------------------

export interface OperationResult {
  /** Final answer of the Location URL once the operation succeeded (200 with a body, or 204 without). */
  readonly body?: unknown;
  /** Set to fail the operation: the status poll reports Failed with this error, the Location URL answers it. */
  readonly error?: { readonly status: number; readonly code: string; readonly message: string };
}

interface OperationInfo {
  readonly locationUrl?: string;
  readonly asyncUrl?: string;
  /** Applied once at completion; may fail the operation. */
  readonly complete: () => OperationResult;
  result?: OperationResult;
  lastAnswerAt: number;
  /** When the operation finishes by itself (for clients that wait instead of polling). */
  readonly dueAt: number;
}

const operationInfo = new WeakMap<ArmOperation, OperationInfo>();

export interface StartedOperation {
  readonly operation: ArmOperation;
  /** Location / Azure-AsyncOperation / Retry-After headers for the 201/202 answer. */
  readonly headers: Record<string, string>;
}

/**
 * Starts a long-running operation. `resourcePath` is the ARM path the operation acts on (its Location URL is
 * `${resourcePath}/operationResults/{id}`); with `asyncOperation` an Azure-AsyncOperation status URL under
 * the account's subscription and location is sent too.
 */
export function startOperation(
  req: SandboxRequest,
  version: string,
  options: {
    readonly resourcePath: string;
    readonly location: boolean;
    readonly asyncOperation?: { readonly subscriptionId: string; readonly location: string };
    readonly complete: () => OperationResult;
  },
): StartedOperation {
  const state = req.core.state;
  const settings = armSettings(req.core);
  const id = state.newId();
  const operation: ArmOperation = { id, status: 'InProgress', pollsRemaining: settings.lroPolls, startTime: state.now() };
  state.armOperations.set(id, operation);
  const q = `api-version=${encodeURIComponent(version)}`;
  const locationUrl = options.location ? `${req.baseUrl}${options.resourcePath}/operationResults/${id}?${q}` : undefined;
  const asyncUrl = options.asyncOperation
    ? `${req.baseUrl}/subscriptions/${options.asyncOperation.subscriptionId}/providers/Microsoft.Automation/locations/${options.asyncOperation.location.toLowerCase().replace(/\s+/g, '')}/operationStatuses/${id}?${q}`
    : undefined;
  const now = Date.now();
  operationInfo.set(operation, {
    locationUrl,
    asyncUrl,
    complete: options.complete,
    lastAnswerAt: now,
    dueAt: now + (settings.lroPolls + 1) * settings.retryAfterSeconds * 1000,
  });
  const headers: Record<string, string> = { 'retry-after': String(settings.retryAfterSeconds) };
  if (locationUrl) headers.location = locationUrl;
  if (asyncUrl) headers['azure-asyncoperation'] = asyncUrl;
  return { operation, headers };
}

function finish(core: SandboxCore, op: ArmOperation, info: OperationInfo): void {
  if (op.status !== 'InProgress') return;
  let result: OperationResult;
  try {
    result = info.complete();
  } catch (e) {
    result = { error: { status: 500, code: 'InternalServerError', message: e instanceof Error ? e.message : String(e) } };
  }
  info.result = result;
  op.status = result.error ? 'Failed' : 'Succeeded';
  op.endTime = core.state.now();
  if (result.error) op.error = { code: result.error.code, message: result.error.message };
}

/** Completes operations whose time has come (clients that wait Retry-After and read the resource instead of polling). */
export function settleOperations(core: SandboxCore): void {
  const now = Date.now();
  for (const op of core.state.armOperations.values()) {
    const info = operationInfo.get(op);
    if (info && op.status === 'InProgress' && now >= info.dueAt) finish(core, op, info);
  }
}

/** One poll: advances the operation unless it came sooner than Retry-After (when that is enforced). */
function poll(core: SandboxCore, op: ArmOperation, info: OperationInfo): void {
  if (op.status !== 'InProgress') return;
  const settings = armSettings(core);
  const now = Date.now();
  const early = settings.enforceRetryAfter && now - info.lastAnswerAt < settings.retryAfterSeconds * 1000;
  if (!early) {
    if (op.pollsRemaining > 0) op.pollsRemaining -= 1;
    else finish(core, op, info);
  }
  info.lastAnswerAt = now;
}

/** Registers the operation status (Azure-AsyncOperation) and result (Location) routes. */
export function registerOperationRoutes(r: import('../router').AreaRouter): void {
  const lookup = (req: SandboxRequest): { op: ArmOperation; info: OperationInfo; version: string; claims: AccessTokenClaims } | SandboxResponse => {
    const auth = requireArmToken(req);
    if ('response' in auth) return auth.response;
    const version = req.query.get('api-version');
    if (!version) return armError(req, 400, 'MissingApiVersionParameter', 'The api-version query parameter (?api-version=) is required for all requests.');
    const sub = subscriptionFor(req, auth.claims, req.params.sub ?? '');
    if (isResponse(sub)) return sub;
    const op = req.core.state.armOperations.get(req.params.operationId ?? '');
    const info = op ? operationInfo.get(op) : undefined;
    if (!op || !info) return armError(req, 404, 'OperationNotFound', `The operation '${req.params.operationId ?? ''}' could not be found.`);
    return { op, info, version, claims: auth.claims };
  };

  r.get('/subscriptions/:sub/providers/Microsoft.Automation/locations/:location/operationStatuses/:operationId', (req) => {
    const found = lookup(req);
    if (isResponse(found)) return found;
    const { op, info } = found;
    if (!info.asyncUrl) return armError(req, 404, 'OperationNotFound', `The operation '${op.id}' could not be found.`);
    poll(req.core, op, info);
    const body: Record<string, unknown> = {
      id: new URL(info.asyncUrl).pathname.slice(new URL(req.baseUrl).pathname.length),
      name: op.id,
      status: op.status,
      startTime: op.startTime,
    };
    if (op.endTime) body.endTime = op.endTime;
    if (op.error) body.error = op.error;
    return ok(req, 200, body, op.status === 'InProgress' ? { 'retry-after': String(armSettings(req.core).retryAfterSeconds) } : {});
  });

  r.get(/^\/subscriptions\/(?<sub>[^/]+)\/resourceGroups\/[^/]+\/providers\/Microsoft\.Automation\/.+\/operationResults\/(?<operationId>[^/]+)$/i, (req) => {
    const found = lookup(req);
    if (isResponse(found)) return found;
    const { op, info } = found;
    if (!info.locationUrl || new URL(info.locationUrl).pathname.toLowerCase() !== `${new URL(req.baseUrl).pathname}${req.path}`.toLowerCase()) {
      return armError(req, 404, 'OperationNotFound', `The operation '${op.id}' could not be found.`);
    }
    poll(req.core, op, info);
    if (op.status === 'InProgress')
      return ok(req, 202, undefined, { location: info.locationUrl, 'retry-after': String(armSettings(req.core).retryAfterSeconds) });
    const result = info.result ?? {};
    if (result.error) return armError(req, result.error.status, result.error.code, result.error.message);
    return result.body === undefined ? ok(req, 204, undefined) : ok(req, 200, result.body);
  });
}
