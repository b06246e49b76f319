// Shared pieces of the Entra token service: tenant segments, scope parsing, client lookup and the
// delegated-token issuance used by the password, device-code and refresh-token grants.
// Protocol: entra-docs docs/identity-platform/v2-oauth2-*.md; error codes: reference-error-codes.md.
import { randomBytes } from 'node:crypto';
import type { SandboxCore } from '../core';
import { entraError } from '../errors';
import type { SandboxRequest, SandboxResponse } from '../router';
import { Application, GRAPH_APP_ID, hashSecret, PasswordCredential, ServicePrincipal, Tenant, User } from '../state';
import { signJwt } from '../tokens';

export type TenantSegment =
  | { readonly kind: 'tenant'; readonly tenant: Tenant; readonly segment: string }
  | { readonly kind: 'organizations' | 'common'; readonly segment: string }
  | { readonly kind: 'unknown'; readonly segment: string };

/** `{tenant}` in a login path: a tenant id, a verified domain, `organizations` or `common`. */
export function resolveTenantSegment(core: SandboxCore, segment: string): TenantSegment {
  const s = segment.toLowerCase();
  if (s === 'organizations' || s === 'common') return { kind: s, segment: s };
  const tenant = core.state.findTenant(segment);
  if (!tenant || tenant.kind === 'firstParty') return { kind: 'unknown', segment };
  return { kind: 'tenant', tenant, segment };
}

export function tenantNotFound(req: SandboxRequest, segment: string): SandboxResponse {
  return entraError(
    req,
    'invalid_request',
    90002,
    `Tenant '${segment}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
  );
}

export const OIDC_SCOPES = new Set(['openid', 'profile', 'email', 'offline_access']);

export interface ParsedScopes {
  readonly oidc: Set<string>;
  /** The resource identifier as the client wrote it (e.g. `https://graph.microsoft.com`), when any. */
  readonly resource?: string;
  /** Scope values on that resource (`.default` included as is). */
  readonly values: string[];
  readonly multipleResources: boolean;
}

/** Splits `https://graph.microsoft.com/User.Read offline_access` into resource + values + OIDC scopes. */
export function parseScopes(scope: string): ParsedScopes {
  const oidc = new Set<string>();
  const byResource = new Map<string, string[]>();
  for (const s of scope.split(/\s+/).filter(Boolean)) {
    if (OIDC_SCOPES.has(s.toLowerCase())) {
      oidc.add(s.toLowerCase());
      continue;
    }
    const slash = s.lastIndexOf('/');
    // Bare values (`User.Read`) are Microsoft Graph's, as in Entra.
    const resource = slash > 0 ? s.slice(0, slash) : GRAPH_APP_ID;
    const value = slash > 0 ? s.slice(slash + 1) : s;
    const key = resource;
    byResource.set(key, [...(byResource.get(key) ?? []), value]);
  }
  const [first] = byResource.entries();
  return { oidc, resource: first?.[0], values: first?.[1] ?? [], multipleResources: byResource.size > 1 };
}

/** Where an app lives and whether it may sign in in `tenant` (700016 otherwise). */
export function findClient(
  core: SandboxCore,
  req: SandboxRequest,
  clientId: string,
  tenant: Tenant | undefined,
): { app: Application } | { response: SandboxResponse } {
  const app = core.state.findApplicationByAppId(clientId);
  const directory = tenant ? tenant.displayName : 'common';
  const notFound = () => ({
    response: entraError(
      req,
      'unauthorized_client',
      700016,
      `Application with identifier '${clientId}' was not found in the directory '${directory}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
    ),
  });
  if (!app) return notFound();
  if (tenant && app.tenantId !== tenant.id && app.signInAudience === 'AzureADMyOrg') return notFound();
  return { app };
}

/** Checks client_secret (post or basic) against the app's password credentials. */
export function checkClientSecret(req: SandboxRequest, app: Application, secret: string): SandboxResponse | undefined {
  const hash = hashSecret(secret);
  const match: PasswordCredential | undefined = app.passwordCredentials.find((p) => p.secretHash === hash);
  if (!match) {
    return entraError(
      req,
      'invalid_client',
      7000215,
      `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${app.appId}'.`,
    );
  }
  req.core.secrets.record('clientSecret', secret);
  const now = Date.now();
  if (Date.parse(match.endDateTime) < now) {
    return entraError(
      req,
      'invalid_client',
      7000222,
      `The provided client secret keys for app '${app.appId}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientCredentials, or consider using certificate credentials for added security: https://aka.ms/certCreds.`,
    );
  }
  return undefined;
}

/** HTTP Basic client authentication (client_secret_basic), if present. */
export function basicClientCredentials(req: SandboxRequest): { clientId: string; secret: string } | undefined {
  const m = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1] as string, 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) return undefined;
  return { clientId: decodeURIComponent(decoded.slice(0, i)), secret: decodeURIComponent(decoded.slice(i + 1)) };
}

export function newRefreshToken(): string {
  return `1.AS${randomBytes(48).toString('base64url')}`;
}

/**
 * Issues the delegated token response (access token, and refresh / id token when asked) for `user` signed in
 * to `app` in `tenant`, after checking the requested scopes against the tenant's consent grants.
 */
