// Bearer-token checks for Graph and ARM routes, answering with each service's own 401/403 bodies.
//   const auth = requireGraphToken(req); if ('response' in auth) return auth.response; auth.claims.oid …
import { armError, graphError } from './errors';
import type { SandboxRequest, SandboxResponse } from './router';
import type { AccessTokenClaims } from './tokens';

export type AuthResult = { readonly claims: AccessTokenClaims } | { readonly response: SandboxResponse };

const GRAPH_MESSAGES: Record<string, string> = {
  missing: 'Access token is empty.',
  malformed: 'IDX14100: JWT is not well formed, there are no dots (.).',
  signature: 'Access token validation failure.',
  expired: 'Lifetime validation failed, the token is expired.',
  notYetValid: 'Lifetime validation failed, the token is not yet valid.',
  audience: 'Access token validation failure. Invalid audience.',
  issuer: 'Access token validation failure. Invalid issuer.',
};

/** Verifies the request's bearer token for Microsoft Graph; 401 InvalidAuthenticationToken otherwise. */
export function requireGraphToken(req: SandboxRequest): AuthResult {
  const check = req.core.verifyAccessToken(req.headers.authorization, 'graph');
  if (check.ok) return { claims: check.claims };
  return {
    response: graphError(req, 401, 'InvalidAuthenticationToken', GRAPH_MESSAGES[check.reason] ?? 'Access token validation failure.', {
      'www-authenticate': `Bearer realm="", authorization_uri="${req.core.urls.login}/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"`,
    }),
  };
}

/** Graph's 403 for a token without the permission the operation needs. */
export function graphForbidden(req: SandboxRequest, message = 'Insufficient privileges to complete the operation.'): SandboxResponse {
  return graphError(req, 403, 'Authorization_RequestDenied', message);
}

/** True when the token carries any of the delegated scopes (`scp`) or app roles (`roles`) given. */
export function hasPermission(claims: AccessTokenClaims, anyOf: { readonly scopes?: readonly string[]; readonly roles?: readonly string[] }): boolean {
  const scp = new Set((claims.scp ?? '').split(' ').filter(Boolean));
  const roles = new Set(claims.roles ?? []);
  return (anyOf.scopes ?? []).some((s) => scp.has(s)) || (anyOf.roles ?? []).some((r) => roles.has(r));
}

/** Verifies the request's bearer token for ARM; 401 with ARM's codes otherwise. */
export function requireArmToken(req: SandboxRequest): AuthResult {
  const check = req.core.verifyAccessToken(req.headers.authorization, 'arm');
  if (check.ok) return { claims: check.claims };
  const wwwAuth = (error: string, description: string) => ({
    'www-authenticate': `Bearer authorization_uri="${req.core.urls.login}/${typeof check.claims?.tid === 'string' ? check.claims.tid : 'common'}", error="${error}", error_description="${description}"`,
  });
  switch (check.reason) {
    case 'missing':
      return { response: armError(req, 401, 'AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing.", wwwAuth('invalid_token', "The authentication failed because of missing 'Authorization' header.")) };
    case 'expired': {
      const exp = typeof check.claims?.exp === 'number' ? new Date(check.claims.exp * 1000).toISOString() : 'unknown';
      return { response: armError(req, 401, 'ExpiredAuthenticationToken', `The access token expiry UTC time '${exp}' is earlier than current UTC time '${new Date().toISOString()}'.`, wwwAuth('invalid_token', 'The access token has expired.')) };
    }
    case 'audience':
      return {
        response: armError(req, 401, 'InvalidAuthenticationTokenAudience', `The access token has been obtained for wrong audience or resource '${String(check.claims?.aud ?? '')}'. It should exactly match with one of the allowed audiences 'https://management.core.windows.net/','https://management.core.windows.net','https://management.azure.com/','https://management.azure.com','${req.core.urls.arm}'.`, wwwAuth('invalid_token', 'The access token has been obtained from wrong audience or resource.')),
      };
    default:
      return { response: armError(req, 401, 'InvalidAuthenticationToken', 'The access token is invalid.', wwwAuth('invalid_token', 'The access token is invalid.')) };
  }
}

/** ARM's 403 when the caller lacks an RBAC role for `action` at `scope`. */
export function armForbidden(req: SandboxRequest, claims: AccessTokenClaims, action: string, scope: string): SandboxResponse {
  return armError(req, 403, 'AuthorizationFailed', `The client '${claims.upn ?? claims.oid}' with object id '${claims.oid}' does not have authorization to perform action '${action}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`);
}
