// Microsoft Graph v1.0 /servicePrincipals, /servicePrincipals/{id}/appRoleAssignments and /appRoleAssignedTo.
// Sources (microsoft-graph-docs-contrib api-reference/v1.0/api): serviceprincipal-list.md, serviceprincipal-get.md,
// serviceprincipal-list-approleassignments.md, serviceprincipal-post-approleassignments.md,
// serviceprincipal-list-approleassignedto.md, serviceprincipal-post-approleassignedto.md; resources/approleassignment.md.
import type { SandboxModule } from '../module';
import type { AreaRouter, SandboxRequest, SandboxResponse } from '../router';
import { AppRoleAssignment, DirectoryRoleName, GRAPH_APP_ID, ServicePrincipal, User } from '../state';
import {
  APP_ROLE_ASSIGNMENT_WRITE,
  APPLICATION_READ,
  APPLICATION_WRITE,
  authenticate,
  Caller,
  jsonBody,
  notFound,
  objectId,
  rejectUnknown,
  requirePermission,
  route,
} from './common';
import { GraphFailure } from './odata';
import { graphForbidden } from '../auth';
import {
  checkOptions,
  collection,
  compileFilter,
  fail,
  FilterField,
  isEventual,
  isGuid,
  keyLiteral,
  ok,
  option,
  page,
  parseFilter,
  parseSearch,
  parseSelect,
  parseTop,
  project,
  searchMatcher,
  selectSuffix,
  wantsCount,
} from './odata';

export function servicePrincipalEntity(sp: ServicePrincipal): Record<string, unknown> {
  return {
    id: sp.id,
    deletedDateTime: null,
    accountEnabled: sp.accountEnabled,
    alternativeNames: [...sp.alternativeNames],
    appDisplayName: sp.servicePrincipalType === 'Application' ? sp.displayName : null,
    appDescription: null,
    appId: sp.appId,
    applicationTemplateId: null,
    appOwnerOrganizationId: sp.appOwnerOrganizationId,
    appRoleAssignmentRequired: sp.appRoleAssignmentRequired,
    description: null,
    disabledByMicrosoftStatus: null,
    displayName: sp.displayName,
    homepage: null,
    loginUrl: null,
    logoutUrl: null,
    notes: null,
    notificationEmailAddresses: [],
    preferredSingleSignOnMode: null,
    preferredTokenSigningKeyThumbprint: null,
    replyUrls: [],
    servicePrincipalNames: [...sp.servicePrincipalNames],
    servicePrincipalType: sp.servicePrincipalType,
    signInAudience: sp.servicePrincipalType === 'Application' ? 'AzureADMultipleOrgs' : null,
    tags: [...sp.tags],
    tokenEncryptionKeyId: null,
    info: { logoUrl: null, marketingUrl: null, privacyStatementUrl: null, supportUrl: null, termsOfServiceUrl: null },
    addIns: [],
    appRoles: sp.appRoles.map((r) => ({ ...r })),
    keyCredentials: [],
    oauth2PermissionScopes: sp.oauth2PermissionScopes.map((s) => ({ ...s })),
    passwordCredentials: [],
    resourceSpecificApplicationPermissions: [],
    verifiedPublisher: { displayName: null, verifiedPublisherId: null, addedDateTime: null },
  };
}

const SP_PROPERTIES = Object.keys(
  servicePrincipalEntity({
    id: '',
    appId: '',
    tenantId: '',
    displayName: '',
    servicePrincipalType: 'Application',
    appOwnerOrganizationId: null,
    alternativeNames: [],
    servicePrincipalNames: [],
    appRoles: [],
    oauth2PermissionScopes: [],
    accountEnabled: true,
    appRoleAssignmentRequired: false,
    tags: [],
    owners: [],
    applicationObjectId: null,
    createdDateTime: '',
  }),
);

export function assignmentEntity(a: AppRoleAssignment): Record<string, unknown> {
  return {
    id: a.id,
    deletedDateTime: null,
    appRoleId: a.appRoleId,
    createdDateTime: a.createdDateTime,
    principalDisplayName: a.principalDisplayName,
    principalId: a.principalId,
    principalType: a.principalType,
    resourceDisplayName: a.resourceDisplayName,
    resourceId: a.resourceId,
  };
}

const ASSIGNMENT_PROPERTIES = [
  'id',
  'deletedDateTime',
  'appRoleId',
  'createdDateTime',
  'principalDisplayName',
  'principalId',
  'principalType',
  'resourceDisplayName',
  'resourceId',
];

