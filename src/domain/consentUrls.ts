// Admin-consent URLs for a customer tenant. Sources: entra-docs v2-oauth2-client-creds-grant-flow.md (v1
// `/adminconsent`), v2-admin-consent.md (v2.0 with `scope`), grant-admin-consent.md (tenant forms).
// The URL is assembled with URL/URLSearchParams from validated parts, so no input can add a query key,
// a path segment or a fragment.

import { Cloud, graphDefaultScope } from './clouds';
import { parseTenant, Tenant } from './tenants';
import { isGuid, quote } from './text';
import { assertValid, error, Finding, mergeResults, toResult, ValidationResult, warning } from './validation';
import { isLoopbackHost, tryParseUrl, Url } from './web';

export interface AdminConsentInput {
  readonly cloud: Cloud;
  /** The app's client (application) id. */
  readonly clientId: string;
  /** The customer tenant: id, verified domain or `organizations`. */
  readonly tenant: string;
  /** Must exactly match one of the app's redirect URIs when given. */
  readonly redirectUri?: string;
  readonly state?: string;
}

export interface AdminConsentV2Input extends AdminConsentInput {
  /** Space-separated scopes; defaults to the cloud's Graph `.default` (required for application permissions). */
  readonly scope?: string;
}

export interface ConsentUrl {
  readonly url: string;
  readonly tenant: Tenant;
  readonly warnings: readonly Finding[];
}

// Entra's documented maximum length of a redirect URI.
const REDIRECT_URI_MAX = 256;

export function checkClientId(clientId: string): Finding[] {
  if (clientId === '') return [error('clientId', 'clientId.required', "Client id (the app's application id) is required.")];
  return isGuid(clientId)
    ? []
    : [error('clientId', 'clientId.notGuid', `Client id must be the app's application (client) id, a GUID; ${quote(clientId)} is not.`)];
}

/** An absolute https URL, or http on a loopback host (as Entra allows for native apps); no fragment. */
export function checkRedirectUri(uri: string): Finding[] {
  const f = 'redirectUri';
  if (uri === '') return [error(f, 'redirectUri.required', "Redirect URI must not be empty; leave it out to use the app's default.")];
  if (uri !== uri.trim()) return [error(f, 'redirectUri.whitespace', `Redirect URI must not start or end with whitespace: ${quote(uri)}.`)];
  const url = tryParseUrl(uri);
  if (!url || !/^https?:\/\//i.test(uri)) return [error(f, 'redirectUri.notUrl', `Redirect URI must be an absolute http(s) URL; ${quote(uri)} is not.`)];
  // "https:///cb" parses (the parser takes "cb" for the host) but is not the URI registered on the app.
  if (/^https?:\/\/[/\\?#]/i.test(uri))
    return [error(f, 'redirectUri.host', `Redirect URI must have a host name right after "https://"; ${quote(uri)} has none.`)];
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    return [error(f, 'redirectUri.notHttps', `Redirect URI must use https (http only for localhost or 127.0.0.1); ${quote(uri)} uses http.`)];
  }
  if (url.username !== '' || url.password !== '')
    return [error(f, 'redirectUri.userinfo', `Redirect URI must not contain a user name or password: ${quote(uri)}.`)];
  if (uri.includes('#')) return [error(f, 'redirectUri.fragment', `Redirect URI must not contain a fragment (#…): ${quote(uri)}.`)];
  if (/[\s<>"`{}|\\^]/.test(uri))
    return [error(f, 'redirectUri.characters', `Redirect URI contains spaces or characters that must be percent-encoded: ${quote(uri)}.`)];
  if (uri.length > REDIRECT_URI_MAX)
    return [error(f, 'redirectUri.tooLong', `Redirect URI must be at most ${REDIRECT_URI_MAX} characters; it has ${uri.length}.`)];
  return [];
}

export function checkAdminConsentInput(input: AdminConsentInput): { tenant?: Tenant; result: ValidationResult } {
  const parsed = parseTenant(input.tenant);
  const findings: Finding[] = [...checkClientId(input.clientId)];
  if (input.redirectUri !== undefined) findings.push(...checkRedirectUri(input.redirectUri));
  if (input.state !== undefined && input.state.length > 2000) {
    findings.push(error('state', 'state.tooLong', `State must be at most 2000 characters; it has ${input.state.length}.`));
  }
  return { ...(parsed.tenant ? { tenant: parsed.tenant } : {}), result: mergeResults(parsed.result, toResult(findings)) };
}

function consentUrl(cloud: Cloud, tenant: Tenant, version: 'v1' | 'v2', params: readonly [string, string | undefined][]): string {
  const url = new Url(cloud.loginUrl);
  const base = url.pathname.replace(/\/+$/, '');
  url.pathname = `${base}/${encodeURIComponent(tenant.value)}${version === 'v2' ? '/v2.0' : ''}/adminconsent`;
  for (const [key, value] of params) if (value !== undefined) url.searchParams.append(key, value);
  // URLSearchParams writes a space as '+'; '%20' means a space to every decoder, form-style or not.
  url.search = url.searchParams.toString().replace(/\+/g, '%20');
  return url.href;
}

/** v1: `{login}/{tenant}/adminconsent?client_id=…[&redirect_uri=…][&state=…]`: grants every configured permission. */
export function buildAdminConsentUrl(input: AdminConsentInput): ConsentUrl {
  const { tenant, result } = checkAdminConsentInput(input);
  assertValid(result);
  const url = consentUrl(input.cloud, tenant as Tenant, 'v1', [
    ['client_id', input.clientId.toLowerCase()],
    ['redirect_uri', input.redirectUri],
    ['state', input.state],
  ]);
  return { url, tenant: tenant as Tenant, warnings: result.warnings };
}

/** v2.0: `{login}/{tenant}/v2.0/adminconsent?client_id=…&scope={graph}/.default[&redirect_uri=…][&state=…]`. */
export function buildAdminConsentUrlV2(input: AdminConsentV2Input): ConsentUrl {
  const { tenant, result } = checkAdminConsentInput(input);
  const scope = input.scope ?? graphDefaultScope(input.cloud);
  const scopeFindings: Finding[] = [];
  if (scope.trim() === '')
    scopeFindings.push(error('scope', 'scope.required', 'Scope must not be empty; use the Graph ".default" scope for application permissions.'));
  else if (!scope.split(' ').every((s) => s !== '' && tryParseUrl(s) !== undefined)) {
    scopeFindings.push(
      error(
        'scope',
        'scope.invalid',
        `Scope must be one or more space-separated absolute scope URIs (like ${graphDefaultScope(input.cloud)}); ${quote(scope)} is not.`,
      ),
    );
  } else if (!scope.split(' ').some((s) => s.endsWith('/.default'))) {
    scopeFindings.push(
      warning('scope', 'scope.notDefault', 'Scope has no ".default" entry: application permissions are granted only through the resource\'s ".default" scope.'),
    );
  }
  const all = mergeResults(result, toResult(scopeFindings));
  assertValid(all);
  const url = consentUrl(input.cloud, tenant as Tenant, 'v2', [
    ['client_id', input.clientId.toLowerCase()],
    ['scope', scope],
    ['redirect_uri', input.redirectUri],
    ['state', input.state],
  ]);
  return { url, tenant: tenant as Tenant, warnings: all.warnings };
}
