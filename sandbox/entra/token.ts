// The Entra token service: OpenID discovery, JWKS, instance discovery, the v2.0 token endpoint
// (client_credentials with a secret or a federated client assertion, password, device_code, refresh_token)
// and the device-authorization endpoint.
// Sources: entra-docs docs/identity-platform/v2-oauth2-client-creds-grant-flow.md, v2-oauth2-device-code.md,
// v2-oauth-ropc.md, v2-oauth2-auth-code-flow.md (refresh), workload-id/workload-identity-federation*.md,
// reference-error-codes.md; AADSTS70021 / 700236 wording from real payloads (see README).
import { randomBytes } from 'node:crypto';
import type { SandboxCore } from '../core';
import { entraError } from '../errors';
import { AreaRouter, json, SandboxRequest, SandboxResponse, serviceUrl } from '../router';
import { Application, Tenant, UserAssignedIdentity } from '../state';
import { identityCredentials } from '../arm/identityCredentials';
import { decodeJwt, verifySignature } from '../tokens';
import {
  basicClientCredentials,
  checkClientSecret,
  findClient,
  findUserFor,
  issueDelegated,
  newRefreshToken,
  parseScopes,
  resolveTenantSegment,
  TenantSegment,
  tenantNotFound,
} from './common';

export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/**
 * The OpenID configuration. Endpoints name the host the client called (`origin`), as Entra's aliases do;
 * the issuer stays the canonical one, the issuer every token carries.
 */
