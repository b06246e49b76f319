// Microsoft Graph v1.0 /applications and /applications/{id}/federatedIdentityCredentials.
// Sources (microsoft-graph-docs-contrib api-reference/v1.0): application-list.md, application-get.md,
// application-post-applications.md, application-update.md, application-delete.md,
// application-list-federatedidentitycredentials.md, application-post-federatedidentitycredentials.md,
// federatedidentitycredential-{get,update,upsert,delete}.md, resources/federatedidentitycredential.md;
// error payloads: the Graph error-response docs (concepts/errors.md).
import type { SandboxModule } from '../module';
import type { AreaRouter, SandboxRequest, SandboxResponse } from '../router';
import { text } from '../router';
import {
  hashSecret,
  type AppRole,
  type Application,
  type FederatedIdentityCredential,
  type KeyCredential,
  type SandboxState,
  type PasswordCredential,
  type RequiredResourceAccess,
  type SignInAudience,
} from '../state';
import { newClientSecret } from '../seed';
import {
  APPLICATION_READ,
  APPLICATION_WRITE,
  authenticate,
  Caller,
  findApp,
  jsonBody,
  notFound,
  rejectUnknown,
  requireAppWrite,
  requirePermission,
  route,
} from './common';
import {
  checkOptions,
  collection,
  compileFilter,
  fail,
  FilterField,
  type FilterExpr,
  graphVersion,
  isEventual,
  isGuid,
  keyLiteral,
  noContent,
  ok,
  option,
  page,
  pageOfSorted,
  parseFilter,
  parseOrderBy,
  parseSearch,
  parseSelect,
  parseTop,
  project,
  searchMatcher,
  selectSuffix,
  wantsCount,
} from './odata';

// ---- shapes ----------------------------------------------------------------------------------------------------

export function applicationEntity(app: Application): Record<string, unknown> {
  return {
    id: app.id,
    deletedDateTime: null,
    appId: app.appId,
    applicationTemplateId: null,
    disabledByMicrosoftStatus: null,
    createdDateTime: app.createdDateTime,
    displayName: app.displayName,
    description: app.description,
    groupMembershipClaims: null,
    identifierUris: [...app.identifierUris],
    isDeviceOnlyAuthSupported: null,
    isFallbackPublicClient: app.isFallbackPublicClient,
    notes: null,
    publisherDomain: app.publisherDomain,
    serviceManagementReference: null,
    signInAudience: app.signInAudience,
    tags: [...app.tags],
    tokenEncryptionKeyId: null,
    uniqueName: app.uniqueName,
    api: {
      acceptMappedClaims: null,
      knownClientApplications: [],
      requestedAccessTokenVersion: app.api.requestedAccessTokenVersion,
      oauth2PermissionScopes: app.api.oauth2PermissionScopes.map((s) => ({ ...s })),
      preAuthorizedApplications: [],
    },
    appRoles: app.appRoles.map((r) => ({ ...r })),
    info: { logoUrl: null, marketingUrl: null, privacyStatementUrl: null, supportUrl: null, termsOfServiceUrl: null },
    keyCredentials: app.keyCredentials.map((k) => ({ ...k, key: null })),
    optionalClaims: app.optionalClaims ? structuredClone(app.optionalClaims) : null,
    parentalControlSettings: { countriesBlockedForMinors: [], legalAgeGroupRule: 'Allow' },
    passwordCredentials: app.passwordCredentials.map((p) => ({
      customKeyIdentifier: p.customKeyIdentifier,
      displayName: p.displayName,
      endDateTime: p.endDateTime,
      hint: p.hint,
      keyId: p.keyId,
      secretText: null,
      startDateTime: p.startDateTime,
    })),
    publicClient: { redirectUris: [...app.publicClient.redirectUris] },
    requiredResourceAccess: app.requiredResourceAccess.map((r) => ({
      resourceAppId: r.resourceAppId,
      resourceAccess: r.resourceAccess.map((a) => ({ ...a })),
    })),
    verifiedPublisher: { displayName: null, verifiedPublisherId: null, addedDateTime: null },
    web: {
      homePageUrl: app.web.homePageUrl ?? null,
      logoutUrl: app.web.logoutUrl ?? null,
      redirectUris: [...app.web.redirectUris],
      implicitGrantSettings: { ...(app.web.implicitGrantSettings ?? { enableAccessTokenIssuance: false, enableIdTokenIssuance: false }) },
    },
    spa: { redirectUris: [...app.spa.redirectUris] },
  };
}

export const APPLICATION_PROPERTIES = Object.keys(
  applicationEntity({
    id: '',
    appId: '',
    tenantId: '',
    displayName: '',
    description: null,
    signInAudience: 'AzureADMyOrg',
    identifierUris: [],
    requiredResourceAccess: [],
    owners: [],
    federatedIdentityCredentials: [],
    passwordCredentials: [],
    keyCredentials: [],
    appRoles: [],
    api: { oauth2PermissionScopes: [], requestedAccessTokenVersion: null },
    web: { redirectUris: [] },
    spa: { redirectUris: [] },
    publicClient: { redirectUris: [] },
    isFallbackPublicClient: false,
    tags: [],
    publisherDomain: '',
    uniqueName: null,
    createdDateTime: '',
  }),
);

/**
 * A credential as Graph answers it. v1.0 has no `claimsMatchingExpression`: a flexible credential shows
 * its null subject there, and `ok()` turns that answer into the broken stream real Graph sends.
 */
export function ficEntity(f: FederatedIdentityCredential, version: 'v1.0' | 'beta' = 'v1.0'): Record<string, unknown> {
  return {
    id: f.id,
    name: f.name,
    issuer: f.issuer,
    subject: f.subject,
    description: f.description,
    audiences: [...f.audiences],
    ...(version === 'beta' ? { claimsMatchingExpression: f.claimsMatchingExpression ? { ...f.claimsMatchingExpression } : null } : {}),
  };
}

