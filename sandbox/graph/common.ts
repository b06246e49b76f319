// What every Graph route needs: the caller from the bearer token (its tenant selects the data), permission
// checks with Graph's 401/403 bodies, object lookups with Graph's 400/404 bodies, and a wrapper that turns a
// thrown GraphFailure into its answer.
import { graphForbidden, hasPermission, requireGraphToken } from '../auth';
import type { Handler, SandboxRequest, SandboxResponse } from '../router';
import type { Application, DirectoryRoleName, ServicePrincipal, Tenant, User } from '../state';
import type { AccessTokenClaims } from '../tokens';
import { fail, GraphFailure, isGuid, keyLiteral } from './odata';

export interface Caller {
  readonly claims: AccessTokenClaims;
  readonly tenant: Tenant;
  /** Delegated tokens: the signed-in user. */
  readonly user?: User;
  /** App-only tokens: the calling service principal. */
  readonly servicePrincipal?: ServicePrincipal;
  /** The caller's object id (user or service principal). */
  readonly oid: string;
}

/** Wraps a route: exceptions of type GraphFailure become their answer. */
export function route(handler: (req: SandboxRequest) => SandboxResponse | Promise<SandboxResponse>): Handler {
  return async (req) => {
    try {
      return await handler(req);
    } catch (e) {
      if (e instanceof GraphFailure) return e.response;
      throw e;
    }
  };
}

/** Verifies the token (401 InvalidAuthenticationToken) and finds who is calling in which tenant. */
export function authenticate(req: SandboxRequest): Caller {
  const auth = requireGraphToken(req);
  if ('response' in auth) throw new GraphFailure(auth.response);
  const { claims } = auth;
  const { state } = req.core;
  const tenant = state.tenants.get(claims.tid);
  const invalid = () => fail(req, 401, 'InvalidAuthenticationToken', 'Access token validation failure.');
  if (!tenant) return invalid();
  if (claims.idtyp === 'user' || claims.scp !== undefined) {
    const user = state.users.get(claims.oid);
    if (!user || user.tenantId !== tenant.id || !user.accountEnabled) return invalid();
    return { claims, tenant, user, oid: user.id };
  }
  const sp = state.servicePrincipals.get(claims.oid);
  if (!sp || sp.tenantId !== tenant.id || !sp.accountEnabled) return invalid();
  return { claims, tenant, servicePrincipal: sp, oid: sp.id };
}

export interface Permissions {
  readonly scopes?: readonly string[];
  readonly roles?: readonly string[];
}

/** 403 Authorization_RequestDenied unless the token has one of the delegated scopes / app roles. */
export function requirePermission(req: SandboxRequest, caller: Caller, anyOf: Permissions): void {
  if (!hasPermission(caller.claims, anyOf)) throw new GraphFailure(graphForbidden(req));
}

// Permission sets, from each API's permission table in microsoft-graph-docs-contrib api-reference/v1.0/api.
export const APPLICATION_READ: Permissions = {
  scopes: ['Application.Read.All', 'Application.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  roles: ['Application.Read.All', 'Application.ReadWrite.All', 'Application.ReadWrite.OwnedBy', 'Directory.Read.All', 'Directory.ReadWrite.All'],
};
export const APPLICATION_WRITE: Permissions = {
  scopes: ['Application.ReadWrite.All'],
  roles: ['Application.ReadWrite.All', 'Application.ReadWrite.OwnedBy'],
};
export const USER_READ_ALL: Permissions = {
  scopes: ['User.Read.All', 'User.ReadWrite.All', 'User.ReadBasic.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  roles: ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
};
export const APP_ROLE_ASSIGNMENT_WRITE: Permissions = {
  scopes: ['AppRoleAssignment.ReadWrite.All', 'Directory.ReadWrite.All'],
  roles: ['AppRoleAssignment.ReadWrite.All', 'Directory.ReadWrite.All'],
};

/** Directory roles that may manage every app registration (and its credentials). */
export const APP_ADMIN_ROLES: readonly DirectoryRoleName[] = ['Global Administrator', 'Application Administrator', 'Cloud Application Administrator'];

/**
 * Writes to an app: delegated callers need Application.ReadWrite.All and to own the app or hold an app admin
 * role; app-only callers need Application.ReadWrite.All, or Application.ReadWrite.OwnedBy and to own it.
 */
export function requireAppWrite(req: SandboxRequest, caller: Caller, app: Application): void {
  const denied = () => {
    throw new GraphFailure(graphForbidden(req));
  };
  if (caller.user) {
    if (!hasPermission(caller.claims, { scopes: APPLICATION_WRITE.scopes })) denied();
    if (!app.owners.includes(caller.user.id) && !caller.user.directoryRoles.some((r) => APP_ADMIN_ROLES.includes(r))) denied();
    return;
  }
  if (hasPermission(caller.claims, { roles: ['Application.ReadWrite.All'] })) return;
  if (hasPermission(caller.claims, { roles: ['Application.ReadWrite.OwnedBy'] }) && app.owners.includes(caller.oid)) return;
  denied();
}

export function notFound(req: SandboxRequest, key: string): never {
  return fail(req, 404, 'Request_ResourceNotFound', `Resource '${key}' does not exist or one of its queried reference-property objects are not present.`);
}

/** An object id from the path: 400 for a non-GUID (as Graph does), else the id. */
export function objectId(req: SandboxRequest, raw: string): string {
  if (!isGuid(raw)) fail(req, 400, 'Request_BadRequest', `Invalid object identifier '${raw}'.`);
  return raw.toLowerCase();
}

/** The app a path names (`{id}` or `(appId='…')`) in the caller's tenant; 400/404 like Graph. */
export function findApp(req: SandboxRequest, caller: Caller): Application {
  const { state } = req.core;
  if (req.params.appId !== undefined) {
    const appId = keyLiteral(req.params.appId);
    const app = state.findApplicationByAppId(appId);
    if (!app || app.tenantId !== caller.tenant.id) return notFound(req, appId);
    return app;
  }
  const id = objectId(req, req.params.id ?? '');
  const app = state.applications.get(id) ?? [...state.applications.values()].find((a) => a.id.toLowerCase() === id);
  if (!app || app.tenantId !== caller.tenant.id) return notFound(req, req.params.id ?? '');
  return app;
}

/** The body as a JSON object; 400 BadRequest otherwise. */
export function jsonBody(req: SandboxRequest): Record<string, unknown> {
  if (req.bodyError)
    fail(
      req,
      400,
      'BadRequest',
      `Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format. ${req.bodyError}`,
    );
  const b = req.body;
  if (!b || typeof b !== 'object' || Array.isArray(b)) fail(req, 400, 'BadRequest', 'Empty Payload. JSON content expected.');
  return b as Record<string, unknown>;
}

/** OData rejects properties the type does not define. */
export function rejectUnknown(req: SandboxRequest, body: Record<string, unknown>, known: readonly string[], type: string): void {
  for (const k of Object.keys(body)) {
    if (k.startsWith('@odata.')) continue;
    if (!known.includes(k)) {
      fail(
        req,
        400,
        'BadRequest',
        `Property '${k}' does not exist on type 'microsoft.graph.${type}'. Make sure to only use property names that are defined by the type or mark the type as open type.`,
      );
    }
  }
}
