// Helpers for the Graph suites: tokens (minted by the sandbox's own key, or obtained from its token service),
// SDK clients (@microsoft/microsoft-graph-client with TokenCredentialAuthenticationProvider + customHosts), and
// raw fetch calls for asserting exact status codes and bodies.
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { Client } from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials';
import assert from 'node:assert/strict';
import type { IssueTokenParams } from '../core';
import type { Sandbox } from '../index';

export const GRAPH_AUD = 'https://graph.microsoft.com';

/** A TokenCredential that always returns `token`. */
export function staticCredential(token: string): TokenCredential {
  return { getToken: async (): Promise<AccessToken> => ({ token, expiresOnTimestamp: Date.now() + 3_000_000 }) };
}

/** A Graph token signed by the sandbox (for permission tests that need exact scp/roles). */
export function mint(sandbox: Sandbox, p: Partial<IssueTokenParams> & ({ userId: string } | { servicePrincipalId: string })): string {
  const defined = Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) as Partial<IssueTokenParams>;
  return sandbox.core.issueAccessToken({
    tenantId: sandbox.info.homeTenant.id,
    audience: GRAPH_AUD,
    clientAppId: sandbox.info.publicClientId,
    azpacr: '0',
    ...defined,
  }).token;
}

export function userToken(
  sandbox: Sandbox,
  userId: string,
  scp: string[] = ['Application.ReadWrite.All', 'User.Read', 'Directory.Read.All'],
  tenantId?: string,
): string {
  return mint(sandbox, { userId, scp, tenantId });
}

export function appToken(sandbox: Sandbox, roles: string[], servicePrincipalId = sandbox.info.confidentialClient.servicePrincipalId): string {
  return mint(sandbox, { servicePrincipalId, roles, clientAppId: sandbox.info.confidentialClient.clientId, azpacr: '1' });
}

/**
 * The SDK client: baseUrl = the Graph root, customHosts = its host NAME. The SDK compares the URL's hostname
 * without the port (GraphRequestUtil isValidEndpoint), so `127.0.0.1:PORT` in customHosts never matches and
 * the token is not attached.
 */
export function sdkClient(sandbox: Sandbox, credential: TokenCredential): Client {
  const authProvider = new TokenCredentialAuthenticationProvider(credential, { scopes: [`${GRAPH_AUD}/.default`] });
  return Client.initWithMiddleware({ authProvider, baseUrl: sandbox.info.graphUrl, customHosts: new Set([new URL(sandbox.info.graphUrl).hostname]) });
}

export interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
  text: string;
}

/** A raw Graph call (`path` relative to /v1.0, or an absolute URL). */
export async function call(
  sandbox: Sandbox,
  method: string,
  path: string,
  token: string | undefined,
  options: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const url = /^https:/.test(path) ? path : `${sandbox.info.graphUrl}/v1.0${path}`;
  const res = await fetch(url, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...options.headers,
    },
    body: options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
  });
  const text = await res.text();
  let body: Record<string, unknown>;
  try {
    body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    body = {};
  }
  return { status: res.status, body, headers: res.headers, text };
}

/** Asserts Graph's error shape and returns its code and message. */
export function graphErrorOf(a: Answer, status: number, code?: string): { code: string; message: string } {
  assert.equal(a.status, status, `expected ${status}, got ${a.status}: ${a.text}`);
  const error = a.body.error as { code: string; message: string; innerError: Record<string, string> } | undefined;
  assert.ok(error, `no error body: ${a.text}`);
  assert.equal(typeof error.message, 'string');
  assert.match(error.innerError['request-id'] ?? '', /^[0-9a-f-]{36}$/);
  assert.match(error.innerError.date ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
  if (code !== undefined) assert.equal(error.code, code, error.message);
  return { code: error.code, message: error.message };
}

export function values<T = Record<string, unknown>>(a: Answer): T[] {
  assert.equal(a.status, 200, a.text);
  return a.body.value as T[];
}