const FIC_PROPERTIES = ['id', 'name', 'issuer', 'subject', 'description', 'audiences'];
const FIC_PROPERTIES_BETA = [...FIC_PROPERTIES, 'claimsMatchingExpression'];
const ficProperties = (req: SandboxRequest) => (graphVersion(req) === 'beta' ? FIC_PROPERTIES_BETA : FIC_PROPERTIES);
const SIGN_IN_AUDIENCES: readonly SignInAudience[] = ['AzureADMyOrg', 'AzureADMultipleOrgs', 'AzureADandPersonalMicrosoftAccount', 'PersonalMicrosoftAccount'];

// ---- listing -----------------------------------------------------------------------------------------------------

const APP_FILTER: Record<string, FilterField<Application>> = {
  id: { get: (a) => a.id, ops: ['eq'] },
  appId: { get: (a) => a.appId, ops: ['eq'] },
  displayName: { get: (a) => a.displayName, ops: ['eq', 'startswith'] },
  signInAudience: { get: (a) => a.signInAudience, ops: ['eq'] },
  publisherDomain: { get: (a) => a.publisherDomain, ops: ['eq', 'startswith'] },
  uniqueName: { get: (a) => a.uniqueName, ops: ['eq', 'startswith'] },
  // `federatedIdentityCredentials/any(f:f/subject eq '…')` (or issuer, name; startswith too): advanced queries only,
  // ConsistencyLevel: eventual with $count=true (concepts/aad-advanced-queries.md; resources/application.md).
  federatedIdentityCredentials: {
    items: (a) => a.federatedIdentityCredentials,
    element: {
      subject: { get: (f: FederatedIdentityCredential) => f.subject, ops: ['eq', 'startswith'] },
      issuer: { get: (f: FederatedIdentityCredential) => f.issuer, ops: ['eq', 'startswith'] },
      name: { get: (f: FederatedIdentityCredential) => f.name, ops: ['eq', 'startswith'] },
    },
    advanced: true,
  },
};

interface Expand {
  readonly select?: string[];
}

/** `$expand=federatedIdentityCredentials` or `federatedIdentityCredentials($select=…)`. */
function parseExpand(req: SandboxRequest): Expand | undefined {
  const raw = option(req, '$expand');
  if (raw === undefined) return undefined;
  const m = /^\s*([A-Za-z]+)\s*(?:\((.*)\))?\s*$/.exec(raw);
  const nav = m?.[1] ?? raw;
  if (!m || nav.toLowerCase() !== 'federatedidentitycredentials') {
    return fail(req, 400, 'BadRequest', `Could not find a property named '${nav.trim()}' on type 'microsoft.graph.application'.`);
  }
  const inner = m[2];
  if (inner === undefined || inner.trim() === '') return {};
  const sel = /^\s*\$select=([^;]*)$/i.exec(inner);
  if (!sel)
    return fail(req, 400, 'BadRequest', `Query option '${inner}' is not allowed in $expand of 'federatedIdentityCredentials'. Only $select is supported.`);
  return { select: parseSelect(req, sel[1], ficProperties(req), 'federatedIdentityCredential') };
}

/**
 * The apps a filter can only match, from the state's subject index: `federatedIdentityCredentials/any(f:f/subject
 * eq '…')` (alone, inside the lambda's `and`, or in a top-level `and`; both sides of an `or`). Undefined when the
 * filter needs a scan. The compiled filter still decides about each candidate.
 */
function indexedCandidates(expr: FilterExpr, state: SandboxState): Application[] | undefined {
  switch (expr.kind) {
    case 'lambda': {
      if (expr.operator !== 'any' || expr.collection.toLowerCase() !== 'federatedidentitycredentials' || !expr.predicate || !expr.variable) return undefined;
      const subjectOf = (e: FilterExpr): string | undefined =>
        e.kind === 'cmp' && e.op === 'eq' && typeof e.value === 'string' && e.property.toLowerCase() === `${expr.variable!.toLowerCase()}/subject`
          ? e.value
          : e.kind === 'and'
            ? (subjectOf(e.left) ?? subjectOf(e.right))
            : undefined;
      const subject = subjectOf(expr.predicate);
      return subject === undefined ? undefined : state.applicationsWithCredentialSubject(subject);
    }
    case 'and': {
      const left = indexedCandidates(expr.left, state);
      const right = indexedCandidates(expr.right, state);
      return left && right ? (left.length <= right.length ? left : right) : (left ?? right);
    }
    case 'or': {
      const left = indexedCandidates(expr.left, state);
      const right = left && indexedCandidates(expr.right, state);
      return left && right ? [...new Set([...left, ...right])] : undefined;
    }
    default:
      return undefined;
  }
}

/** The apps of the caller's tenant that the request's $filter / $search keep. A subject filter reads the index, not every app. */
function filteredApps(req: SandboxRequest, caller: Caller): Application[] {
  const eventual = isEventual(req);
  const searchRaw = option(req, '$search');
  if (searchRaw !== undefined && !eventual) {
    fail(
      req,
      400,
      'Request_UnsupportedQuery',
      "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'",
    );
  }
  const advanced = eventual && (wantsCount(req) || searchRaw !== undefined);
  const filterRaw = option(req, '$filter');
  const parsed = filterRaw !== undefined && filterRaw.trim() !== '' ? parseFilter(req, filterRaw) : undefined;
  const predicate = parsed ? compileFilter(req, parsed, APP_FILTER, 'Application', advanced) : undefined;
  const matches =
    searchRaw !== undefined
      ? searchMatcher<Application>(parseSearch(req, searchRaw, ['displayName', 'description']), (a, p) => (p === 'displayName' ? a.displayName : a.description))
      : undefined;
  const out: Application[] = [];
  for (const a of (parsed && indexedCandidates(parsed, req.core.state)) ?? req.core.state.applications.values()) {
    if (a.tenantId !== caller.tenant.id) continue;
    if (predicate && !predicate(a)) continue;
    if (matches && !matches(a)) continue;
    out.push(a);
  }
  return out;
}

/** Every app of a tenant by object id, kept while no app is added or removed (the plain listing pages it without a sort). */
const sortedByTenant = new WeakMap<SandboxState, Map<string, { version: number; apps: Application[] }>>();
function appsById(state: SandboxState, tenantId: string): Application[] {
  const byTenant = sortedByTenant.get(state) ?? new Map<string, { version: number; apps: Application[] }>();
  sortedByTenant.set(state, byTenant);
  const cached = byTenant.get(tenantId);
  if (cached && cached.version === state.applicationsVersion) return cached.apps;
  const apps = state.applicationsOf(tenantId).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  byTenant.set(tenantId, { version: state.applicationsVersion, apps });
  return apps;
}