function discoveryDocument(core: SandboxCore, seg: TenantSegment, req: SandboxRequest): Record<string, unknown> {
  const login = serviceUrl(req, 'login');
  const graph = serviceUrl(req, 'graph');
  const t = seg.kind === 'tenant' ? seg.tenant.id : seg.segment;
  const issuerTenant = seg.kind === 'tenant' ? seg.tenant.id : '{tenantid}';
  return {
    token_endpoint: `${login}/${t}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${login}/${t}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: `${core.urls.login}/${issuerTenant}/v2.0`,
    request_uri_parameter_supported: false,
    userinfo_endpoint: `${graph}/oidc/userinfo`,
    authorization_endpoint: `${login}/${t}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${login}/${t}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${login}/${t}/oauth2/v2.0/logout`,
    claims_supported: [
      'sub',
      'iss',
      'cloud_instance_name',
      'cloud_instance_host_name',
      'cloud_graph_host_name',
      'msgraph_host',
      'aud',
      'exp',
      'iat',
      'auth_time',
      'acr',
      'nonce',
      'preferred_username',
      'name',
      'tid',
      'ver',
      'at_hash',
      'c_hash',
      'email',
    ],
    kerberos_endpoint: `${login}/${t}/kerberos`,
    tenant_region_scope: 'EU',
    cloud_instance_name: new URL(login).host,
    cloud_graph_host_name: new URL(graph).host,
    msgraph_host: new URL(graph).host,
    rbac_url: serviceUrl(req, 'arm'),
  };
}

function form(req: SandboxRequest): Record<string, string> {
  const b = req.body;
  if (b && typeof b === 'object' && !Array.isArray(b)) {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(b)) if (typeof v === 'string') out[k] = v;
    return out;
  }
  return {};
}

const missing = (req: SandboxRequest, name: string) =>
  entraError(req, 'invalid_request', 900144, `The request body must contain the following parameter: '${name}'.`);

export function registerTokenService(r: AreaRouter): void {
  r.get('/:tenant/v2.0/.well-known/openid-configuration', (req) => {
    const seg = resolveTenantSegment(req.core, req.params.tenant as string);
    if (seg.kind === 'unknown') return tenantNotFound(req, seg.segment);
    return json(200, discoveryDocument(req.core, seg, req), { 'cache-control': 'max-age=86400, private', 'access-control-allow-origin': '*' });
  });

  const keys = (req: SandboxRequest) => {
    const seg = resolveTenantSegment(req.core, req.params.tenant as string);
    if (seg.kind === 'unknown') return tenantNotFound(req, seg.segment);
    return json(
      200,
      { keys: [{ ...req.core.key.jwk, issuer: seg.kind === 'tenant' ? req.core.issuer(seg.tenant.id) : `${req.core.urls.login}/{tenantid}/v2.0` }] },
      { 'access-control-allow-origin': '*' },
    );
  };
  r.get('/:tenant/discovery/v2.0/keys', keys);
  r.get('/:tenant/discovery/keys', keys);

  // Home realm discovery (MSAL asks it before a username/password sign-in; the Azure CLI does too):
  // api-version 1.0 and 2.0 shapes, a managed realm for a verified domain of a tenant, Unknown otherwise.
  r.get('/common/userrealm/:upn', (req) => {
    const upn = req.params.upn ?? '';
    const domain = upn.includes('@') ? upn.slice(upn.lastIndexOf('@') + 1) : upn;
    const tenant = domain ? req.core.state.findTenant(domain) : undefined;
    const known = tenant !== undefined && tenant.kind !== 'firstParty';
    const cloudInstance = new URL(req.origin).hostname;
    if (req.query.get('api-version') === '2.0') {
      return json(200, {
        NameSpaceType: known ? 'Managed' : 'Unknown',
        Login: upn,
        DomainName: known ? domain.toLowerCase() : domain,
        FederationBrandName: known ? tenant.displayName : null,
        TenantBrandingInfo: null,
        cloud_instance_name: cloudInstance,
      });
    }
    return json(
      200,
      known
        ? {
            ver: '1.0',
            account_type: 'Managed',
            domain_name: domain.toLowerCase(),
            cloud_instance_name: cloudInstance,
            cloud_audience_urn: 'urn:federation:MicrosoftOnline',
          }
        : { ver: '1.0', account_type: 'Unknown', cloud_instance_name: cloudInstance },
    );
  });

  // Instance discovery (MSAL's, when not disabled): this host is its own, only, alias.
  r.get('/common/discovery/instance', (req) => {
    const host = new URL(req.origin).host;
    const authorizeEndpoint = req.query.get('authorization_endpoint') ?? `${req.origin}/common/oauth2/v2.0/authorize`;
    const tenant = /^https?:\/\/[^/]+\/([^/]+)\//.exec(authorizeEndpoint)?.[1] ?? 'common';
    return json(200, {
      tenant_discovery_endpoint: `${req.origin}/${tenant}/v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
      metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
    });
  });

  r.get('/:tenant/oauth2/v2.0/token', (req) =>
    entraError(req, 'invalid_request', 900561, 'The endpoint only accepts POST, OPTIONS requests. Received a GET request.'),
  );
  r.post('/:tenant/oauth2/v2.0/token', (req) => token(req));
  r.post('/:tenant/oauth2/v2.0/devicecode', (req) => deviceAuthorization(req));
}

async function token(req: SandboxRequest): Promise<SandboxResponse> {
  const core = req.core;
  const seg = resolveTenantSegment(core, req.params.tenant as string);
  if (seg.kind === 'unknown') return tenantNotFound(req, seg.segment);
  const f = form(req);
  if (f.resource !== undefined) return entraError(req, 'invalid_request', 901002, "The 'resource' request parameter is not supported.");
  const grant = f.grant_type;
  if (!grant) return missing(req, 'grant_type');
  switch (grant) {
    case 'client_credentials':
      return clientCredentials(req, seg, f);
    case 'password':
      return password(req, seg, f);
    case DEVICE_CODE_GRANT:
    case 'device_code': // MSAL sends the short form; Entra accepts both
      return deviceCodeGrant(req, seg, f);
    case 'refresh_token':
      return refreshGrant(req, seg, f);
    default:
      return entraError(req, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grant}'.`);
  }
}

