// An authentication provider for the local sandbox tenant: it gets real tokens from the sandbox's
// token endpoint with the seeded admin's non-interactive sign-in (ROPC), so the extension under test
// signs in through VS Code's authentication API exactly as it does with the `microsoft` provider.
// Reads the sandbox's connection file named by FC_SANDBOX_INFO (written by the test runner / npm start).
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';

export interface SandboxSignInInfo {
  readonly loginUrl: string;
  readonly homeTenantId: string;
  readonly clientId: string;
  readonly username: string;
  readonly password: string;
}

function readInfoFile(): { signIn: SandboxSignInInfo; controlUrl?: string; controlKey?: string } {
  const path = process.env.FC_SANDBOX_INFO;
  if (!path) throw new Error('FC_SANDBOX_INFO is not set: start VS Code through the test runner or npm start.');
  return JSON.parse(readFileSync(path, 'utf8'));
}

function readInfo(): SandboxSignInInfo {
  return readInfoFile().signIn;
}

/** Whether Graph or ARM has refused this token as expired (the sandbox's expiry knob, or its real exp). */
async function refusedBySandbox(uti: unknown): Promise<boolean> {
  const { controlUrl, controlKey } = readInfoFile();
  if (typeof uti !== 'string' || !controlUrl || !controlKey) return false;
  try {
    const response = await fetch(`${controlUrl}/tokens/status?uti=${encodeURIComponent(uti)}`, { headers: { 'X-Sandbox-Control-Key': controlKey } });
    return response.ok && ((await response.json()) as { refused?: boolean }).refused === true;
  } catch {
    return false;
  }
}

function claims(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
}

const sameScopes = (a: readonly string[], b: readonly string[]) => [...a].sort().join(' ') === [...b].sort().join(' ');

interface Grant {
  readonly tenant: string;
  readonly clientId: string;
  readonly resourceScopes: readonly string[];
  refreshToken?: string;
}

/**
 * Behaves like a signed-in Microsoft account: once the user has signed in (createSession, or the
 * `fcSandbox.signIn` command, as from the Accounts menu), sessions for further scopes are minted
 * silently, as MSAL does with its cached refresh token. Signed out, it has no sessions.
 *
 * Like the Microsoft provider (MSAL's acquireTokenSilent), it hands out a session's cached token until
 * that token expires, and then redeems the session's refresh token for a new one. "Expires" is the
 * token's exp less 5 minutes (MSAL's refresh offset), or the sandbox having refused the token as expired:
 * the sandbox's expiry knob (POST /_sandbox/tokens/expire) stands for the clock passing the tokens'
 * expiry while they are in use, which the provider learns from the sandbox (GET /_sandbox/tokens/status)
 * once Graph or ARM has answered a request with it "expired".
 */
class SandboxAuthenticationProvider implements vscode.AuthenticationProvider {
  private readonly changed = new vscode.EventEmitter<vscode.AuthenticationProviderAuthenticationSessionsChangeEvent>();
  readonly onDidChangeSessions = this.changed.event;
  private sessions: vscode.AuthenticationSession[] = [];
  private readonly grants = new Map<string, Grant>();
  private readonly refreshing = new Map<string, Promise<vscode.AuthenticationSession>>();
  // npm start begins with the sandbox account signed in (as if from the Accounts menu); tests sign it in themselves.
  private signedIn = process.env.FC_SANDBOX_SIGNED_IN === '1';

  async getSessions(scopes?: readonly string[]): Promise<vscode.AuthenticationSession[]> {
    if (!scopes) return this.sessions;
    const existing = this.sessions.filter((s) => sameScopes(s.scopes, scopes));
    if (existing.length > 0) return Promise.all(existing.map((s) => this.current(s)));
    if (!this.signedIn) return existing;
    return [await this.mint(scopes)];
  }

  /** The session, with a new token from its refresh token when the cached one has expired. */
  private async current(session: vscode.AuthenticationSession): Promise<vscode.AuthenticationSession> {
    const grant = this.grants.get(session.id);
    if (!grant?.refreshToken) return session;
    const c = claims(session.accessToken);
    const expired = typeof c.exp === 'number' && c.exp * 1000 - 5 * 60_000 < Date.now();
    if (!expired && !(await refusedBySandbox(c.uti))) return session;
    let pending = this.refreshing.get(session.id);
    if (!pending) {
      pending = this.redeem(session, grant).finally(() => this.refreshing.delete(session.id));
      this.refreshing.set(session.id, pending);
    }
    return pending;
  }