function listApplications(req: SandboxRequest): SandboxResponse {
  const caller = authenticate(req);
  requirePermission(req, caller, APPLICATION_READ);
  checkOptions(req, ['$select', '$top', '$filter', '$search', '$count', '$orderby', '$expand', '$skiptoken']);
  const select = parseSelect(req, option(req, '$select'), APPLICATION_PROPERTIES, 'application');
  const expand = parseExpand(req);
  const top = parseTop(req);
  const count = wantsCount(req);
  const searching = option(req, '$search') !== undefined;
  if (expand && (searching || count)) {
    fail(
      req,
      400,
      'Request_UnsupportedQuery',
      '$expand is not supported together with advanced query options ($search, $count with ConsistencyLevel: eventual).',
    );
  }
  const orderBy = parseOrderBy(req, option(req, '$orderby'), ['displayName', 'createdDateTime'], 'Application');
  if (orderBy && (option(req, '$filter') !== undefined || searching) && !(isEventual(req) && (count || searching))) {
    fail(req, 400, 'Request_UnsupportedQuery', 'Sorting not supported for current query.');
  }
  const key = orderBy
    ? (a: Application) => [orderBy.property === 'displayName' ? a.displayName.toLowerCase() : a.createdDateTime, a.id]
    : (a: Application) => [a.id];
  const plain = !orderBy && option(req, '$filter') === undefined && option(req, '$search') === undefined;
  const p = plain
    ? pageOfSorted(req, appsById(req.core.state, caller.tenant.id), top, key)
    : page(req, filteredApps(req, caller), top, key, orderBy?.descending ?? false);
  const value = p.items.map((a) => {
    const e = project(applicationEntity(a), select);
    if (expand) e.federatedIdentityCredentials = a.federatedIdentityCredentials.map((f) => project(ficEntity(f, graphVersion(req)), expand.select));
    return e;
  });
  const firstPage = option(req, '$skiptoken') === undefined;
  return collection(req, `applications${selectSuffix(select)}`, value, { count: count && firstPage ? p.total : undefined, nextLink: p.nextLink });
}

function countApplications(req: SandboxRequest): SandboxResponse {
  const caller = authenticate(req);
  requirePermission(req, caller, APPLICATION_READ);
  if (!isEventual(req)) fail(req, 400, 'Request_BadRequest', '$count is not currently supported.');
  checkOptions(req, ['$filter', '$search']);
  return text(200, String(filteredApps(req, caller).length), 'text/plain', { 'request-id': req.requestId });
}

// ---- single application ------------------------------------------------------------------------------------------

function getApplication(req: SandboxRequest): SandboxResponse {
  const caller = authenticate(req);
  requirePermission(req, caller, APPLICATION_READ);
  checkOptions(req, ['$select', '$expand']);
  const app = findApp(req, caller);
  const select = parseSelect(req, option(req, '$select'), APPLICATION_PROPERTIES, 'application');
  const expand = parseExpand(req);
  const e = project(applicationEntity(app), select);
  if (expand) e.federatedIdentityCredentials = app.federatedIdentityCredentials.map((f) => project(ficEntity(f, graphVersion(req)), expand.select));
  return ok(req, 200, { '@odata.context': `${req.baseUrl}/${graphVersion(req)}/$metadata#applications${selectSuffix(select)}/$entity`, ...e });
}

const WRITABLE = [
  'displayName',
  'description',
  'signInAudience',
  'requiredResourceAccess',
  'identifierUris',
  'tags',
  'web',
  'spa',
  'publicClient',
  'isFallbackPublicClient',
  'notes',
  // What the Azure CLI sends on every `az ad app create/update` (keyCredentials: [] at least).
  'keyCredentials',
  'appRoles',
  'optionalClaims',
];
const READ_ONLY = ['id', 'appId', 'publisherDomain', 'createdDateTime', 'deletedDateTime'];

function invalidProperty(req: SandboxRequest, property: string): never {
  return fail(req, 400, 'Request_BadRequest', `Invalid value specified for property '${property}' of resource 'Application'.`);
}

function stringArray(req: SandboxRequest, v: unknown, property: string): string[] {
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) return invalidProperty(req, property);
  return v as string[];
}

function redirectUris(req: SandboxRequest, v: unknown, property: string): { redirectUris: string[] } {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return invalidProperty(req, property);
  const r = (v as Record<string, unknown>).redirectUris;
  return { redirectUris: r === undefined ? [] : stringArray(req, r, `${property}.redirectUris`) };
}

/** `web`: redirect URIs, home page, logout URL and implicit-grant settings; what the body leaves out stays. */
function webSettings(req: SandboxRequest, v: unknown, current: Application['web']): Application['web'] {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return invalidProperty(req, 'web');
  const w = v as Record<string, unknown>;
  const url = (key: 'homePageUrl' | 'logoutUrl') => {
    const x = w[key];
    if (x === undefined) return current[key] ?? null;
    if (x !== null && (typeof x !== 'string' || x.length > 256)) return invalidProperty(req, `web.${key}`);
    return x as string | null;
  };
  let implicit = current.implicitGrantSettings;
  if (w.implicitGrantSettings !== undefined) {
    const g = w.implicitGrantSettings as Record<string, unknown> | null;
    if (!g || typeof g !== 'object') return invalidProperty(req, 'web.implicitGrantSettings');
    for (const k of ['enableAccessTokenIssuance', 'enableIdTokenIssuance']) {
      if (g[k] !== undefined && typeof g[k] !== 'boolean') invalidProperty(req, `web.implicitGrantSettings.${k}`);
    }
    implicit = {
      enableAccessTokenIssuance: (g.enableAccessTokenIssuance as boolean | undefined) ?? implicit?.enableAccessTokenIssuance ?? false,
      enableIdTokenIssuance: (g.enableIdTokenIssuance as boolean | undefined) ?? implicit?.enableIdTokenIssuance ?? false,
    };
  }
  return {
    redirectUris: w.redirectUris === undefined ? current.redirectUris : stringArray(req, w.redirectUris, 'web.redirectUris'),
    homePageUrl: url('homePageUrl'),
    logoutUrl: url('logoutUrl'),
    ...(implicit ? { implicitGrantSettings: implicit } : {}),
  };
}

