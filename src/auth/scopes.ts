// The scopes each kind of call asks for: least privilege, read to browse and write only to write.
// VS Code's Microsoft providers take two pseudo-scopes: VSCODE_TENANT (which tenant) and
// VSCODE_CLIENT_ID (an organisation's own app registration instead of VS Code's).
import type { Cloud } from '../domain/clouds';

export type Access = 'graphRead' | 'graphWrite' | 'arm';

export function resourceScopes(cloud: Cloud, access: Access): string[] {
  switch (access) {
    case 'graphRead':
      return [`${cloud.graphUrl}/Application.Read.All`, `${cloud.graphUrl}/User.Read`];
    case 'graphWrite':
      return [`${cloud.graphUrl}/Application.ReadWrite.All`, `${cloud.graphUrl}/User.Read`];
    case 'arm':
      return [`${cloud.armUrl}/.default`];
  }
}

export function withSessionHints(scopes: readonly string[], hints: { tenantId?: string; clientId?: string }): string[] {
  const result = [...scopes];
  if (hints.clientId) result.push(`VSCODE_CLIENT_ID:${hints.clientId}`);
  if (hints.tenantId) result.push(`VSCODE_TENANT:${hints.tenantId}`);
  return result;
}

/** Claims we read from an access token for display and tenant choice (no verification: the token is ours). */
export interface AccessTokenClaims {
  readonly tid?: string;
  readonly oid?: string;
  readonly exp?: number;
  readonly upn?: string;
  readonly preferred_username?: string;
  readonly name?: string;
  readonly scp?: string;
}

export function readTokenClaims(accessToken: string): AccessTokenClaims {
  const payload = accessToken.split('.')[1];
  if (!payload) return {};
  try {
    return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as AccessTokenClaims;
  } catch {
    return {};
  }
}

/**
 * Entra's answers when a client may not ask for a scope in a tenant: the consent or
 * pre-authorisation errors that VS Code's own client meets for Graph write scopes in some tenants.
 */
const CONSENT_REFUSALS = /AADSTS(65001|65002|650057|65004|90094|90008|500011|7000112)\b|consent|pre-?authori[sz]ed|not authori[sz]ed to request/i;

export function isScopeRefusal(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error ?? '');
  return CONSENT_REFUSALS.test(message);
}
