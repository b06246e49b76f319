// Bearer-token checks for Graph and ARM routes, answering with each service's own 401/403 bodies.
//   const auth = requireGraphToken(req); if ('response' in auth) return auth.response; auth.claims.oid …
import { armError, graphError } from './errors';
import { serviceUrl, type SandboxRequest, type SandboxResponse } from './router';
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

/**
 * Verifies the request's bearer token for Microsoft Graph; 401 InvalidAuthenticationToken otherwise. An expired
 * token's message and the WWW-Authenticate header are as in public reports of real answers (s1t5/mail-archiver#267,
 * microsofthackathons/tdi#24).
 */
export function requireGraphToken(req: SandboxRequest): AuthResult {
  const check = req.core.verifyAccessToken(req.headers.authorization, 'graph');
  if (check.ok) return { claims: check.claims };
  return {
    response: graphError(req, 401, 'InvalidAuthenticationToken', GRAPH_MESSAGES[check.reason] ?? 'Access token validation failure.', {
      'www-authenticate': `Bearer realm="", authorization_uri="${serviceUrl(req, 'login')}/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"`,
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
    'www-authenticate': `Bearer authorization_uri="${serviceUrl(req, 'login')}/${typeof check.claims?.tid === 'string' ? check.claims.tid : 'common'}", error="${error}", error_description="${description}"`,
  });
  switch (check.reason) {
    case 'missing':
      return {
        response: armError(
          req,
          401,
          'AuthenticationFailed',
          "Authentication failed. The 'Authorization' header is missing.",
          wwwAuth('invalid_token', "The authentication failed because of missing 'Authorization' header."),
        ),
      };
    case 'expired': {
      // ARM's wording and .NET's en-US time format, as in public reports of real answers
      // (hashicorp/terraform-provider-azurerm#20867, microsoft/AzureNotebooks#586). A token the expiry knob
      // (tokenExpiry.ts) refused expired at the knob's moment.
      const expMs = req.core.tokenExpiry.expiredAt(check.claims?.uti) ?? (typeof check.claims?.exp === 'number' ? check.claims.exp * 1000 : undefined);
      const exp = expMs === undefined ? 'unknown' : armUtcTime(new Date(expMs));
      return {
        response: armError(
          req,
          401,
          'ExpiredAuthenticationToken',
          `The access token expiry UTC time '${exp}' is earlier than current UTC time '${armUtcTime(new Date())}'.`,
          wwwAuth('invalid_token', 'The access token has expired.'),
        ),
      };
    }
    case 'audience':
      return {
        response: armError(
          req,
          401,
          'InvalidAuthenticationTokenAudience',
          `The access token has been obtained for wrong audience or resource '${String(check.claims?.aud ?? '')}'. It should exactly match with one of the allowed audiences 'https://management.core.windows.net/','https://management.core.windows.net','https://management.azure.com/','https://management.azure.com','${req.core.urls.arm}'.`,
          wwwAuth('invalid_token', 'The access token has been obtained from wrong audience or resource.'),
        ),
      };
    default:
      return {
        response: armError(req, 401, 'InvalidAuthenticationToken', 'The access token is invalid.', wwwAuth('invalid_token', 'The access token is invalid.')),
      };
  }
}

/** A UTC time as ARM writes it in messages: `3/19/2023 8:55:46 AM`. */
export function armUtcTime(d: Date): string {
  const h = d.getUTCHours();
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()} ${h % 12 === 0 ? 12 : h % 12}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} ${h < 12 ? 'AM' : 'PM'}`;
}

/** ARM's 403 when the caller lacks an RBAC role for `action` at `scope`. */
export function armForbidden(req: SandboxRequest, claims: AccessTokenClaims, action: string, scope: string): SandboxResponse {
  return armError(
    req,
    403,
    'AuthorizationFailed',
    `The client '${claims.upn ?? claims.oid}' with object id '${claims.oid}' does not have authorization to perform action '${action}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
  );
}
