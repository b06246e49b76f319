// The one place that signs in. It turns the chosen method (VS Code's account providers, the Azure
// CLI, or a device code) into @azure/identity TokenCredentials per kind of access, for the tenant
// the user selected, and keeps the signed-in state that the views follow.
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';
import * as vscode from 'vscode';
import { openInBrowser } from '../util/openInBrowser';
import type { Cloud } from '../domain/clouds';
import { affectsAuthentication, readSettings, type Settings } from '../config/settings';
import { Disposable } from '../util/lifecycle';
import { ContextKeys, setContext } from '../util/contextKeys';
import { isFreshTokenRequest } from '../http/freshToken';
import type { RequestLogger } from '../http/requestLog';
import type { GraphDirectory } from '../graph/directory';
import { AccountSession } from './accountSession';
import { isScopeRefusal, readTokenClaims, resourceScopes, withSessionHints, type Access } from './scopes';

export interface SignedInAccount {
  readonly label: string;
  /** The tenant the account signed in to first (the token's tid). */
  readonly homeTenantId: string;
  /** The tenant the views show. */
  readonly tenantId: string;
}

export class NotSignedInError extends Error {
  constructor() {
    super('Not signed in to Microsoft Entra ID. Run "Federated Credentials: Sign In".');
    this.name = 'NotSignedInError';
  }
}

export class ScopeRefusedError extends Error {
  constructor(
    readonly access: Access,
    cause: unknown,
  ) {
    super(
      `Your sign-in client was refused the Microsoft Graph permission this action needs (${access === 'graphWrite' ? 'Application.ReadWrite.All' : 'Application.Read.All'}). ` +
        'Some tenants and sovereign clouds do not let VS Code\'s own client ask for it. Set "federatedCredentials.authentication.clientId" to your organisation\'s app registration, or sign in with the Azure CLI ("federatedCredentials.authentication.method": "azureCli").',
      { cause },
    );
    this.name = 'ScopeRefusedError';
  }
}

const SELECTED_TENANT_KEY = 'federatedCredentials.selectedTenant';

export class AuthService extends Disposable {
  private readonly changed = this.register(new vscode.EventEmitter<SignedInAccount | undefined>());
  readonly onDidChangeAccount = this.changed.event;
  private current: SignedInAccount | undefined;
  private identityCredential: Promise<TokenCredential> | undefined;
  private currentSession: AccountSession | undefined;