/**
 * `keyCredentials`: certificates, each with a type, a usage and its base64 key (kept out of answers, as Graph
 * does). A certificate sent back as GET gave it (`key: null`, its keyId) stays: `az ad app credential reset
 * --append` does that.
 */
function keyCredentials(req: SandboxRequest, v: unknown, current: readonly KeyCredential[]): KeyCredential[] {
  if (!Array.isArray(v)) return invalidProperty(req, 'keyCredentials');
  return v.map((entry) => {
    const k = entry as Record<string, unknown> | null;
    if (!k || typeof k !== 'object') return invalidProperty(req, 'keyCredentials');
    const kept =
      (k.key === null || k.key === undefined) && typeof k.keyId === 'string'
        ? current.find((c) => c.keyId.toLowerCase() === String(k.keyId).toLowerCase())
        : undefined;
    if (kept) return kept;
    const date = (x: unknown) => typeof x === 'string' && !Number.isNaN(Date.parse(x));
    if ((k.startDateTime !== undefined && !date(k.startDateTime)) || (k.endDateTime !== undefined && !date(k.endDateTime))) {
      return invalidProperty(req, 'keyCredentials');
    }
    if (k.type !== 'AsymmetricX509Cert' && k.type !== 'Symmetric') return invalidProperty(req, 'keyCredentials.type');
    if (k.usage !== 'Verify' && k.usage !== 'Sign') return invalidProperty(req, 'keyCredentials.usage');
    if (typeof k.key !== 'string' || !/^[A-Za-z0-9+/=\s]+$/.test(k.key)) return invalidProperty(req, 'keyCredentials.key');
    const now = new Date();
    return {
      keyId: typeof k.keyId === 'string' && isGuid(k.keyId) ? k.keyId : req.core.state.newId(),
      type: k.type,
      usage: k.usage,
      displayName: typeof k.displayName === 'string' ? k.displayName : null,
      startDateTime: typeof k.startDateTime === 'string' ? k.startDateTime : now.toISOString(),
      endDateTime: typeof k.endDateTime === 'string' ? k.endDateTime : new Date(now.getTime() + 365 * 86400_000).toISOString(),
      customKeyIdentifier: typeof k.customKeyIdentifier === 'string' ? k.customKeyIdentifier : null,
    };
  });
}

/**
 * `appRoles`: each with a GUID id, a unique value, member types and isEnabled. An enabled role cannot be
 * removed or changed (Graph: disable it first, CannotDeleteOrUpdateEnabledEntitlement).
 */
function appRoles(req: SandboxRequest, v: unknown, current: readonly AppRole[]): AppRole[] {
  if (!Array.isArray(v)) return invalidProperty(req, 'appRoles');
  const roles = v.map((entry): AppRole => {
    const r = entry as Record<string, unknown> | null;
    if (!r || typeof r !== 'object' || typeof r.id !== 'string' || !isGuid(r.id)) return invalidProperty(req, 'appRoles');
    const types = r.allowedMemberTypes;
    if (!Array.isArray(types) || types.length === 0 || types.some((t) => t !== 'Application' && t !== 'User'))
      return invalidProperty(req, 'appRoles.allowedMemberTypes');
    return {
      id: r.id.toLowerCase(),
      value: typeof r.value === 'string' ? r.value : '',
      displayName: typeof r.displayName === 'string' ? r.displayName : '',
      description: typeof r.description === 'string' ? r.description : '',
      allowedMemberTypes: types as AppRole['allowedMemberTypes'],
      isEnabled: r.isEnabled !== false,
      origin: 'Application',
    };
  });
  const values = roles.map((r) => r.value.toLowerCase()).filter(Boolean);
  if (new Set(values).size !== values.length) fail(req, 400, 'Request_BadRequest', 'App roles must have unique values.');
  if (new Set(roles.map((r) => r.id)).size !== roles.length) fail(req, 400, 'Request_BadRequest', 'App roles must have unique ids.');
  for (const old of current.filter((r) => r.isEnabled)) {
    const next = roles.find((r) => r.id === old.id);
    const same = next && next.value === old.value && JSON.stringify(next.allowedMemberTypes) === JSON.stringify(old.allowedMemberTypes);
    if (!next || (next.isEnabled && !same)) {
      fail(req, 400, 'CannotDeleteOrUpdateEnabledEntitlement', 'Property value cannot be deleted or updated unless it is disabled first.');
    }
  }
  return roles;
}

/**
 * `POST /applications/{id}/addPassword {passwordCredential: {displayName?, endDateTime?}}`: a new client secret,
 * returned once in `secretText` (application-addpassword.md); the sandbox keeps only its hash.
 */
function addPassword(req: SandboxRequest): SandboxResponse {
  const caller = authenticate(req);
  const app = findApp(req, caller);
  requireAppWrite(req, caller, app);
  const body = jsonBody(req);
  const p = (body.passwordCredential ?? {}) as Record<string, unknown>;
  if (typeof p !== 'object' || Array.isArray(p)) invalidProperty(req, 'passwordCredential');
  for (const k of ['startDateTime', 'endDateTime']) {
    if (p[k] !== undefined && (typeof p[k] !== 'string' || Number.isNaN(Date.parse(p[k] as string)))) invalidProperty(req, `passwordCredential.${k}`);
  }
  const secret = newClientSecret();
  req.core.secrets.record('clientSecret', secret);
  const now = new Date();
  const credential: PasswordCredential = {
    keyId: req.core.state.newId(),
    displayName: typeof p.displayName === 'string' ? p.displayName : null,
    hint: secret.slice(0, 3),
    secretHash: hashSecret(secret),
    startDateTime: typeof p.startDateTime === 'string' ? p.startDateTime : now.toISOString(),
    endDateTime: typeof p.endDateTime === 'string' ? p.endDateTime : new Date(now.getTime() + 2 * 365 * 86400_000).toISOString(),
    customKeyIdentifier: null,
  };
  app.passwordCredentials.push(credential);
  return ok(req, 200, {
    '@odata.context': `${req.baseUrl}/v1.0/$metadata#microsoft.graph.passwordCredential`,
    customKeyIdentifier: null,
    displayName: credential.displayName,
    endDateTime: credential.endDateTime,
    hint: credential.hint,
    keyId: credential.keyId,
    secretText: secret,
    startDateTime: credential.startDateTime,
  });
}

