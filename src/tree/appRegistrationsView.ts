// The App Registrations view: the tenant's apps page by page (never the whole tenant), server-side
// search, "only mine", and under each app its federated credentials.
import * as vscode from 'vscode';
import { classifyCredential, type CredentialClassification, type CredentialKind } from '../domain/credentialKinds';
import { credentialTreeItem, escapeMarkdown } from './credentialItem';
import { appRegistrationPortalUrl, type Cloud } from '../domain/clouds';
import type { GraphDirectory } from '../graph/directory';
import type { IdentityCredentialsClient } from '../arm/identityCredentials';
import { isMultiTenant, type AppRegistration, type FederatedCredential, type Page } from '../domain/model';
import { ContextKeys, setContext } from '../util/contextKeys';
import { ContextValues, contextValue } from './contextValues';
import { MessageNode, retryNode, type TreeNode } from './treeNode';
import type { ModelNode, NodeModel } from './nodeModel';
import { PagedView } from './pagedView';
import { describePermissions, MICROSOFT_GRAPH_APP_ID, type ResourceDescription } from '../domain/graphPermissions';
import type { TrustReportsView } from './trustFindings';

const APP_VIEW_ID = 'federatedCredentials.appRegistrations';

export interface ViewEnvironment {
  /** Microsoft Graph's app roles and scopes, to name an app's permissions (loaded once per sign-in). */
  graphPermissions?(): Promise<ResourceDescription>;
  /** The Graph operations of the signed-in account, or undefined when signed out. */
  directory(): GraphDirectory | undefined;
  cloud(): Cloud;
  pageSize(): number;
  /** Display names of managed identities by object id, when known. */
  identityName(objectId: string): string | undefined;
  /** The signed-in tenant (the apps' tenant), when known: a managed-identity credential's issuer must name it. */
  tenantId?(): string | undefined;
  /** The federated credentials of user-assigned identities (ARM), or undefined when signed out. */
  identityCredentials?(): IdentityCredentialsClient | undefined;
  /** The last Check Trust report of each app: its node under the app, and the app's mark while it found problems. */
  readonly trustReports?: TrustReportsView;
}

export class CredentialNode implements TreeNode, ModelNode {
  readonly id: string;
  readonly kind: CredentialKind;
  private readonly classification: CredentialClassification;

  get model(): NodeModel {
    return { kind: 'credential', app: this.app.app, credential: this.credential };
  }

  constructor(
    readonly app: AppNode,
    readonly credential: FederatedCredential,
    private readonly env: ViewEnvironment,
  ) {
    this.id = `${app.id}/fic/${credential.id}`;
    this.classification = classifyCredential(credential, [env.cloud()]);
    this.kind = this.classification.kind;
  }

  get parent(): AppNode {
    return this.app;
  }

  getTreeItem(): vscode.TreeItem {
    const { credential } = this;
    return credentialTreeItem(this.id, credential, this.classification, {
      contextValue: contextValue(ContextValues.credential, this.kind, credential.claimsMatchingExpression ? ContextValues.flexible : undefined),
      ...(this.kind === 'managedIdentity' ? { subjectName: this.env.identityName(credential.subject) } : {}),
    });
  }
}

export class AppNode implements TreeNode, ModelNode {
  readonly id: string;

  get model(): NodeModel {
    return { kind: 'app', app: this.app };
  }
  private credentials: FederatedCredential[] | undefined;
  private failure: unknown;

  constructor(
    readonly app: AppRegistration,
    private readonly view: AppRegistrationsView,
    private readonly env: ViewEnvironment,
  ) {
    this.id = `app/${app.id}`;
    this.credentials = app.federatedIdentityCredentials;
  }

  get multiTenant(): boolean {
    return isMultiTenant(this.app);
  }

  get loadedCredentials(): readonly FederatedCredential[] | undefined {
    return this.credentials;
  }

