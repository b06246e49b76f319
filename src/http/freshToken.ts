// One fresh token after a service refused ours. Microsoft Graph answers an expired (or otherwise no
// longer accepted) access token with 401 `InvalidAuthenticationToken`; Azure Resource Manager with 401
// `ExpiredAuthenticationToken` or `InvalidAuthenticationToken` and a WWW-Authenticate challenge. The
// request was refused before it was processed, so the Graph and ARM clients ask the credential once for
// a token that bypasses every cache and send the request once more, writes included. A second refusal
// is final: the user must sign in again.
//
// How a credential recognises the request: the options object comes from freshTokenOptions() (a
// marker kept by identity, so nothing extra reaches a credential's own code) and carries a `claims`
// request for a token issued now. `claims` is what makes the Azure core token cache
// (bearerTokenAuthenticationPolicy's token cycler) and MSAL's confidential-client cache skip the cached
// token; AuthService (src/auth/authService.ts) says what "fresh" means for each sign-in method.
// Plain Node: no vscode.
import type { GetTokenOptions } from '@azure/core-auth';

const freshRequests = new WeakSet<object>();

/**
 * GetTokenOptions asking for a token issued now: `base` (the options of the normal token request, so the
 * same cache partition is refreshed) plus a claims request `nbf >= now`, the form Entra-protected
 * resources use to say "a token issued after this time" (CAE's revocation challenge).
 */
export function freshTokenOptions(base: GetTokenOptions = {}, now = Date.now()): GetTokenOptions {
  const claims = JSON.stringify({ access_token: { nbf: { essential: true, value: String(Math.floor(now / 1000)) } } });
  const options: GetTokenOptions = { ...base, claims };
  freshRequests.add(options);
  return options;
}

/** True for the options freshTokenOptions() made: the caller's previous token was refused. */
export function isFreshTokenRequest(options: GetTokenOptions | undefined): boolean {
  return options !== undefined && freshRequests.has(options);
}

export type TokenService = 'graph' | 'arm';

/** Error codes with which each service refuses a token that a fresh one may replace. */
const REFUSED_TOKEN_CODES: Record<TokenService, readonly string[]> = {
  graph: ['InvalidAuthenticationToken'],
  arm: ['ExpiredAuthenticationToken', 'InvalidAuthenticationToken'],
};

/**
 * Whether a response says the access token was refused as expired or invalid (not a missing permission,
 * a wrong audience or tenant, which a fresh token of the same kind would not change).
 */
export function isRefusedToken(service: TokenService, status: number, body: unknown): boolean {
  if (status !== 401) return false;
  const code = errorCode(body);
  return code !== undefined && REFUSED_TOKEN_CODES[service].includes(code);
}

function errorCode(body: unknown): string | undefined {
  let value = body;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value) as unknown;
    } catch {
      return undefined;
    }
  }
  const error = (value as { error?: { code?: unknown } } | null)?.error;
  return typeof error?.code === 'string' ? error.code : undefined;
}