/** `POST /applications/{id}/removePassword {keyId}`: 204; an unknown keyId answers 400 as Graph does. */
function removePassword(req: SandboxRequest): SandboxResponse {
  const caller = authenticate(req);
  const app = findApp(req, caller);
  requireAppWrite(req, caller, app);
  const keyId = jsonBody(req).keyId;
  if (typeof keyId !== 'string' || !isGuid(keyId)) invalidProperty(req, 'keyId');
  const index = app.passwordCredentials.findIndex((p) => p.keyId.toLowerCase() === (keyId as string).toLowerCase());
  if (index < 0) fail(req, 400, 'Request_BadRequest', `No password credential found with keyId ${String(keyId)}.`);
  app.passwordCredentials.splice(index, 1);
  return noContent(req);
}

function requiredResourceAccess(req: SandboxRequest, v: unknown): RequiredResourceAccess[] {
  if (!Array.isArray(v)) return invalidProperty(req, 'requiredResourceAccess');
  return v.map((entry) => {
    const e = entry as Record<string, unknown> | null;
    if (!e || typeof e !== 'object' || typeof e.resourceAppId !== 'string' || !Array.isArray(e.resourceAccess))
      return invalidProperty(req, 'requiredResourceAccess');
    const access = (e.resourceAccess as unknown[]).map((a) => {
      const x = a as Record<string, unknown> | null;
      if (!x || typeof x.id !== 'string' || !isGuid(x.id) || (x.type !== 'Role' && x.type !== 'Scope')) return invalidProperty(req, 'requiredResourceAccess');
      return { id: x.id.toLowerCase(), type: x.type as 'Role' | 'Scope' };
    });
    return { resourceAppId: e.resourceAppId, resourceAccess: access };
  });
}

/** Applies writable properties of a POST/PATCH body to `app`, validating each. */
function applyApplicationBody(req: SandboxRequest, app: Application, body: Record<string, unknown>): void {
  for (const k of Object.keys(body)) {
    if (READ_ONLY.includes(k)) fail(req, 400, 'Request_BadRequest', `Property '${k}' is read-only and cannot be set.`);
  }
  rejectUnknown(req, body, [...WRITABLE, ...READ_ONLY], 'application');
  if ('displayName' in body) {
    const v = body.displayName;
    if (typeof v !== 'string' || v.trim() === '' || v.length > 256) invalidProperty(req, 'displayName');
    app.displayName = v as string;
  }
  if ('description' in body) {
    const v = body.description;
    if (v !== null && (typeof v !== 'string' || v.length > 1024)) invalidProperty(req, 'description');
    app.description = v as string | null;
  }
  if ('signInAudience' in body) {
    const v = body.signInAudience;
    if (typeof v !== 'string' || !SIGN_IN_AUDIENCES.includes(v as SignInAudience)) invalidProperty(req, 'signInAudience');
    app.signInAudience = v as SignInAudience;
  }
  if ('requiredResourceAccess' in body) app.requiredResourceAccess = requiredResourceAccess(req, body.requiredResourceAccess);
  if ('identifierUris' in body) app.identifierUris = stringArray(req, body.identifierUris, 'identifierUris');
  if ('tags' in body) app.tags = stringArray(req, body.tags, 'tags');
  if ('web' in body) app.web = webSettings(req, body.web, app.web);
  if ('keyCredentials' in body) app.keyCredentials = keyCredentials(req, body.keyCredentials, app.keyCredentials);
  if ('appRoles' in body) app.appRoles = appRoles(req, body.appRoles, app.appRoles);
  if ('optionalClaims' in body) {
    const v = body.optionalClaims;
    const lists = ['idToken', 'accessToken', 'saml2Token'];
    if (v !== null && (typeof v !== 'object' || Array.isArray(v) || Object.entries(v).some(([k, x]) => !lists.includes(k) || !Array.isArray(x)))) {
      invalidProperty(req, 'optionalClaims');
    }
    app.optionalClaims = v === null ? null : structuredClone(v as Record<string, unknown>);
  }
  if ('spa' in body) app.spa = redirectUris(req, body.spa, 'spa');
  if ('publicClient' in body) app.publicClient = redirectUris(req, body.publicClient, 'publicClient');
  if ('isFallbackPublicClient' in body) {
    if (typeof body.isFallbackPublicClient !== 'boolean') invalidProperty(req, 'isFallbackPublicClient');
    app.isFallbackPublicClient = body.isFallbackPublicClient as boolean;
  }
}

function createApplication(req: SandboxRequest): SandboxResponse {
  const caller = authenticate(req);
  requirePermission(req, caller, APPLICATION_WRITE);
  const body = jsonBody(req);
  const { state } = req.core;
  const app: Application = {
    id: state.newId(),
    appId: state.newId(),
    tenantId: caller.tenant.id,
    displayName: '',
    description: null,
    signInAudience: 'AzureADandPersonalMicrosoftAccount',
    identifierUris: [],
    requiredResourceAccess: [],
    owners: [caller.oid],
    federatedIdentityCredentials: [],
    passwordCredentials: [],
    keyCredentials: [],
    appRoles: [],
    api: { oauth2PermissionScopes: [], requestedAccessTokenVersion: null },
    web: { redirectUris: [] },
    spa: { redirectUris: [] },
    publicClient: { redirectUris: [] },
    isFallbackPublicClient: false,
    tags: [],
    publisherDomain: caller.tenant.defaultDomain,
    uniqueName: null,
    createdDateTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  };
  if (!('displayName' in body)) invalidProperty(req, 'displayName');
  applyApplicationBody(req, app, body);
  state.addApplication(app);
  return ok(
    req,
    201,
    { '@odata.context': `${req.baseUrl}/${graphVersion(req)}/$metadata#applications/$entity`, ...applicationEntity(app) },
    {
      location: `${req.baseUrl}/v2/${caller.tenant.id}/directoryObjects/${app.id}/Microsoft.DirectoryServices.Application`,
    },
  );
}