  private async redeem(session: vscode.AuthenticationSession, grant: Grant): Promise<vscode.AuthenticationSession> {
    const body = await this.tokenRequest(grant.tenant, {
      grant_type: 'refresh_token',
      client_id: grant.clientId,
      refresh_token: grant.refreshToken ?? '',
      scope: [...grant.resourceScopes, 'offline_access'].join(' '),
    });
    grant.refreshToken = body.refresh_token ?? grant.refreshToken;
    const renewed: vscode.AuthenticationSession = { ...session, accessToken: body.access_token };
    this.sessions = this.sessions.map((s) => (s.id === session.id ? renewed : s));
    this.changed.fire({ added: [], removed: [], changed: [renewed] });
    return renewed;
  }

  private async tokenRequest(tenant: string, form: Record<string, string>): Promise<{ access_token: string; refresh_token?: string }> {
    const info = readInfo();
    const response = await fetch(`${info.loginUrl}/${encodeURIComponent(tenant)}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form),
    });
    const body = (await response.json()) as { access_token?: string; refresh_token?: string; error?: string; error_description?: string };
    if (!response.ok || !body.access_token) throw new Error(body.error_description ?? body.error ?? `Sandbox sign-in failed (HTTP ${response.status})`);
    return { access_token: body.access_token, refresh_token: body.refresh_token };
  }

  async createSession(scopes: readonly string[]): Promise<vscode.AuthenticationSession> {
    this.signedIn = true;
    return this.mint(scopes);
  }

  async signOut(): Promise<void> {
    this.signedIn = false;
    const removed = this.sessions;
    this.sessions = [];
    this.grants.clear();
    if (removed.length) this.changed.fire({ added: [], removed, changed: [] });
  }

  private async mint(scopes: readonly string[]): Promise<vscode.AuthenticationSession> {
    const info = readInfo();
    const tenant = scopes.find((s) => s.startsWith('VSCODE_TENANT:'))?.slice('VSCODE_TENANT:'.length) ?? info.homeTenantId;
    const clientId = scopes.find((s) => s.startsWith('VSCODE_CLIENT_ID:'))?.slice('VSCODE_CLIENT_ID:'.length) ?? info.clientId;
    const resourceScopes = scopes.filter((s) => !s.startsWith('VSCODE_'));
    const body = await this.tokenRequest(tenant, {
      grant_type: 'password',
      client_id: clientId,
      username: info.username,
      password: info.password,
      scope: [...resourceScopes, 'offline_access'].join(' '),
    });
    const c = claims(body.access_token);
    const session: vscode.AuthenticationSession = {
      id: `${c.oid}-${this.sessions.length + 1}`,
      accessToken: body.access_token,
      account: { id: String(c.oid), label: String(c.preferred_username ?? info.username) },
      scopes: [...scopes],
    };
    this.sessions.push(session);
    this.grants.set(session.id, { tenant, clientId, resourceScopes, refreshToken: body.refresh_token });
    this.changed.fire({ added: [session], removed: [], changed: [] });
    return session;
  }

  async removeSession(sessionId: string): Promise<void> {
    const removed = this.sessions.filter((s) => s.id === sessionId);
    this.sessions = this.sessions.filter((s) => s.id !== sessionId);
    this.grants.delete(sessionId);
    this.changed.fire({ added: [], removed, changed: [] });
  }
}

export function activate(context: vscode.ExtensionContext): void {
  const provider = new SandboxAuthenticationProvider();
  context.subscriptions.push(
    vscode.authentication.registerAuthenticationProvider('fc-sandbox', 'Federated Credentials Sandbox', provider, { supportsMultipleAccounts: false }),
    // What a user does in the Accounts menu: sign the account in or out.
    vscode.commands.registerCommand('fcSandbox.signIn', async () => (await provider.createSession(['openid'])).account.label),
    vscode.commands.registerCommand('fcSandbox.signOut', () => provider.signOut()),
  );
}
