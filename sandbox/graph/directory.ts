// Microsoft Graph v1.0 /me, /me/ownedObjects (and its microsoft.graph.application cast), /organization, /users.
// Sources (microsoft-graph-docs-contrib api-reference/v1.0/api): user-get.md, user-list.md,
// user-list-ownedobjects.md, organization-get.md / organization-list.md; the default user properties are
// those user-get.md lists as returned without $select.
import { hasPermission } from '../auth';
import type { SandboxModule } from '../module';
import type { AreaRouter, SandboxRequest, SandboxResponse } from '../router';
import type { Application, User } from '../state';
import { APPLICATION_PROPERTIES, applicationEntity } from './applications';
import { authenticate, Caller, notFound, requirePermission, route, USER_READ_ALL } from './common';
import {
  checkOptions,
  collection,
  compileFilter,
  fail,
  FilterField,
  isEventual,
  isGuid,
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

export function userEntity(u: User): Record<string, unknown> {
  return {
    id: u.id,
    businessPhones: [],
    displayName: u.displayName,
    givenName: u.givenName,
    jobTitle: u.jobTitle,
    mail: u.mail,
    mobilePhone: null,
    officeLocation: null,
    preferredLanguage: null,
    surname: u.surname,
    userPrincipalName: u.userPrincipalName,
    accountEnabled: u.accountEnabled,
    createdDateTime: u.createdDateTime,
    userType: 'Member',
  };
}

const USER_DEFAULT = [
  'businessPhones',
  'displayName',
  'givenName',
  'jobTitle',
  'mail',
  'mobilePhone',
  'officeLocation',
  'preferredLanguage',
  'surname',
  'userPrincipalName',
  'id',
];
const USER_PROPERTIES = [...USER_DEFAULT, 'accountEnabled', 'createdDateTime', 'userType'];

function delegatedOnly(req: SandboxRequest, caller: Caller): User {
  if (!caller.user) fail(req, 400, 'BadRequest', '/me request is only valid with delegated authentication flow.');
  return caller.user as User;
}

function getMe(req: SandboxRequest): SandboxResponse {
  const caller = authenticate(req);
  const user = delegatedOnly(req, caller);
  checkOptions(req, ['$select']);
  const select = parseSelect(req, option(req, '$select'), USER_PROPERTIES, 'user');
  return ok(req, 200, {
    '@odata.context': `${req.baseUrl}/v1.0/$metadata#users${selectSuffix(select)}/$entity`,
    ...project(userEntity(user), select, USER_DEFAULT),
  });
}

/** Objects the user owns: app registrations (and service principals) whose owners include them. */
function ownedObjects(req: SandboxRequest, castToApplication: boolean): SandboxResponse {
  const caller = authenticate(req);
  const user = delegatedOnly(req, caller);
  // Listing your own objects needs a basic user-read scope (user-list-ownedobjects.md: User.Read least privileged).
  if (
    !hasPermission(caller.claims, {
      scopes: ['User.Read', 'User.ReadWrite', 'User.ReadBasic.All', 'User.Read.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
    })
  ) {
    requirePermission(req, caller, { scopes: [] });
  }
  checkOptions(req, ['$select', '$top', '$filter', '$count', '$skiptoken', '$orderby', '$search']);
  const top = parseTop(req);
  const select = parseSelect(
    req,
    option(req, '$select'),
    castToApplication ? APPLICATION_PROPERTIES : ['id', ...APPLICATION_PROPERTIES.filter((p) => p !== 'id'), 'servicePrincipalType'],
    castToApplication ? 'application' : 'directoryObject',
  );
  const filterRaw = option(req, '$filter');
  if (option(req, '$search') !== undefined && !isEventual(req)) {
    fail(
      req,
      400,
      'Request_UnsupportedQuery',
      "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'",
    );
  }
  const fields: Record<string, FilterField<Application>> = {
    displayName: { get: (a) => a.displayName, ops: ['eq', 'startswith'] },
    appId: { get: (a) => a.appId, ops: ['eq'] },
  };
  const searchRaw = option(req, '$search');
  const pred = filterRaw
    ? compileFilter(req, parseFilter(req, filterRaw), fields, 'Application', isEventual(req) && (wantsCount(req) || searchRaw !== undefined))
    : undefined;
  const matches =
    searchRaw !== undefined
      ? searchMatcher<Application>(parseSearch(req, searchRaw, ['displayName', 'description']), (a, p) => (p === 'displayName' ? a.displayName : a.description))
      : undefined;
  const apps: Application[] = [];
  for (const a of req.core.state.applications.values()) {
    if (a.tenantId === caller.tenant.id && a.owners.includes(user.id) && (!pred || pred(a)) && (!matches || matches(a))) apps.push(a);
  }
  const p = page(req, apps, top, (a) => [a.id]);
  const value = p.items.map((a) =>
    castToApplication ? project(applicationEntity(a), select) : { '@odata.type': '#microsoft.graph.application', ...project(applicationEntity(a), select) },
  );
  const count = wantsCount(req) && option(req, '$skiptoken') === undefined ? p.total : undefined;
  return collection(req, castToApplication ? `applications${selectSuffix(select)}` : `directoryObjects${selectSuffix(select)}`, value, {
    count,
    nextLink: p.nextLink,
  });
}

function organization(req: SandboxRequest): SandboxResponse {
  const caller = authenticate(req);
  // organization-get.md: delegated User.Read (least); application Organization.Read.All / Directory.Read.All.
  requirePermission(req, caller, {
    scopes: [
      'User.Read',
      'User.ReadBasic.All',
      'User.Read.All',
      'Organization.Read.All',
      'Organization.ReadWrite.All',
      'Directory.Read.All',
      'Directory.ReadWrite.All',
      'Application.Read.All',
      'Application.ReadWrite.All',
    ],
    roles: ['Organization.Read.All', 'Organization.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  });
  checkOptions(req, ['$select']);
  const t = caller.tenant;
  const entity = {
    id: t.id,
    deletedDateTime: null,
    businessPhones: [],
    city: null,
    country: null,
    countryLetterCode: 'US',
    createdDateTime: t.createdDateTime,
    displayName: t.displayName,
    onPremisesSyncEnabled: null,
    tenantType: 'AAD',
    verifiedDomains: t.verifiedDomains.map((name) => ({
      capabilities: 'Email, OfficeCommunicationsOnline',
      isDefault: name === t.defaultDomain,
      isInitial: name === t.defaultDomain,
      name,
      type: 'Managed',
    })),
  };
  const select = parseSelect(req, option(req, '$select'), Object.keys(entity), 'organization');
  return collection(req, `organization${selectSuffix(select)}`, [project(entity, select)]);
}

const USER_FILTER: Record<string, FilterField<User>> = {
  id: { get: (u) => u.id, ops: ['eq'] },
  displayName: { get: (u) => u.displayName, ops: ['eq', 'startswith'] },
  userPrincipalName: { get: (u) => u.userPrincipalName, ops: ['eq', 'startswith'] },
  mail: { get: (u) => u.mail, ops: ['eq', 'startswith'] },
  accountEnabled: { get: (u) => u.accountEnabled, ops: ['eq'] },
};

function listUsers(req: SandboxRequest): SandboxResponse {
  const caller = authenticate(req);
  requirePermission(req, caller, USER_READ_ALL);
  checkOptions(req, ['$select', '$top', '$filter', '$count', '$skiptoken']);
  const select = parseSelect(req, option(req, '$select'), USER_PROPERTIES, 'user');
  const top = parseTop(req);
  const filterRaw = option(req, '$filter');
  const pred = filterRaw ? compileFilter(req, parseFilter(req, filterRaw), USER_FILTER, 'User', isEventual(req) && wantsCount(req)) : undefined;
  const users = req.core.state.usersOf(caller.tenant.id).filter((u) => !pred || pred(u));
  const p = page(req, users, top, (u) => [u.id]);
  const count = wantsCount(req) && option(req, '$skiptoken') === undefined ? p.total : undefined;
  return collection(
    req,
    `users${selectSuffix(select)}`,
    p.items.map((u) => project(userEntity(u), select, USER_DEFAULT)),
    { count, nextLink: p.nextLink },
  );
}

function getUser(req: SandboxRequest): SandboxResponse {
  const caller = authenticate(req);
  const key = req.params.user ?? '';
  const { state } = req.core;
  const user = isGuid(key) ? state.users.get(key.toLowerCase()) : state.findUserByUpn(key);
  // Reading yourself needs only User.Read; anyone else needs a User.Read.All-like permission.
  if (!(caller.user && user && user.id === caller.user.id)) requirePermission(req, caller, USER_READ_ALL);
  if (!user || user.tenantId !== caller.tenant.id) return notFound(req, key);
  checkOptions(req, ['$select']);
  const select = parseSelect(req, option(req, '$select'), USER_PROPERTIES, 'user');
  return ok(req, 200, {
    '@odata.context': `${req.baseUrl}/v1.0/$metadata#users${selectSuffix(select)}/$entity`,
    ...project(userEntity(user), select, USER_DEFAULT),
  });
}

export function registerDirectory(r: AreaRouter): void {
  r.get('/v1.0/me', route(getMe));
  r.get(
    '/v1.0/me/ownedObjects',
    route((req) => ownedObjects(req, false)),
  );
  r.get(
    '/v1.0/me/ownedObjects/microsoft.graph.application',
    route((req) => ownedObjects(req, true)),
  );
  r.get('/v1.0/organization', route(organization));
  r.get('/v1.0/users', route(listUsers));
  r.get('/v1.0/users/:user', route(getUser));
}

export const directoryModule: SandboxModule = {
  name: 'graph-directory',
  area: 'graph',
  register: (r) => registerDirectory(r),
};