const SP_FILTER: Record<string, FilterField<ServicePrincipal>> = {
  id: { get: (s) => s.id, ops: ['eq'] },
  appId: { get: (s) => s.appId, ops: ['eq'] },
  displayName: { get: (s) => s.displayName, ops: ['eq', 'startswith'] },
  servicePrincipalType: { get: (s) => s.servicePrincipalType, ops: ['eq'] },
  accountEnabled: { get: (s) => s.accountEnabled, ops: ['eq'] },
  // Edm.Guid in Graph's metadata: compared with an unquoted GUID.
  appOwnerOrganizationId: { get: (s) => s.appOwnerOrganizationId, ops: ['eq'], type: 'Edm.Guid' },
  // `servicePrincipalNames/any(c:c eq '…')`, what every Azure CLI service-principal lookup sends; works without
  // advanced queries (resources/serviceprincipal.md: "The any operator is required … Supports $filter (eq, not, ge, le, startsWith)").
  servicePrincipalNames: { items: (s) => s.servicePrincipalNames, element: { '': { get: (n: string) => n, ops: ['eq', 'startswith'] } } },
  // A managed identity's `alternativeNames` (its resource id, isExplicit=…): `alternativeNames/any(x:x eq '…')`.
  alternativeNames: { items: (s) => s.alternativeNames, element: { '': { get: (n: string) => n, ops: ['eq'] } } },
};

function listServicePrincipals(req: SandboxRequest): SandboxResponse {
  const caller = authenticate(req);
  requirePermission(req, caller, APPLICATION_READ);
  checkOptions(req, ['$select', '$top', '$filter', '$count', '$skiptoken', '$search']);
  const select = parseSelect(req, option(req, '$select'), SP_PROPERTIES, 'servicePrincipal');
  const top = parseTop(req);
  if (option(req, '$search') !== undefined && !isEventual(req)) {
    fail(
      req,
      400,
      'Request_UnsupportedQuery',
      "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'",
    );
  }
  const count = wantsCount(req);
  const filterRaw = option(req, '$filter');
  const pred =
    filterRaw && filterRaw.trim() !== ''
      ? compileFilter(req, parseFilter(req, filterRaw), SP_FILTER, 'ServicePrincipal', isEventual(req) && (count || option(req, '$search') !== undefined))
      : undefined;
  const searchRaw = option(req, '$search');
  const matches = searchRaw !== undefined ? searchMatcher<ServicePrincipal>(parseSearch(req, searchRaw, ['displayName']), (s) => s.displayName) : undefined;
  const sps: ServicePrincipal[] = [];
  for (const sp of req.core.state.servicePrincipals.values())
    if (sp.tenantId === caller.tenant.id && (!pred || pred(sp)) && (!matches || matches(sp))) sps.push(sp);
  const p = page(req, sps, top, (s) => [s.id]);
  return collection(
    req,
    `servicePrincipals${selectSuffix(select)}`,
    p.items.map((s) => project(servicePrincipalEntity(s), select)),
    {
      count: count && option(req, '$skiptoken') === undefined ? p.total : undefined,
      nextLink: p.nextLink,
    },
  );
}

/** `{id}` (400 for a non-GUID, like Graph) or `(appId='…')`, in the caller's tenant. */
function findSp(req: SandboxRequest, caller: Caller): ServicePrincipal {
  const { state } = req.core;
  if (req.params.appId !== undefined) {
    const appId = keyLiteral(req.params.appId);
    return state.findServicePrincipal(caller.tenant.id, appId) ?? notFound(req, appId);
  }
  const id = objectId(req, req.params.id ?? '');
  const sp = state.servicePrincipals.get(id);
  if (!sp || sp.tenantId !== caller.tenant.id) return notFound(req, req.params.id ?? '');
  return sp;
}

/**
 * `POST /servicePrincipals {appId}` (what `az ad sp create --id` sends; serviceprincipal-post-serviceprincipals.md):
 * the service principal of an app of this tenant, or of a multi-tenant app of another (as consent makes it).
 * 409 Request_MultipleObjectsWithSameKeyValue when the tenant has it already, as Graph answers.
 */