function updateApplication(req: SandboxRequest): SandboxResponse {
  const caller = authenticate(req);
  const app = findApp(req, caller);
  requireAppWrite(req, caller, app);
  const body = jsonBody(req);
  // Validate on a copy so a rejected PATCH changes nothing.
  const draft: Application = { ...app };
  applyApplicationBody(req, draft, body);
  Object.assign(app, draft);
  return noContent(req);
}

function deleteApplication(req: SandboxRequest): SandboxResponse {
  const caller = authenticate(req);
  const app = findApp(req, caller);
  requireAppWrite(req, caller, app);
  const { state } = req.core;
  state.removeApplication(app.id);
  // Deleting an app registration deletes its service principal in the home tenant too.
  const sp = state.findServicePrincipal(app.tenantId, app.appId);
  if (sp) state.removeServicePrincipal(sp.id);
  return noContent(req);
}

// ---- federated identity credentials -----------------------------------------------------------------------------

export const MAX_FICS_PER_APP = 20;
const FIC_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

function ficInvalid(req: SandboxRequest, message: string, param: string, value: unknown): never {
  const shown = Array.isArray(value) ? value.join(',') : value === undefined || value === null ? '' : String(value);
  return fail(
    req,
    400,
    'InvalidFederatedIdentityCredentialValue',
    `${message} paramName: FederatedIdentityCredential.${param}, paramValue: ${shown}, objectType: Microsoft.Online.DirectoryServices.Application`,
  );
}

function typeError(req: SandboxRequest, expected: string): never {
  return fail(req, 400, 'BadRequest', `Cannot convert a primitive value to the expected type '${expected}'. See the inner exception for more details.`);
}

interface FicValues {
  name: string;
  issuer: string;
  subject: string | null;
  audiences: string[];
  description: string | null;
  claimsMatchingExpression?: { value: string; languageVersion: number } | null;
}

/** Issuers a flexible credential accepts (entra-docs workload-identities-flexible-federated-identity-credentials.md). */
const FLEXIBLE_ISSUERS =
  /^https:\/\/(token\.actions\.githubusercontent\.com|gitlab\.com|gitlab\.[a-z0-9-]+(\.[a-z0-9-]+)+|app\.terraform\.io|app\.eu\.terraform\.io)$/i;
