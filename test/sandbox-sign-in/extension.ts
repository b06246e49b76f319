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

function readInfo(): SandboxSignInInfo {
  const path = process.env.FC_SANDBOX_INFO;
  if (!path) throw new Error('FC_SANDBOX_INFO is not set: start VS Code through the test runner or npm start.');
  return JSON.parse(readFileSync(path, 'utf8')).signIn as SandboxSignInInfo;
}

function claims(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
}

const sameScopes = (a: readonly string[], b: readonly string[]) => [...a].sort().join(' ') === [...b].sort().join(' ');

/**
 * Behaves like a signed-in Microsoft account: once the user has signed in (createSession, or the
 * `fcSandbox.signIn` command, as from the Accounts menu), sessions for further scopes are minted
 * silently, as MSAL does with its cached refresh token. Signed out, it has no sessions.
 */
class SandboxAuthenticationProvider implements vscode.AuthenticationProvider {
  private readonly changed = new vscode.EventEmitter<vscode.AuthenticationProviderAuthenticationSessionsChangeEvent>();
  readonly onDidChangeSessions = this.changed.event;
  private sessions: vscode.AuthenticationSession[] = [];
  // npm start begins with the sandbox account signed in (as if from the Accounts menu); tests sign it in themselves.
  private signedIn = process.env.FC_SANDBOX_SIGNED_IN === '1';

  async getSessions(scopes?: readonly string[]): Promise<vscode.AuthenticationSession[]> {
    if (!scopes) return this.sessions;
    const existing = this.sessions.filter((s) => sameScopes(s.scopes, scopes));
    if (existing.length > 0 || !this.signedIn) return existing;
    return [await this.mint(scopes)];
  }

  async createSession(scopes: readonly string[]): Promise<vscode.AuthenticationSession> {
    this.signedIn = true;
    return this.mint(scopes);
  }

  async signOut(): Promise<void> {
    this.signedIn = false;
    const removed = this.sessions;
    this.sessions = [];
    if (removed.length) this.changed.fire({ added: [], removed, changed: [] });
  }

  private async mint(scopes: readonly string[]): Promise<vscode.AuthenticationSession> {
    const info = readInfo();
    const tenant = scopes.find((s) => s.startsWith('VSCODE_TENANT:'))?.slice('VSCODE_TENANT:'.length) ?? info.homeTenantId;
    const clientId = scopes.find((s) => s.startsWith('VSCODE_CLIENT_ID:'))?.slice('VSCODE_CLIENT_ID:'.length) ?? info.clientId;
    const resourceScopes = scopes.filter((s) => !s.startsWith('VSCODE_'));
    const response = await fetch(`${info.loginUrl}/${encodeURIComponent(tenant)}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'password', client_id: clientId, username: info.username, password: info.password, scope: [...resourceScopes, 'offline_access'].join(' ') }),
    });
    const body = (await response.json()) as { access_token?: string; error?: string; error_description?: string };
    if (!response.ok || !body.access_token) throw new Error(body.error_description ?? body.error ?? `Sandbox sign-in failed (HTTP ${response.status})`);
    const c = claims(body.access_token);
    const session: vscode.AuthenticationSession = {
      id: `${c.oid}-${this.sessions.length + 1}`,
      accessToken: body.access_token,
      account: { id: String(c.oid), label: String(c.preferred_username ?? info.username) },
      scopes: [...scopes],
    };
    this.sessions.push(session);
    this.changed.fire({ added: [session], removed: [], changed: [] });
    return session;
  }

  async removeSession(sessionId: string): Promise<void> {
    const removed = this.sessions.filter((s) => s.id === sessionId);
    this.sessions = this.sessions.filter((s) => s.id !== sessionId);
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