  getTreeItem(): vscode.TreeItem {
    const { app } = this;
    const item = new vscode.TreeItem(app.displayName || app.appId, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    const count = this.credentials?.length;
    const parts = [count === undefined ? undefined : `${count} credential${count === 1 ? '' : 's'}`, this.multiTenant ? 'multi-tenant' : 'single tenant'];
    item.description = parts.filter(Boolean).join(' · ');
    item.iconPath = new vscode.ThemeIcon(this.multiTenant ? 'organization' : 'window');
    item.contextValue = contextValue(ContextValues.app, this.multiTenant && ContextValues.multiTenant);
    const tooltip = new vscode.MarkdownString(undefined, false);
    tooltip.appendMarkdown(`**${escapeMarkdown(app.displayName)}**\n\n`);
    tooltip.appendMarkdown(`Application (client) ID: \`${app.appId}\`  \nObject ID: \`${app.id}\`  \n`);
    tooltip.appendMarkdown(
      this.multiTenant
        ? vscode.l10n.t('Accounts: any organizational directory (multi-tenant)')
        : vscode.l10n.t('Accounts: this organizational directory only (single tenant)'),
    );
    const portal = appRegistrationPortalUrl(this.env.cloud(), app.appId);
    if (portal) tooltip.appendMarkdown(`\n\n[Open in the Entra portal](${portal})`);
    const mark = this.env.trustReports?.mark(app.id);
    if (mark) {
      item.description = `${item.description} · ${mark.description}`;
      item.iconPath = mark.icon;
      tooltip.appendMarkdown(`\n\n$(warning) ${escapeMarkdown(mark.tooltip)}`);
      tooltip.supportThemeIcons = true;
    }
    item.tooltip = tooltip;
    return item;
  }

  async getChildren(): Promise<TreeNode[]> {
    if (this.credentials === undefined && this.failure === undefined) await this.loadCredentials();
    if (this.failure !== undefined) {
      return [retryNode(this, this.failure)];
    }
    const credentials: TreeNode[] = (this.credentials ?? []).map((credential) => new CredentialNode(this, credential, this.env));
    if (credentials.length === 0) credentials.push(new MessageNode(`${this.id}/empty`, vscode.l10n.t('No federated credentials'), 'info', this));
    if ((this.app.requiredResourceAccess ?? []).some((r) => r.resourceAccess.length > 0)) credentials.push(new PermissionsNode(this, this.env));
    const trust = this.env.trustReports?.node(this, this.app.id);
    if (trust) credentials.unshift(trust);
    return credentials;
  }

  /** Reloads this app's credentials (after a change, or from the retry action). */
  async reload(): Promise<void> {
    this.credentials = undefined;
    this.failure = undefined;
    await this.loadCredentials();
    this.view.refresh(this);
  }

  private async loadCredentials(): Promise<void> {
    const directory = this.env.directory();
    if (!directory) return;
    try {
      this.credentials = await directory.apps.listCredentials(this.app.id, { operation: 'listCredentials', appName: this.app.displayName });
    } catch (error) {
      this.failure = error;
    }
  }
}

/** "API permissions" under an app: what it asks for, named from the resource's app roles. */
export class PermissionsNode implements TreeNode {
  readonly id: string;
  constructor(
    readonly parent: AppNode,
    private readonly env: ViewEnvironment,
  ) {
    this.id = `${parent.id}/permissions`;
  }

  getTreeItem(): vscode.TreeItem {
    const count = (this.parent.app.requiredResourceAccess ?? []).reduce((n, r) => n + r.resourceAccess.length, 0);
    const item = new vscode.TreeItem(vscode.l10n.t('API permissions'), vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    item.description = `${count}`;
    item.iconPath = new vscode.ThemeIcon('shield');
    item.contextValue = contextValue(ContextValues.permissions);
    item.tooltip = vscode.l10n.t('Permissions the app asks for. Application permissions take effect in a tenant after an admin consents there.');
    return item;
  }

  async getChildren(): Promise<TreeNode[]> {
    const graph = await this.env.graphPermissions?.().catch(() => undefined);
    const described = describePermissions(this.parent.app.requiredResourceAccess, graph ? { [MICROSOFT_GRAPH_APP_ID]: graph } : {});
    return described.map(
      (p) =>
        new MessageNode(
          `${this.id}/${p.resourceAppId}/${p.id}`,
          `${p.value}`,
          p.kind === 'application' ? 'key' : 'person',
          this,
          undefined,
          `${p.resourceName} · ${p.kind === 'application' ? 'application' : 'delegated'}`,
        ),
    );
  }
}

export interface AppFilter {
  readonly search?: string;
  readonly onlyMine: boolean;
}

export class AppRegistrationsView extends PagedView<AppRegistration, AppNode> {
  private filter: AppFilter = { onlyMine: false };

  constructor(private readonly env: ViewEnvironment) {
    super(APP_VIEW_ID, 'apps', { canSelectMany: true });
  }

  get currentFilter(): AppFilter {
    return this.filter;
  }

  get loadedApps(): readonly AppRegistration[] {
    return this.loadedItems;
  }

  async setFilter(filter: AppFilter): Promise<void> {
    this.filter = { search: filter.search?.trim() || undefined, onlyMine: filter.onlyMine };
    const labels = [
      this.filter.search ? vscode.l10n.t('Search: "{0}"', this.filter.search) : undefined,
      this.filter.onlyMine ? vscode.l10n.t('Only mine') : undefined,
    ].filter(Boolean);
    this.treeView.description = labels.join(' · ') || undefined;
    await setContext(ContextKeys.appSearchActive, this.filter.search !== undefined);
    await setContext(ContextKeys.onlyMine, this.filter.onlyMine);
    await this.reload();
  }

  findApp(predicate: (app: AppRegistration) => boolean): AppNode | undefined {
    return this.findNode(predicate);
  }

  protected isAvailable(): boolean {
    return this.env.directory() !== undefined;
  }

  protected fetchPage(nextLink: string | undefined): Promise<Page<AppRegistration>> {
    const directory = this.env.directory()!;
    // $search pages need the ConsistencyLevel header again: Graph does not carry it in nextLink.
    const headers: Record<string, string> = this.filter.search ? { ConsistencyLevel: 'eventual' } : {};
    return nextLink
      ? directory.apps.nextAppsPage(nextLink, headers, { operation: 'listApps' })
      : directory.apps.listApps({ search: this.filter.search, onlyMine: this.filter.onlyMine, pageSize: this.env.pageSize() });
  }

  protected createNode(app: AppRegistration): AppNode {
    return new AppNode(app, this, this.env);
  }

  protected emptyMessage(): string {
    return this.filter.search
      ? vscode.l10n.t('No app registrations match "{0}"', this.filter.search)
      : this.filter.onlyMine
        ? vscode.l10n.t('You own no app registrations')
        : vscode.l10n.t('No app registrations');
  }
}