/** One clause of the documented grammar, `claims['x'] eq|matches '…'`, clauses joined by ` and `. */
const EXPRESSION = /^claims\['[A-Za-z0-9_]+'\] (eq|matches) '(?:[^']|'')*'(?: and claims\['[A-Za-z0-9_]+'\] (eq|matches) '(?:[^']|'')*')*$/;

/** `claimsMatchingExpression` of a beta body: an object with a string value and languageVersion 1. */
function readExpression(req: SandboxRequest, raw: unknown): FicValues['claimsMatchingExpression'] {
  if (raw === null || raw === undefined) return null;
  if (typeof raw !== 'object' || Array.isArray(raw))
    fail(req, 400, 'BadRequest', "A value of type 'microsoft.graph.federatedIdentityExpression' was expected for property 'claimsMatchingExpression'.");
  const e = raw as Record<string, unknown>;
  if (typeof e.value !== 'string') typeError(req, 'Edm.String');
  if (e.languageVersion !== 1) ficInvalid(req, 'The languageVersion of claimsMatchingExpression must be 1.', 'ClaimsMatchingExpression', e.languageVersion);
  return { value: e.value as string, languageVersion: 1 };
}

/** Type checks of a FIC body (OData), then Graph's value rules. `current` is the credential being updated. */
function readFicBody(req: SandboxRequest, body: Record<string, unknown>, current: FicValues | undefined): FicValues {
  rejectUnknown(req, body, ficProperties(req), 'federatedIdentityCredential');
  for (const k of ['name', 'issuer', 'subject']) if (k in body && body[k] !== null && typeof body[k] !== 'string') typeError(req, 'Edm.String');
  if ('description' in body && body.description !== null && typeof body.description !== 'string') typeError(req, 'Edm.String');
  if ('audiences' in body && body.audiences !== null && (!Array.isArray(body.audiences) || body.audiences.some((a) => typeof a !== 'string'))) {
    fail(req, 400, 'BadRequest', "A value of type 'Collection(Edm.String)' was expected for property 'audiences'.");
  }
  if (current && 'name' in body && body.name !== current.name)
    ficInvalid(req, 'The Name property of a federated identity credential cannot be changed after creation.', 'Name', body.name);
  const expression = 'claimsMatchingExpression' in body ? readExpression(req, body.claimsMatchingExpression) : (current?.claimsMatchingExpression ?? null);
  const v: FicValues = {
    name: current?.name ?? (body.name as string),
    issuer: 'issuer' in body ? (body.issuer as string) : (current?.issuer as string),
    // Setting an expression clears the subject and the other way round (they are exclusive).
    subject:
      'subject' in body ? ((body.subject as string | null) ?? null) : 'claimsMatchingExpression' in body && expression ? null : (current?.subject ?? null),
    audiences: 'audiences' in body ? (body.audiences as string[]) : (current?.audiences as string[]),
    description: 'description' in body ? ((body.description as string | null) ?? null) : (current?.description ?? null),
    claimsMatchingExpression: 'subject' in body && body.subject !== null && !('claimsMatchingExpression' in body) ? null : expression,
  };
  if (!current) {
    if (typeof v.name !== 'string' || v.name === '') ficInvalid(req, 'The Name value is required.', 'Name', v.name);
    if (v.name.length < 3 || v.name.length > 120) ficInvalid(req, 'The Name value must be between 3 and 120 characters long.', 'Name', v.name);
    if (!FIC_NAME.test(v.name)) ficInvalid(req, 'The specified Name value is not a valid URI last segment.', 'Name', v.name);
  }
  if (typeof v.issuer !== 'string' || v.issuer.trim() === '') ficInvalid(req, 'The Issuer value is required.', 'Issuer', v.issuer);
  if (v.issuer.length > 600) ficInvalid(req, 'The Issuer value must not exceed 600 characters.', 'Issuer', v.issuer);
  if (v.claimsMatchingExpression) {
    if (v.subject !== null) ficInvalid(req, 'Subject and ClaimsMatchingExpression are mutually exclusive; one of them must be null.', 'Subject', v.subject);
    if (!FLEXIBLE_ISSUERS.test(v.issuer.replace(/\/+$/, '')))
      ficInvalid(req, 'Flexible federated identity credentials support only GitHub, GitLab and Terraform Cloud issuers.', 'Issuer', v.issuer);
    const value = v.claimsMatchingExpression.value;
    if (value.trim() === '' || value.length > 600 || !EXPRESSION.test(value))
      ficInvalid(req, 'The ClaimsMatchingExpression value is not a valid expression.', 'ClaimsMatchingExpression', value);
  } else {
    if (typeof v.subject !== 'string' || v.subject.trim() === '') ficInvalid(req, 'The Subject value is required.', 'Subject', v.subject);
    if (v.subject.length > 600) ficInvalid(req, 'The Subject value must not exceed 600 characters.', 'Subject', v.subject);
  }
  if (!Array.isArray(v.audiences) || v.audiences.length !== 1)
    ficInvalid(req, 'Federated identity credentials must have exactly one audience.', 'Audiences', v.audiences);
  const audience = v.audiences[0] as string;
  if (audience.trim() === '') ficInvalid(req, 'The Audiences value must not be empty.', 'Audiences', audience);
  if (audience.length > 600) ficInvalid(req, 'The Audiences value must not exceed 600 characters.', 'Audiences', audience);
  if (v.description !== null && v.description.length > 600)
    ficInvalid(req, 'The Description value must not exceed 600 characters.', 'Description', v.description);
  return v;
}

/** Uniqueness on the app: name (409) and issuer+subject, compared exactly (400). */
function checkUnique(req: SandboxRequest, app: Application, v: FicValues, self: FederatedIdentityCredential | undefined): void {
  for (const f of app.federatedIdentityCredentials) {
    if (f === self) continue;
    if (!self && f.name.toLowerCase() === v.name.toLowerCase()) {
      fail(req, 409, 'Request_MultipleObjectsWithSameKeyValue', `FederatedIdentityCredential with name ${v.name} already exists.`);
    }
    const sameMatch = v.claimsMatchingExpression
      ? f.claimsMatchingExpression?.value === v.claimsMatchingExpression.value
      : f.subject !== null && f.subject === v.subject;
    if (f.issuer === v.issuer && sameMatch) {
      ficInvalid(
        req,
        `The combination of issuer and subject must be unique for the application. Issuer ${v.issuer} and Subject: ${v.subject} already exist.`,
        'Subject',
        v.subject,
      );
    }
  }
}

function createFic(req: SandboxRequest, app: Application, v: FicValues): SandboxResponse {
  if (app.federatedIdentityCredentials.length >= MAX_FICS_PER_APP) {
    ficInvalid(req, `The maximum number of federated identity credentials (${MAX_FICS_PER_APP}) for this application has been reached.`, 'Name', v.name);
  }
  checkUnique(req, app, v, undefined);
  const fic: FederatedIdentityCredential = { id: req.core.state.newId(), ...v, audiences: [...v.audiences] };
  // A flexible credential can be written only through beta; v1.0 refuses the property (rejectUnknown).
  req.core.state.addFederatedCredential(app, fic);
  req.core.recordWrite(fic);
  return ok(
    req,
    201,
    {
      '@odata.context': `${req.baseUrl}/${graphVersion(req)}/$metadata#applications('${app.id}')/federatedIdentityCredentials/$entity`,
      ...ficEntity(fic, graphVersion(req)),
    },
    {
      location: `${req.baseUrl}/${graphVersion(req)}/applications/${app.id}/federatedIdentityCredentials/${fic.id}`,
    },
  );
}

function updateFic(req: SandboxRequest, app: Application, fic: FederatedIdentityCredential, body: Record<string, unknown>): SandboxResponse {
  const v = readFicBody(req, body, fic);
  checkUnique(req, app, v, fic);
  // Only a change to what Entra matches has to propagate; a new description does not.
  const matchChanged =
    fic.issuer !== v.issuer ||
    fic.subject !== v.subject ||
    JSON.stringify(fic.audiences) !== JSON.stringify(v.audiences) ||
    (fic.claimsMatchingExpression?.value ?? null) !== (v.claimsMatchingExpression?.value ?? null);
  fic.issuer = v.issuer;
  req.core.state.setFederatedCredentialSubject(app, fic, v.subject);
  fic.claimsMatchingExpression = v.claimsMatchingExpression ? { ...v.claimsMatchingExpression } : null;
  fic.audiences = [...v.audiences];
  fic.description = v.description;
  if (matchChanged) req.core.recordWrite(fic);
  return noContent(req);
}

/** A credential by id or by name (the alternate key); 404 Request_ResourceNotFound otherwise. */
function findFic(req: SandboxRequest, app: Application, key: string): FederatedIdentityCredential {
  const k = key.toLowerCase();
  const fic =
    app.federatedIdentityCredentials.find((f) => f.id.toLowerCase() === k) ??
    app.federatedIdentityCredentials.find((f) => f.name === key) ??
    app.federatedIdentityCredentials.find((f) => f.name.toLowerCase() === k);
  return fic ?? notFound(req, key);
}

const ficKey = (req: SandboxRequest): string => (req.params.ficName !== undefined ? keyLiteral(req.params.ficName) : (req.params.fic ?? ''));

const FIC_FILTER: Record<string, FilterField<FederatedIdentityCredential>> = {
  name: { get: (f) => f.name, ops: ['eq', 'startswith'] },
  subject: { get: (f) => f.subject, ops: ['eq'] },
  issuer: { get: (f) => f.issuer, ops: ['eq'] },
};

function listFics(req: SandboxRequest): SandboxResponse {
  const caller = authenticate(req);
  requirePermission(req, caller, APPLICATION_READ);
  checkOptions(req, ['$select', '$filter', '$top', '$skiptoken', '$count']);
  const app = findApp(req, caller);
  const select = parseSelect(req, option(req, '$select'), ficProperties(req), 'federatedIdentityCredential');
  const top = parseTop(req);
  const filterRaw = option(req, '$filter');
  let fics = app.federatedIdentityCredentials;
  if (filterRaw !== undefined && filterRaw.trim() !== '') {
    const pred = compileFilter(req, parseFilter(req, filterRaw), FIC_FILTER, 'FederatedIdentityCredential', isEventual(req) && wantsCount(req));
    fics = fics.filter(pred);
  }
  // Graph lists an app's credentials in creation order.
  const order = new Map(app.federatedIdentityCredentials.map((f, i) => [f, String(i).padStart(4, '0')]));
  const p = page(req, fics, top, (f) => [order.get(f) ?? '', f.id]);
  return collection(
    req,
    `applications('${app.id}')/federatedIdentityCredentials${selectSuffix(select)}`,
    p.items.map((f) => project(ficEntity(f, graphVersion(req)), select)),
    {
      count: wantsCount(req) && option(req, '$skiptoken') === undefined ? p.total : undefined,
      nextLink: p.nextLink,
    },
  );
}

function postFic(req: SandboxRequest): SandboxResponse {
  const caller = authenticate(req);
  const app = findApp(req, caller);
  requireAppWrite(req, caller, app);
  return createFic(req, app, readFicBody(req, jsonBody(req), undefined));
}

function getFic(req: SandboxRequest): SandboxResponse {
  const caller = authenticate(req);
  requirePermission(req, caller, APPLICATION_READ);
  checkOptions(req, ['$select']);
  const app = findApp(req, caller);
  const fic = findFic(req, app, ficKey(req));
  const select = parseSelect(req, option(req, '$select'), ficProperties(req), 'federatedIdentityCredential');
  return ok(req, 200, {
    '@odata.context': `${req.baseUrl}/${graphVersion(req)}/$metadata#applications('${app.id}')/federatedIdentityCredentials${selectSuffix(select)}/$entity`,
    ...project(ficEntity(fic, graphVersion(req)), select),
  });
}

function patchFic(req: SandboxRequest): SandboxResponse {
  const caller = authenticate(req);
  const app = findApp(req, caller);
  requireAppWrite(req, caller, app);
  const body = jsonBody(req);
  const fic = findFic(req, app, ficKey(req));
  // v1.0 cannot hold a flexible credential (its subject is null there): it is changed through beta.
  if (fic.claimsMatchingExpression && graphVersion(req) === 'v1.0') {
    ficInvalid(req, 'The Subject value is required.', 'Subject', null);
  }
  return updateFic(req, app, fic, body);
}

/** PATCH …/federatedIdentityCredentials(name='x'): update, or create with `Prefer: create-if-missing`. */
function upsertFic(req: SandboxRequest): SandboxResponse {
  const caller = authenticate(req);
  const app = findApp(req, caller);
  requireAppWrite(req, caller, app);
  const body = jsonBody(req);
  const name = ficKey(req);
  const existing = app.federatedIdentityCredentials.find((f) => f.name.toLowerCase() === name.toLowerCase());
  if (existing) return updateFic(req, app, existing, body);
  const prefer = (req.headers.prefer ?? '').split(',').map((s) => s.trim().toLowerCase());
  if (!prefer.includes('create-if-missing')) return notFound(req, name);
  if ('name' in body && body.name !== name) ficInvalid(req, 'The Name in the request body must match the name in the request URL.', 'Name', body.name);
  return createFic(req, app, readFicBody(req, { ...body, name }, undefined));
}

function deleteFic(req: SandboxRequest): SandboxResponse {
  const caller = authenticate(req);
  const app = findApp(req, caller);
  requireAppWrite(req, caller, app);
  const fic = findFic(req, app, ficKey(req));
  req.core.state.removeFederatedCredential(app, fic);
  return noContent(req);
}

// ---- routes ------------------------------------------------------------------------------------------------------

const Q = "(?:'|%27)";
const LP = '(?:\\(|%28)';
const RP = '(?:\\)|%29)';
/** `/applications/{id}` or `/applications(appId='…')`. */
/** v1.0 and beta serve the same routes; beta adds flexible credentials (claimsMatchingExpression). */
const VERSION = '/(?:v1\\.0|beta)';
const APP = `${VERSION}/applications(?:/(?<id>[^/()]+)|${LP}appId=${Q}(?<appId>[^/]*?)${Q}${RP})`;
const FICS = `${APP}/federatedIdentityCredentials`;
const re = (s: string) => new RegExp(`^${s}$`, 'i');

export function registerApplications(r: AreaRouter): void {
  r.get(re(`${VERSION}/applications`), route(listApplications));
  r.post(re(`${VERSION}/applications`), route(createApplication));
  r.get(re(`${VERSION}/applications/(?:\\$|%24)count`), route(countApplications));
  r.get(re(FICS), route(listFics));
  r.post(re(FICS), route(postFic));
  const byName = re(`${FICS}${LP}name=${Q}(?<ficName>[^/]*?)${Q}${RP}`);
  r.get(byName, route(getFic));
  r.patch(byName, route(upsertFic));
  r.delete(byName, route(deleteFic));
  const byKey = re(`${FICS}/(?<fic>[^/]+)`);
  r.get(byKey, route(getFic));
  r.patch(byKey, route(patchFic));
  r.delete(byKey, route(deleteFic));
  r.post(re(`${APP}/addPassword`), route(addPassword));
  r.post(re(`${APP}/removePassword`), route(removePassword));
  r.get(re(APP), route(getApplication));
  r.patch(re(APP), route(updateApplication));
  r.delete(re(APP), route(deleteApplication));
}

export const applicationsModule: SandboxModule = {
  name: 'graph-applications',
  area: 'graph',
  register: (r) => registerApplications(r),
};