function createServicePrincipal(req: SandboxRequest): SandboxResponse {
  const caller = authenticate(req);
  requirePermission(req, caller, APPLICATION_WRITE);
  const body = jsonBody(req);
  rejectUnknown(req, body, ['appId', 'accountEnabled', 'appRoleAssignmentRequired', 'tags', 'displayName', 'notes', 'description'], 'servicePrincipal');
  const appId = body.appId;
  if (typeof appId !== 'string' || appId.trim() === '') {
    return fail(req, 400, 'Request_BadRequest', "Property 'appId' is required when creating the entity.");
  }
  const { state } = req.core;
  const app = state.findApplicationByAppId(appId);
  const multiTenant = app !== undefined && app.signInAudience !== 'AzureADMyOrg' && app.signInAudience !== 'PersonalMicrosoftAccount';
  if (!app || (app.tenantId !== caller.tenant.id && !multiTenant)) {
    return fail(req, 400, 'Request_BadRequest', `The appId '${appId}' of the service principal does not reference a valid application object.`);
  }
  const existing = state.findServicePrincipal(caller.tenant.id, app.appId);
  if (existing) {
    return fail(
      req,
      409,
      'Request_MultipleObjectsWithSameKeyValue',
      `The service principal cannot be created, updated, or restored because the service principal name ${app.appId} is already in use.`,
    );
  }
  const sp = state.ensureServicePrincipal(caller.tenant.id, app);
  req.core.recordWrite(sp);
  if (typeof body.accountEnabled === 'boolean') sp.accountEnabled = body.accountEnabled;
  if (typeof body.appRoleAssignmentRequired === 'boolean') sp.appRoleAssignmentRequired = body.appRoleAssignmentRequired;
  if (Array.isArray(body.tags)) sp.tags = body.tags.filter((t): t is string => typeof t === 'string');
  return ok(
    req,
    201,
    { '@odata.context': `${req.baseUrl}/v1.0/$metadata#servicePrincipals/$entity`, ...servicePrincipalEntity(sp) },
    { location: `${req.baseUrl}/v1.0/servicePrincipals/${sp.id}` },
  );
}

function getServicePrincipal(req: SandboxRequest): SandboxResponse {
  const caller = authenticate(req);
  requirePermission(req, caller, APPLICATION_READ);
  checkOptions(req, ['$select']);
  const sp = findSp(req, caller);
  const select = parseSelect(req, option(req, '$select'), SP_PROPERTIES, 'servicePrincipal');
  return ok(req, 200, {
    '@odata.context': `${req.baseUrl}/v1.0/$metadata#servicePrincipals${selectSuffix(select)}/$entity`,
    ...project(servicePrincipalEntity(sp), select),
  });
}

function listAssignments(req: SandboxRequest, direction: 'granted' | 'assignedTo'): SandboxResponse {
  const caller = authenticate(req);
  requirePermission(req, caller, APPLICATION_READ);
  checkOptions(req, ['$select', '$top', '$skiptoken', '$count', '$filter']);
  const sp = findSp(req, caller);
  const select = parseSelect(req, option(req, '$select'), ASSIGNMENT_PROPERTIES, 'appRoleAssignment');
  const top = parseTop(req);
  const filterRaw = option(req, '$filter');
  // Edm.Guid properties (resources/approleassignment.md): `principalId eq 00000000-…` unquoted; a quoted value is a type error.
  const fields: Record<string, FilterField<AppRoleAssignment>> = {
    principalId: { get: (a) => a.principalId, ops: ['eq'], type: 'Edm.Guid' },
    resourceId: { get: (a) => a.resourceId, ops: ['eq'], type: 'Edm.Guid' },
    appRoleId: { get: (a) => a.appRoleId, ops: ['eq'], type: 'Edm.Guid' },
  };
  const pred = filterRaw ? compileFilter(req, parseFilter(req, filterRaw), fields, 'AppRoleAssignment', isEventual(req) && wantsCount(req)) : undefined;
  const all = [...req.core.state.appRoleAssignments.values()].filter(
    (a) => (direction === 'granted' ? a.principalId === sp.id : a.resourceId === sp.id) && (!pred || pred(a)),
  );
  const p = page(req, all, top, (a) => [a.createdDateTime, a.id]);
  const nav = direction === 'granted' ? 'appRoleAssignments' : 'appRoleAssignedTo';
  return collection(
    req,
    `servicePrincipals('${sp.id}')/${nav}${selectSuffix(select)}`,
    p.items.map((a) => project(assignmentEntity(a), select)),
    {
      count: wantsCount(req) && option(req, '$skiptoken') === undefined ? p.total : undefined,
      nextLink: p.nextLink,
    },
  );
}

const GRANT_ROLES: readonly DirectoryRoleName[] = ['Global Administrator', 'Privileged Role Administrator'];
const APP_GRANT_ROLES: readonly DirectoryRoleName[] = [...GRANT_ROLES, 'Application Administrator', 'Cloud Application Administrator'];

