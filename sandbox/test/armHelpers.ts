// Helpers for the ARM suites: tokens minted in-process (any principal, audience or lifetime) and a small
// fetch wrapper that returns status, headers and the parsed body.
import type { Sandbox } from '../index';

export interface ArmCall {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
  readonly text: string;
}

export interface TokenOptions {
  /** Object id of a user (delegated token) — default: the confidential client's service principal. */
  readonly userId?: string;
  readonly servicePrincipalId?: string;
  readonly tenantId?: string;
  readonly audience?: string;
  readonly lifetimeSeconds?: number;
}

/** An ARM access token for the home tenant's confidential client, or the principal given. */
export function armToken(sandbox: Sandbox, o: TokenOptions = {}): string {
  const { info } = sandbox;
  const userId = o.userId;
  const spId = userId ? undefined : (o.servicePrincipalId ?? info.confidentialClient.servicePrincipalId);
  const sp = spId ? sandbox.core.state.servicePrincipals.get(spId) : undefined;
  const user = userId ? sandbox.core.state.users.get(userId) : undefined;
  return sandbox.core.issueAccessToken({
    tenantId: o.tenantId ?? user?.tenantId ?? sp?.tenantId ?? info.homeTenant.id,
    audience: o.audience ?? 'https://management.azure.com/',
    clientAppId: user ? info.publicClientId : (sp?.appId ?? info.confidentialClient.clientId),
    azpacr: user ? '0' : '1',
    userId,
    servicePrincipalId: spId,
    scp: user ? ['user_impersonation'] : undefined,
    lifetimeSeconds: o.lifetimeSeconds,
  }).token;
}

export interface CallOptions {
  readonly token?: string | null;
  readonly body?: unknown;
  readonly text?: string;
  readonly contentType?: string;
  /** api-version; null leaves it out. */
  readonly apiVersion?: string | null;
}

/** One ARM call. `path` is relative to the ARM root (`/subscriptions/…`) or an absolute URL (nextLink, LRO URLs). */
export async function arm(sandbox: Sandbox, method: string, path: string, o: CallOptions = {}): Promise<ArmCall> {
  const url = new URL(/^https:/.test(path) ? path : `${sandbox.urls.arm}${path}`);
  if (o.apiVersion !== null && o.apiVersion !== undefined && !url.searchParams.has('api-version')) url.searchParams.set('api-version', o.apiVersion);
  const headers: Record<string, string> = {};
  const token = o.token === undefined ? armToken(sandbox) : o.token;
  if (token) headers.authorization = `Bearer ${token}`;
  let body: string | undefined;
  if (o.text !== undefined) {
    body = o.text;
    headers['content-type'] = o.contentType ?? 'text/powershell';
  } else if (o.body !== undefined) {
    body = typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
    headers['content-type'] = o.contentType ?? 'application/json';
  }
  const res = await fetch(url, { method, headers, body });
  const text = await res.text();
  let parsed: Record<string, unknown> = {};
  if (text && /json/.test(res.headers.get('content-type') ?? '')) parsed = JSON.parse(text) as Record<string, unknown>;
  return { status: res.status, headers: res.headers, body: parsed, text };
}

/** `{error:{code,message}}` of an ARM answer, checked for shape. */
export function armErrorOf(call: ArmCall): { code: string; message: string } {
  const error = call.body.error as { code?: unknown; message?: unknown } | undefined;
  if (!error || typeof error.code !== 'string' || typeof error.message !== 'string') throw new Error(`not an ARM error body (${call.status}): ${call.text}`);
  if (!call.headers.get('x-ms-request-id')) throw new Error('ARM error without x-ms-request-id');
  return { code: error.code, message: error.message };
}