  constructor(
    private readonly state: vscode.Memento,
    private readonly log: vscode.LogOutputChannel,
    private readonly requestLog?: RequestLogger,
  ) {
    super();
    this.register(
      vscode.authentication.onDidChangeSessions((event) => {
        if (this.current && event.provider.id === this.settings().authProviderId) void this.restore();
      }),
    );
    this.register(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (affectsAuthentication(event)) {
          this.identityCredential = undefined;
          this.setAccount(undefined);
          void this.restore();
        }
      }),
    );
  }

  settings(): Settings {
    return readSettings();
  }

  get cloud(): Cloud {
    return this.settings().cloud;
  }

  get account(): SignedInAccount | undefined {
    return this.current;
  }

  /** The signed-in account's clients and caches; a new one after every change of account, tenant or cloud. */
  get session(): AccountSession | undefined {
    if (!this.current) return undefined;
    return (this.currentSession ??= new AccountSession({
      account: this.current,
      cloud: this.cloud,
      credential: (access) => this.credential(access),
      logger: this.requestLog,
    }));
  }

  /** The session, or "sign in first". */
  requireSession(): AccountSession {
    this.requireAccount();
    return this.session!;
  }

  requireAccount(): SignedInAccount {
    if (!this.current) throw new NotSignedInError();
    return this.current;
  }

  /** Finds an existing sign-in without prompting (VS Code method only). */
  async restore(): Promise<SignedInAccount | undefined> {
    const settings = this.settings();
    if (settings.authMethod !== 'vscode') return this.current;
    try {
      const tenantId = this.state.get<string>(SELECTED_TENANT_KEY);
      const session = await vscode.authentication.getSession(
        settings.authProviderId,
        withSessionHints(resourceScopes(settings.cloud, 'graphRead'), { tenantId, clientId: settings.clientId }),
        { silent: true },
      );
      this.setAccount(session ? this.accountFrom(session.account.label, session.accessToken, tenantId) : undefined);
    } catch (error) {
      this.log.warn(`Could not restore the sign-in: ${error instanceof Error ? error.message : String(error)}`);
    }
    return this.current;
  }

  async signIn(tenantId?: string): Promise<SignedInAccount> {
    const settings = this.settings();
    const tenant = tenantId ?? this.state.get<string>(SELECTED_TENANT_KEY);
    let token: AccessToken;
    let label: string;
    if (settings.authMethod === 'vscode') {
      const session = await vscode.authentication.getSession(
        settings.authProviderId,
        withSessionHints(resourceScopes(settings.cloud, 'graphRead'), { tenantId: tenant, clientId: settings.clientId }),
        { createIfNone: true },
      );
      token = { token: session.accessToken, expiresOnTimestamp: 0 };
      label = session.account.label;
    } else {
      this.identityCredential = undefined;
      token = await this.tokenFromIdentity(settings, 'graphRead', tenant);
      const claims = readTokenClaims(token.token);
      label = claims.preferred_username ?? claims.upn ?? claims.name ?? 'Microsoft Entra account';
    }
    const account = this.accountFrom(label, token.token, tenant);
    await this.state.update(SELECTED_TENANT_KEY, account.tenantId);
    this.setAccount(account);
    this.log.info(`Signed in (${settings.authMethod}, ${settings.cloud.displayName}).`);
    return account;
  }

  async signOut(): Promise<void> {
    await this.state.update(SELECTED_TENANT_KEY, undefined);
    this.identityCredential = undefined;
    this.setAccount(undefined);
    this.log.info('Signed out of the extension. VS Code keeps the account in its Accounts menu until you sign out there.');
  }

  async selectTenant(tenantId: string): Promise<SignedInAccount> {
    this.requireAccount();
    return this.signIn(tenantId);
  }

  /**
   * Microsoft Graph reads in another tenant with the signed-in account, never prompting (Check Trust):
   * its directory, or why it cannot be read. VS Code's provider is asked silently for a session in that
   * tenant; the Azure CLI for a token there; a device-code sign-in would prompt, so it is not tried.
   */
  async tenantDirectory(tenant: string): Promise<{ directory: GraphDirectory } | { unreadable: string }> {
    const account = this.requireAccount();
    const settings = this.settings();
    if (settings.authMethod === 'deviceCode') return { unreadable: 'signing in there with a device code would need a prompt.' };
    const getToken = async (): Promise<AccessToken> => {
      if (settings.authMethod === 'azureCli') return this.tokenFromIdentity(settings, 'graphRead', tenant);
      const session = await vscode.authentication.getSession(
        settings.authProviderId,
        withSessionHints(resourceScopes(settings.cloud, 'graphRead'), { tenantId: tenant, clientId: settings.clientId }),
        { silent: true },
      );
      if (!session) throw new Error(`${account.label} has no sign-in for it`);
      const exp = readTokenClaims(session.accessToken).exp;
      return { token: session.accessToken, expiresOnTimestamp: exp ? exp * 1000 : Date.now() + 5 * 60_000 };
    };
    try {
      await getToken();
    } catch (error) {
      return { unreadable: `the signed-in account cannot read it without a new sign-in (${error instanceof Error ? error.message : String(error)}).` };
    }
    const session = new AccountSession({
      account: { ...account, tenantId: tenant },
      cloud: settings.cloud,
      credential: () => ({ getToken }),
      logger: this.requestLog,
    });
    return { directory: session.directory };
  }

  /** A TokenCredential for one kind of access in the selected tenant: what the Graph and ARM clients use. */
  credential(access: Access): TokenCredential {
    return { getToken: (_scopes: string | string[], options?: GetTokenOptions) => this.getToken(access, options) };
  }

  /**
   * A token for one kind of access. Options from freshTokenOptions() (src/http/freshToken.ts) mean that Graph or
   * ARM refused the previous token (expired, or no longer accepted) and the client retries once with this one.
   * What "fresh" can honestly mean depends on the sign-in method:
   * - vscode: ask the authentication provider again (done for every token anyway). VS Code 1.100's API has no
   *   silent way to make a provider skip its cache (forceNewSession prompts the user), but providers hand out a
   *   refreshed token when theirs has expired: the Microsoft provider's MSAL acquireTokenSilent redeems its
   *   refresh token for a token within 5 minutes of expiry, and the sandbox's test provider
   *   (sandbox-sign-in) does the same for a token the sandbox refused as expired.
   * - azureCli: run `az account get-access-token` again. AzureCliCredential keeps no cache and the CLI
   *   refreshes an expired token itself; the request's `claims` are not passed on, because AzureCliCredential
   *   answers any claims with "run az login --claims-challenge" instead of a token.
   * - deviceCode: ask the DeviceCodeCredential again; MSAL's silent call refreshes a token near or past its
   *   expiry. `claims` would make MSAL skip its cache, but @azure/identity 4.x keeps them for every later silent
   *   call of that credential (msalClient's cachedClaims), which would turn its token cache off for the rest
   *   of the session; so they are not passed on either.
   * A token refused before its expiry (revoked, clock skew) can come back unchanged: the retry then fails too
   * and the user is told to sign in again.
   */
  private async getToken(access: Access, options?: GetTokenOptions): Promise<AccessToken> {
    const account = this.requireAccount();
    const settings = this.settings();
    if (isFreshTokenRequest(options))
      this.log.info(
        `The service refused the ${access} token as expired; asking ${settings.authMethod === 'vscode' ? 'the account provider' : settings.authMethod} for a fresh one.`,
      );
    if (settings.authMethod !== 'vscode') return this.tokenFromIdentity(settings, access, account.tenantId);
    try {
      const session = await vscode.authentication.getSession(
        settings.authProviderId,
        withSessionHints(resourceScopes(settings.cloud, access), { tenantId: account.tenantId, clientId: settings.clientId }),
        // Writes may need a new consent: VS Code asks the user. Reads reuse the sign-in.
        { createIfNone: true },
      );
      const exp = readTokenClaims(session.accessToken).exp;
      return { token: session.accessToken, expiresOnTimestamp: exp ? exp * 1000 : Date.now() + 5 * 60_000 };
    } catch (error) {
      if (isScopeRefusal(error)) throw new ScopeRefusedError(access, error);
      throw error;
    }
  }

  private async tokenFromIdentity(settings: Settings, access: Access, tenantId?: string): Promise<AccessToken> {
    // @azure/identity (and MSAL) load only when this method is used.
    this.identityCredential ??= import('@azure/identity').then((identity) => {
      // A custom cloud's authority is unknown to MSAL's instance discovery, which would ask the public cloud.
      const common = {
        authorityHost: settings.cloud.loginUrl,
        tenantId,
        additionallyAllowedTenants: ['*'],
        disableInstanceDiscovery: settings.cloud.name === 'Custom',
      };
      if (settings.authMethod === 'azureCli') return new identity.AzureCliCredential(common);
      return new identity.DeviceCodeCredential({
        ...common,
        clientId: settings.clientId,
        userPromptCallback: (info) => {
          void vscode.window.showInformationMessage(info.message, 'Copy Code and Open').then(async (choice) => {
            if (choice) {
              await vscode.env.clipboard.writeText(info.userCode);
              await openInBrowser(info.verificationUri, settings.cloud);
            }
          });
        },
      });
    });
    const credential = await this.identityCredential;
    const token = await credential.getToken([...new Set(resourceScopes(settings.cloud, access).map(toDefaultScope))], { tenantId });
    if (!token) throw new NotSignedInError();
    return token;
  }

  private accountFrom(label: string, accessToken: string, requestedTenant?: string): SignedInAccount {
    const tid = readTokenClaims(accessToken).tid ?? requestedTenant ?? 'organizations';
    return { label, homeTenantId: tid, tenantId: requestedTenant ?? tid };
  }

  private setAccount(account: SignedInAccount | undefined): void {
    const changed = account?.label !== this.current?.label || account?.tenantId !== this.current?.tenantId;
    this.current = account;
    if (changed) this.currentSession = undefined;
    void setContext(ContextKeys.signedIn, account !== undefined);
    if (changed) this.changed.fire(account);
  }
}

/** @azure/identity credentials take `.default` scopes; the user-consented permissions come with it. */
function toDefaultScope(scope: string): string {
  return scope.replace(/\/[^/]+$/, '/.default');
}