/** POST: body {principalId, resourceId, appRoleId}; `fixed` is the side the URL names. */
function createAssignment(req: SandboxRequest, direction: 'granted' | 'assignedTo'): SandboxResponse {
  const caller = authenticate(req);
  requirePermission(req, caller, APP_ROLE_ASSIGNMENT_WRITE);
  const sp = findSp(req, caller);
  const body = jsonBody(req);
  rejectUnknown(req, body, ['principalId', 'resourceId', 'appRoleId', 'principalType', 'principalDisplayName', 'resourceDisplayName'], 'appRoleAssignment');
  for (const k of ['principalId', 'resourceId', 'appRoleId']) {
    const v = body[k];
    if (typeof v !== 'string' || !isGuid(v))
      fail(req, 400, 'Request_BadRequest', `Invalid value specified for property '${k}' of resource 'AppRoleAssignment'.`);
  }
  const principalId = (body.principalId as string).toLowerCase();
  const resourceId = (body.resourceId as string).toLowerCase();
  const appRoleId = (body.appRoleId as string).toLowerCase();
  if (direction === 'granted' && principalId !== sp.id)
    fail(req, 400, 'Request_BadRequest', `The principalId '${principalId}' must match the service principal in the request URL.`);
  if (direction === 'assignedTo' && resourceId !== sp.id)
    fail(req, 400, 'Request_BadRequest', `The resourceId '${resourceId}' must match the service principal in the request URL.`);
  const { state } = req.core;
  const resource = state.servicePrincipals.get(resourceId);
  if (!resource || resource.tenantId !== caller.tenant.id) return notFound(req, resourceId);
  const principal: ServicePrincipal | User | undefined = state.servicePrincipals.get(principalId) ?? state.users.get(principalId);
  if (!principal || principal.tenantId !== caller.tenant.id) return notFound(req, principalId);
  // Delegated callers need a directory role: granting Microsoft Graph's app roles takes a privileged role.
  if (caller.user) {
    const roles = resource.appId === GRAPH_APP_ID ? GRANT_ROLES : APP_GRANT_ROLES;
    if (!caller.user.directoryRoles.some((r) => roles.includes(r))) throw new GraphFailure(graphForbidden(req));
  }
  const isSp = 'servicePrincipalType' in principal;
  const role = resource.appRoles.find((r) => r.id.toLowerCase() === appRoleId && r.isEnabled);
  const defaultAccess = !isSp && appRoleId === '00000000-0000-0000-0000-000000000000';
  if (!defaultAccess && (!role || !role.allowedMemberTypes.includes(isSp ? 'Application' : 'User'))) {
    fail(req, 400, 'Request_BadRequest', `Permission being assigned was not found on application '${resource.appId}'.`);
  }
  for (const a of state.appRoleAssignments.values()) {
    if (a.principalId === principal.id && a.resourceId === resource.id && a.appRoleId === appRoleId) {
      fail(req, 400, 'Request_BadRequest', 'Permission being assigned already exists on the object');
    }
  }
  const a = state.addAppRoleAssignment(caller.tenant.id, principal, resource, appRoleId);
  const nav = direction === 'granted' ? 'appRoleAssignments' : 'appRoleAssignedTo';
  return ok(req, 201, { '@odata.context': `${req.baseUrl}/v1.0/$metadata#servicePrincipals('${sp.id}')/${nav}/$entity`, ...assignmentEntity(a) });
}

const Q = "(?:'|%27)";
const SP = `/v1\\.0/servicePrincipals(?:/(?<id>[^/()]+)|(?:\\(|%28)appId=${Q}(?<appId>[^/]*?)${Q}(?:\\)|%29))`;
const re = (s: string) => new RegExp(`^${s}$`, 'i');

export function registerServicePrincipals(r: AreaRouter): void {
  r.get('/v1.0/servicePrincipals', route(listServicePrincipals));
  r.post('/v1.0/servicePrincipals', route(createServicePrincipal));
  r.get(
    re(`${SP}/appRoleAssignments`),
    route((req) => listAssignments(req, 'granted')),
  );
  r.post(
    re(`${SP}/appRoleAssignments`),
    route((req) => createAssignment(req, 'granted')),
  );
  r.get(
    re(`${SP}/appRoleAssignedTo`),
    route((req) => listAssignments(req, 'assignedTo')),
  );
  r.post(
    re(`${SP}/appRoleAssignedTo`),
    route((req) => createAssignment(req, 'assignedTo')),
  );
  r.get(re(SP), route(getServicePrincipal));
}

export const servicePrincipalsModule: SandboxModule = {
  name: 'graph-service-principals',
  area: 'graph',
  register: (r) => registerServicePrincipals(r),
};