export function issueDelegated(
  core: SandboxCore,
  req: SandboxRequest,
  tenant: Tenant,
  app: Application,
  user: User,
  scope: string,
  azpacr: '0' | '1' | '2',
): SandboxResponse {
  const parsed = parseScopes(scope);
  if (parsed.multipleResources) {
    return entraError(
      req,
      'invalid_scope',
      28000,
      `Provided value for the input parameter scope is not valid because it contains more than one resource. Scope ${scope} is not valid.`,
    );
  }
  const resourceId = parsed.resource ?? GRAPH_APP_ID;
  const resource = core.findResource(tenant.id, resourceId);
  if (!resource) {
    return entraError(
      req,
      'invalid_resource',
      500011,
      `The resource principal named ${resourceId} was not found in the tenant named ${tenant.displayName}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
    );
  }
  const clientSp = core.state.findServicePrincipal(tenant.id, app.appId);
  const consentRequired = () =>
    entraError(
      req,
      'invalid_grant',
      65001,
      `The user or administrator has not consented to use the application with ID '${app.appId}' named '${app.displayName}'. Send an interactive authorization request for this user and resource.`,
      { extra: { suberror: 'consent_required' } },
    );
  if (!clientSp) return consentRequired();
  const granted = core.state.grantedScopes(clientSp, resource, user.id);
  let values: string[];
  if (parsed.values.length === 0 || parsed.values.includes('.default')) {
    values = [...granted].filter((v) => !OIDC_SCOPES.has(v) || resource.appId === GRAPH_APP_ID);
    if (parsed.values.length === 0) values = values.filter((v) => v === 'User.Read');
    if (values.length === 0 && parsed.values.includes('.default')) return consentRequired();
  } else {
    for (const v of parsed.values) {
      if (!resource.oauth2PermissionScopes.some((s) => s.value.toLowerCase() === v.toLowerCase() && s.isEnabled)) {
        return entraError(
          req,
          'invalid_scope',
          70011,
          `The provided value for the input parameter 'scope' is not valid. The scope '${resourceId}/${v}' does not exist.`,
        );
      }
    }
    const missing = parsed.values.filter((v) => ![...granted].some((g) => g.toLowerCase() === v.toLowerCase()));
    if (missing.length > 0) return consentRequired();
    values = parsed.values.map((v) => [...granted].find((g) => g.toLowerCase() === v.toLowerCase()) as string);
  }
  if (resource.appId === GRAPH_APP_ID)
    for (const o of ['openid', 'profile', 'email']) if (parsed.oidc.has(o) && granted.has(o) && !values.includes(o)) values.push(o);
  const audience = resourceId === GRAPH_APP_ID ? 'https://graph.microsoft.com' : resourceId;
  const { token, expiresIn } = core.issueAccessToken({ tenantId: tenant.id, audience, clientAppId: app.appId, azpacr, userId: user.id, scp: values });
  const body: Record<string, unknown> = {
    token_type: 'Bearer',
    // The granted scopes, and the `.default` that was asked for: MSAL clients (the Azure CLI) look their cached
    // token up by the scopes they asked for, so without it every call would redeem the refresh token again.
    scope: [
      ...values.filter((v) => !OIDC_SCOPES.has(v)).map((v) => `${audience}/${v}`),
      ...(parsed.values.includes('.default') ? [`${parsed.resource ?? audience}/.default`] : []),
      ...[...parsed.oidc],
    ].join(' '),
    expires_in: expiresIn,
    ext_expires_in: expiresIn,
    access_token: token,
  };
  if (parsed.oidc.has('offline_access')) {
    const rt = newRefreshToken();
    core.state.refreshTokens.set(rt, {
      userId: user.id,
      tenantId: tenant.id,
      clientAppId: app.appId,
      issuedAt: Date.now(),
      expiresAt: Date.now() + 90 * 24 * 3600 * 1000,
      revoked: false,
    });
    body.refresh_token = rt;
    core.secrets.record('refreshToken', rt);
  }
  if (parsed.oidc.has('openid')) body.id_token = idToken(core, tenant, app, user);
  const form = (req.body ?? {}) as Record<string, string>;
  if (form.client_info === '1') body.client_info = Buffer.from(JSON.stringify({ uid: user.id, utid: tenant.id })).toString('base64url');
  return { status: 200, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store, no-cache', pragma: 'no-cache' }, body };
}

export function idToken(core: SandboxCore, tenant: Tenant, app: Application, user: User): string {
  const now = Math.floor(Date.now() / 1000);
  const token = signJwt(
    {
      aud: app.appId,
      iss: core.issuer(tenant.id),
      iat: now,
      nbf: now,
      exp: now + 3600,
      name: user.displayName,
      oid: user.id,
      preferred_username: user.userPrincipalName,
      sub: user.id,
      tid: tenant.id,
      ver: '2.0',
    },
    core.key,
  );
  core.secrets.record('idToken', token);
  return token;
}

/** The user for a username in a tenant segment (organizations/common: the user's own tenant). */
export function findUserFor(core: SandboxCore, seg: TenantSegment, username: string): { user: User; tenant: Tenant } | undefined {
  const user = core.state.findUserByUpn(username);
  if (!user) return undefined;
  const tenant = core.state.tenants.get(user.tenantId);
  if (!tenant) return undefined;
  if (seg.kind === 'tenant' && seg.tenant.id !== tenant.id) return undefined;
  return { user, tenant };
}

export function spOf(core: SandboxCore, tenantId: string, appId: string): ServicePrincipal | undefined {
  return core.state.findServicePrincipal(tenantId, appId);
}