/** Authenticates a confidential client (secret or federated assertion). */
function authenticateClient(req: SandboxRequest, app: Application, f: Record<string, string>): { azpacr: '1' | '2' } | { response: SandboxResponse } {
  const basic = basicClientCredentials(req);
  const secret = f.client_secret ?? basic?.secret;
  if (f.client_assertion !== undefined || f.client_assertion_type !== undefined) {
    if (f.client_assertion_type !== JWT_BEARER) {
      return {
        response: entraError(req, 'invalid_request', 90013, `Invalid input received from the user: the client_assertion_type must be '${JWT_BEARER}'.`),
      };
    }
    if (!f.client_assertion) return { response: missing(req, 'client_assertion') };
    const failure = checkFederatedAssertion(req, app, f.client_assertion);
    return failure ? { response: failure } : { azpacr: '2' };
  }
  if (secret !== undefined) {
    const failure = checkClientSecret(req, app, secret);
    return failure ? { response: failure } : { azpacr: '1' };
  }
  return {
    response: entraError(req, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."),
  };
}

/**
 * Workload identity federation: the assertion must be a JWT within its lifetime, issued (if by this
 * sandbox's Entra) in the app's own tenant (AADSTS700236) for an app-only principal (AADSTS700229); one of
 * the app's federated credentials must match its iss, sub and one aud exactly (AADSTS70021); and its
 * signature must verify with the issuer's keys.
 */
const CHECK_FIC = 'Check your federated identity credential Subject, Audience and Issuer against the presented assertion.';
const WIF_DOCS = 'https://learn.microsoft.com/entra/workload-id/workload-identity-federation';

/**
 * Which of the app's credentials the assertion's iss, sub and aud match, in Entra's order and codes (real
 * payloads: Azure/login #482, #515, #517; azure-workload-identity #1200; dotnet/maui #31978): no credential
 * with that issuer AADSTS700211; the issuer but not the subject AADSTS700213, or AADSTS7002138 when it
 * matches only ignoring case; issuer and subject but not the audience AADSTS700212. A credential written
 * less than `ficPropagationSeconds` ago is not seen yet, and a match that only such a credential would give
 * answers AADSTS70021, as a new credential does on Entra while it propagates. Undefined when one matches.
 */
function matchFederatedCredential(
  core: SandboxCore,
  app: CredentialOwner,
  iss: string,
  sub: string,
  auds: readonly string[],
): ((req: SandboxRequest) => SandboxResponse) | undefined {
  const fics = app.federatedIdentityCredentials.filter((f) => f.subject !== null);
  const matches = (f: (typeof fics)[number]) => f.issuer === iss && f.subject === sub && f.audiences.some((a) => auds.includes(a));
  const visible = fics.filter((f) => !core.isPropagating(f, core.consistency.ficPropagationSeconds * 1000));
  if (visible.some(matches)) return undefined;
  if (fics.some(matches)) {
    return (req) =>
      entraError(
        req,
        'invalid_request',
        70021,
        `No matching federated identity record found for presented assertion. Assertion Issuer: '${iss}'. Assertion Subject: '${sub}'. Assertion Audience: '${auds.join(',')}'. ${WIF_DOCS}`,
      );
  }
  // Each of Entra's answers names the claim that no credential matches.
  const noMatch =
    (code: number, claim: 'issuer' | 'subject' | 'audience', value: string, extra = '') =>
    (req: SandboxRequest) =>
      entraError(
        req,
        'invalid_client',
        code,
        `No matching federated identity record found for presented assertion ${claim} '${value}'. ${extra}${CHECK_FIC} ${WIF_DOCS}`,
      );
  // The diagnosis looks at every credential (propagating and flexible ones too); only the match needs them visible.
  const byIssuer = app.federatedIdentityCredentials.filter((f) => f.issuer === iss);
  if (byIssuer.length === 0) return noMatch(700211, 'issuer', iss);
  if (!byIssuer.some((f) => f.subject === sub)) {
    return byIssuer.some((f) => f.subject?.toLowerCase() === sub.toLowerCase())
      ? noMatch(7002138, 'subject', sub, 'The subject matches with case-insensitive comparison, but not with case-sensitive comparison. ')
      : noMatch(700213, 'subject', sub);
  }
  return noMatch(700212, 'audience', auds.join(','));
}

/** What a federated assertion is checked against: an app registration, or a user-assigned identity (its ARM credentials). */
export interface CredentialOwner {
  readonly tenantId: string;
  readonly federatedIdentityCredentials: ReadonlyArray<{ readonly issuer: string; readonly subject: string | null; readonly audiences: readonly string[] }>;
}

export function checkFederatedAssertion(req: SandboxRequest, app: CredentialOwner, assertion: string): SandboxResponse | undefined {
  const core = req.core;
  const jwt = decodeJwt(assertion);
  if (!jwt) return entraError(req, 'invalid_client', 50027, 'JWT token is invalid or malformed.');
  const c = jwt.payload;
  const iss = typeof c.iss === 'string' ? c.iss : '';
  const sub = typeof c.sub === 'string' ? c.sub : '';
  const auds = Array.isArray(c.aud) ? c.aud.filter((a): a is string => typeof a === 'string') : typeof c.aud === 'string' ? [c.aud] : [];
  const now = Math.floor(Date.now() / 1000);
  if (typeof c.exp !== 'number' || c.exp + 300 < now || (typeof c.nbf === 'number' && c.nbf - 300 > now)) {
    const exp = typeof c.exp === 'number' ? new Date(c.exp * 1000).toISOString() : 'unknown';
    return entraError(
      req,
      'invalid_client',
      700024,
      `Client assertion is not within its valid time range. Current time: ${new Date(now * 1000).toISOString()}, expiry time of assertion ${exp}.`,
    );
  }
  const assertionTenant = core.tenantOfIssuer(iss);
  if (assertionTenant !== undefined && assertionTenant !== app.tenantId) {
    return entraError(
      req,
      'invalid_request',
      700236,
      `Entra ID tokens issued by issuer '${iss}' may not be used for federated identity credential flows for applications or managed identities registered in this tenant.`,
    );
  }
  if (assertionTenant !== undefined && (c.idtyp === 'user' || typeof c.scp === 'string')) {
    return entraError(
      req,
      'invalid_client',
      700229,
      'Only app-only tokens can be used as Federated Identity Credentials for Microsoft Entra issuer. Use an app-only access token (generated during a client credentials flow) instead of a user-delegated access token (representing a request coming from a user context).',
    );
  }
  const mismatch = matchFederatedCredential(core, app, iss, sub, auds);
  if (mismatch) return mismatch(req);
  const keys = assertionTenant !== undefined ? [core.key] : (core.state.externalIssuerKeys.get(iss) ?? []);
  if (keys.length === 0) {
    return entraError(
      req,
      'invalid_client',
      50027,
      `Invalid JWT token. Unable to retrieve the signing keys of issuer '${iss}'. Register them with the sandbox control API (POST /_sandbox/issuers).`,
    );
  }
  if (!verifySignature(jwt, keys)) {
    return entraError(req, 'invalid_client', 700027, 'Client assertion failed signature validation.');
  }
  core.secrets.record('clientAssertion', assertion);
  return undefined;
}

function clientCredentials(req: SandboxRequest, seg: TenantSegment, f: Record<string, string>): SandboxResponse {
  const core = req.core;
  if (seg.kind !== 'tenant') {
    return entraError(req, 'invalid_request', 50059, 'No tenant-identifying information found in either the request or implied by any provided credentials.');
  }
  const clientId = f.client_id ?? basicClientCredentials(req)?.clientId;
  if (!clientId) return missing(req, 'client_id');
  if (!f.scope) return missing(req, 'scope');
  const tenant = seg.tenant;
  // A user-assigned identity's client id (Entra ignores its case): an external token exchanged through one of the identity's own credentials.
  const wanted = clientId.toLowerCase();
  const identity = core.state.findApplicationByAppId(clientId)
    ? undefined
    : [...core.state.userAssignedIdentities.values()].find((u) => u.clientId.toLowerCase() === wanted);
  if (identity) return identityClientCredentials(req, tenant, identity, f);
  const found = findClient(core, req, clientId, tenant);
  if ('response' in found) return found.response;
  const app = found.app;
  const existingSp = core.state.findServicePrincipal(tenant.id, app.appId);
  // A service principal created a moment ago (consent) is not seen yet: Entra refuses the app as if it had none.
  const clientSp = existingSp && !core.isPropagating(existingSp, core.consistency.servicePrincipalPropagationSeconds * 1000) ? existingSp : undefined;
  if (!clientSp) {
    if (app.tenantId === tenant.id) {
      return entraError(
        req,
        'invalid_client',
        7000229,
        `The client application ${app.appId} is missing service principal in the tenant ${tenant.id}. See instructions here: https://go.microsoft.com/fwlink/?linkid=2225119`,
      );
    }
    return entraError(
      req,
      'unauthorized_client',
      700016,
      `Application with identifier '${app.appId}' was not found in the directory '${tenant.displayName}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
    );
  }
  const auth = authenticateClient(req, app, f);
  if ('response' in auth) return auth.response;
  return appOnlyToken(req, tenant, f.scope, { clientAppId: app.appId, servicePrincipalId: clientSp.id, azpacr: auth.azpacr });
}

/**
 * A user-assigned managed identity as the client of a client-credentials request: it has no secrets, only
 * federated credentials (ARM's, on the identity), so it authenticates with an external token as client_assertion,
 * checked as an app's assertion is (Entra's "workload identity federation with a managed identity").
 */
function identityClientCredentials(req: SandboxRequest, tenant: Tenant, identity: UserAssignedIdentity, f: Record<string, string>): SandboxResponse {
  if (identity.tenantId !== tenant.id) {
    return entraError(
      req,
      'unauthorized_client',
      700016,
      `Application with identifier '${identity.clientId}' was not found in the directory '${tenant.displayName}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
    );
  }
  if (f.client_assertion === undefined || f.client_assertion_type !== JWT_BEARER) {
    return entraError(
      req,
      'invalid_client',
      7000218,
      "The request body must contain the following parameter: 'client_assertion'. A managed identity has no client secret: it authenticates with a federated credential.",
    );
  }
  const failure = checkFederatedAssertion(
    req,
    { tenantId: identity.tenantId, federatedIdentityCredentials: identityCredentials(identity) },
    f.client_assertion,
  );
  if (failure) return failure;
  return appOnlyToken(req, tenant, f.scope, { clientAppId: identity.clientId, servicePrincipalId: identity.principalId, azpacr: '2' });
}

/** The app-only access token of a client-credentials request: `{resource}/.default` only, with the client's app roles on that resource. */
function appOnlyToken(
  req: SandboxRequest,
  tenant: Tenant,
  scope: string,
  client: { clientAppId: string; servicePrincipalId: string; azpacr: '1' | '2' },
): SandboxResponse {
  const core = req.core;
  const scopes = scope.split(/\s+/).filter(Boolean);
  const parsed = parseScopes(scope);
  if (scopes.length !== 1 || parsed.values[0] !== '.default' || parsed.oidc.size > 0) {
    return entraError(
      req,
      'invalid_scope',
      1002012,
      `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
    );
  }
  const resourceId = parsed.resource as string;
  const resource = core.findResource(tenant.id, resourceId);
  if (!resource) {
    return entraError(
      req,
      'invalid_resource',
      500011,
      `The resource principal named ${resourceId} was not found in the tenant named ${tenant.displayName}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
    );
  }
  const roles = core.state.roleValues(client.servicePrincipalId, resource);
  const { token, expiresIn } = core.issueAccessToken({ tenantId: tenant.id, audience: resourceId, ...client, roles });
  return json(
    200,
    { token_type: 'Bearer', expires_in: expiresIn, ext_expires_in: expiresIn, access_token: token },
    { 'cache-control': 'no-store, no-cache', pragma: 'no-cache' },
  );
}

/** Public client, or confidential client authenticating itself; returns azpacr. */
function clientForUserFlow(req: SandboxRequest, app: Application, f: Record<string, string>): { azpacr: '0' | '1' | '2' } | { response: SandboxResponse } {
  const presented = f.client_secret !== undefined || f.client_assertion !== undefined || basicClientCredentials(req) !== undefined;
  if (app.isFallbackPublicClient && !presented) return { azpacr: '0' };
  if (app.isFallbackPublicClient && presented) {
    return { response: entraError(req, 'invalid_request', 700025, "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.") };
  }
  return authenticateClient(req, app, f);
}

function password(req: SandboxRequest, seg: TenantSegment, f: Record<string, string>): SandboxResponse {
  const core = req.core;
  for (const name of ['client_id', 'username', 'password', 'scope'] as const) if (!f[name]) return missing(req, name);
  const who = findUserFor(core, seg, f.username as string);
  if (!who) {
    const tenantName = seg.kind === 'tenant' ? seg.tenant.displayName : 'the';
    return entraError(
      req,
      'invalid_grant',
      50034,
      `The user account {EmailHidden} does not exist in the ${tenantName} directory. To sign into this application, the account must be added to the directory.`,
    );
  }
  const found = findClient(core, req, f.client_id as string, who.tenant);
  if ('response' in found) return found.response;
  const client = clientForUserFlow(req, found.app, f);
  if ('response' in client) return client.response;
  if (!who.user.accountEnabled) return entraError(req, 'invalid_grant', 50057, 'The user account is disabled.');
  if (!core.state.checkPassword(who.user, f.password as string)) {
    return entraError(req, 'invalid_grant', 50126, 'Error validating credentials due to invalid username or password.');
  }
  return issueDelegated(core, req, who.tenant, found.app, who.user, f.scope as string, client.azpacr);
}

// ---- device code ------------------------------------------------------------------------------------------

const USER_CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

function deviceAuthorization(req: SandboxRequest): SandboxResponse {
  const core = req.core;
  const seg = resolveTenantSegment(core, req.params.tenant as string);
  if (seg.kind === 'unknown') return tenantNotFound(req, seg.segment);
  const f = form(req);
  if (!f.client_id) return missing(req, 'client_id');
  if (!f.scope) return missing(req, 'scope');
  const found = findClient(core, req, f.client_id, seg.kind === 'tenant' ? seg.tenant : undefined);
  if ('response' in found) return found.response;
  if (!found.app.isFallbackPublicClient) {
    return entraError(req, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
  }
  const bytes = randomBytes(9);
  const userCode = [...bytes].map((b) => USER_CODE_ALPHABET[b % USER_CODE_ALPHABET.length]).join('');
  const deviceCode = `DAQABAAEAAA${randomBytes(96).toString('base64url')}`;
  core.secrets.record('deviceCode', deviceCode);
  const lifetime = core.options.deviceCodeLifetimeSeconds;
  core.state.deviceCodes.set(deviceCode, {
    deviceCode,
    userCode,
    clientAppId: found.app.appId,
    tenantSegment: seg.segment,
    scope: f.scope,
    expiresAt: Date.now() + lifetime * 1000,
    status: 'pending',
  });
  const verificationUri = `${req.origin}/devicelogin`;
  return json(200, {
    user_code: userCode,
    device_code: deviceCode,
    verification_uri: verificationUri,
    expires_in: lifetime,
    interval: core.options.deviceCodeIntervalSeconds,
    message: `To sign in, use a web browser to open the page ${verificationUri} and enter the code ${userCode} to authenticate.`,
  });
}

/**
 * Completes a pending device-code sign-in as the user (what the verification page's form does).
 * Returns an error message when the code, the user or the password is wrong.
 */
export function completeDeviceCode(
  core: SandboxCore,
  userCode: string,
  username: string,
  passwordText: string,
  decline = false,
): { ok: true } | { ok: false; error: string } {
  const record = [...core.state.deviceCodes.values()].find((d) => d.userCode === userCode.trim().toUpperCase() && d.status === 'pending');
  if (!record) return { ok: false, error: "That code didn't work. Check the code and try again." };
  if (record.expiresAt < Date.now())
    return { ok: false, error: "The code you entered has expired. Get a new code from the device you're trying to sign in to and try again." };
  if (decline) {
    record.status = 'declined';
    return { ok: true };
  }
  const seg = resolveTenantSegment(core, record.tenantSegment);
  const who = findUserFor(core, seg, username);
  if (!who) return { ok: false, error: 'This username may be incorrect. Make sure you typed it correctly. Otherwise, contact your admin.' };
  if (!core.state.checkPassword(who.user, passwordText))
    return { ok: false, error: "Your account or password is incorrect. If you don't remember your password, reset it now." };
  record.status = 'approved';
  record.userId = who.user.id;
  return { ok: true };
}

function deviceCodeGrant(req: SandboxRequest, seg: TenantSegment, f: Record<string, string>): SandboxResponse {
  const core = req.core;
  const code = f.device_code ?? f.code;
  if (!code) return missing(req, 'device_code');
  if (!f.client_id) return missing(req, 'client_id');
  const record = core.state.deviceCodes.get(code);
  if (!record || record.status === 'redeemed' || record.clientAppId.toLowerCase() !== f.client_id.toLowerCase()) {
    return entraError(req, 'invalid_grant', 70000, "The provided value for the input parameter 'device_code' is not valid.");
  }
  if (record.expiresAt < Date.now())
    return entraError(req, 'expired_token', 70020, "The provided value for the input parameter 'device_code' is not valid. This device code has expired.");
  if (record.status === 'pending')
    return entraError(req, 'authorization_pending', 70016, 'OAuth 2.0 device flow error. Authorization is pending. Continue polling.', { errorUri: false });
  if (record.status === 'declined') return entraError(req, 'authorization_declined', 70000, 'The user has declined the authorization request.');
  record.status = 'redeemed';
  const user = core.state.users.get(record.userId ?? '');
  const tenant = user ? core.state.tenants.get(user.tenantId) : undefined;
  const app = core.state.findApplicationByAppId(record.clientAppId);
  if (!user || !tenant || !app) return entraError(req, 'invalid_grant', 70000, "The provided value for the input parameter 'device_code' is not valid.");
  if (seg.kind === 'tenant' && seg.tenant.id !== tenant.id)
    return entraError(req, 'invalid_grant', 700005, 'Provided Authorization Code is intended to use against other tenant, thus rejected.');
  return issueDelegated(core, req, tenant, app, user, f.scope ?? record.scope, '0');
}

// ---- refresh tokens ---------------------------------------------------------------------------------------

function refreshGrant(req: SandboxRequest, seg: TenantSegment, f: Record<string, string>): SandboxResponse {
  const core = req.core;
  if (!f.refresh_token) return missing(req, 'refresh_token');
  if (!f.client_id) return missing(req, 'client_id');
  const record = core.state.refreshTokens.get(f.refresh_token);
  if (!record || record.clientAppId.toLowerCase() !== f.client_id.toLowerCase()) {
    return entraError(req, 'invalid_grant', 9002313, 'Invalid request. Request is malformed or invalid.');
  }
  if (record.revoked)
    return entraError(
      req,
      'invalid_grant',
      50173,
      'The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password.',
    );
  if (record.expiresAt < Date.now())
    return entraError(
      req,
      'invalid_grant',
      700082,
      `The refresh token has expired due to inactivity. The token was issued on ${new Date(record.issuedAt).toISOString()} and was inactive for 90.00:00:00.`,
    );
  const user = core.state.users.get(record.userId);
  const tenant: Tenant | undefined = seg.kind === 'tenant' ? seg.tenant : core.state.tenants.get(record.tenantId);
  const app = core.state.findApplicationByAppId(record.clientAppId);
  if (!user || !tenant || !app) return entraError(req, 'invalid_grant', 9002313, 'Invalid request. Request is malformed or invalid.');
  if (tenant.id !== user.tenantId) {
    return entraError(
      req,
      'invalid_grant',
      50020,
      `User account '{EmailHidden}' from identity provider '${core.issuer(user.tenantId)}' does not exist in tenant '${tenant.displayName}' and cannot access the application '${app.appId}'(${app.displayName}) in that tenant.`,
    );
  }
  const client = clientForUserFlow(req, app, f);
  if ('response' in client) return client.response;
  const scope = f.scope ?? 'openid profile offline_access';
  const response = issueDelegated(core, req, tenant, app, user, /offline_access/.test(scope) ? scope : `${scope} offline_access`, client.azpacr);
  return response;
}

export { newRefreshToken };
