// The Managed Identities view: the tenant's managed identities (service principals of type
// ManagedIdentity) with the Azure resource each belongs to; under each, once expanded, the app
// registrations whose federated credentials name it, and under each app those credentials with whether
// Entra trusts the identity through them. What the view costs follows what is on screen: one Graph
// request per page of identities, one per expanded identity, one per expanded app; never a request
// per app of the tenant, whatever its size.
import * as vscode from 'vscode';
import { identityTrust } from '../domain/identityTrust';
import { parseUserAssignedIdentityId } from '../domain/identityCredentials';
import { IdentityCredentialsNode } from './identityCredentialNodes';
import { parseAlternativeNames, type ManagedIdentityInfo } from '../domain/managedIdentities';
import { isMultiTenant, type AppRegistration, type FederatedCredential, type ManagedIdentityPrincipal, type Page } from '../domain/model';
import type { ViewEnvironment } from './appRegistrationsView';
import { ContextValues, contextValue } from './contextValues';
import { MessageNode, retryNode, type TreeNode } from './treeNode';
import { PagedView } from './pagedView';
import { TrustLookup } from '../services/trustLookup';
import type { ModelNode, NodeModel } from './nodeModel';

const IDENTITY_VIEW_ID = 'federatedCredentials.managedIdentities';

/** One credential of a trusting app that names the identity, and whether Entra trusts the identity through it. */
export class TrustCredentialNode implements TreeNode, ModelNode {
  readonly id: string;

  get model(): NodeModel {
    return { kind: 'credential', app: this.parent.app, credential: this.credential };
  }

  constructor(
    readonly parent: TrustingAppNode,
    readonly credential: FederatedCredential,
    private readonly trust: ReturnType<typeof identityTrust>,
  ) {
    this.id = `${parent.id}/credential/${credential.id}`;
  }

  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.credential.name, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.description = this.trust.trusts ? vscode.l10n.t('trusts this identity') : vscode.l10n.t('names it, but Entra will not accept it');
    item.iconPath = new vscode.ThemeIcon(this.trust.trusts ? 'pass' : 'warning');
    item.tooltip = this.trust.trusts
      ? vscode.l10n.t(
          'Issuer {0}\nAudience {1}\nThe issuer, subject and audience are what Entra needs to trust this identity.',
          this.credential.issuer,
          this.credential.audiences.join(', '),
        )
      : this.trust.reason;
    item.contextValue = 'trustCredential';
    return item;
  }
}

/** An app whose federated credentials name the identity; expanding it reads them (one request) and says whether each works. */
export class TrustingAppNode implements TreeNode, ModelNode {
  readonly id: string;
  private credentials: TreeNode[] | undefined;

  get model(): NodeModel {
    return { kind: 'trustingApp', app: this.app };
  }
  constructor(
    readonly parent: IdentityNode,
    readonly app: AppRegistration,
    private readonly env: ViewEnvironment,
    private readonly view: ManagedIdentitiesView,
  ) {
    this.id = `${parent.id}/app/${app.id}`;
  }

  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.app.displayName || this.app.appId, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    item.description = isMultiTenant(this.app) ? 'multi-tenant' : 'single tenant';
    item.iconPath = new vscode.ThemeIcon('organization');
    item.tooltip = vscode.l10n.t(
      "App (client) ID {0}\nHas a federated credential whose subject is this identity's object id; expand it to see whether Entra trusts the identity through it.",
      this.app.appId,
    );
    item.contextValue = contextValue(ContextValues.trustingApp);
    return item;
  }

  async getChildren(): Promise<TreeNode[]> {
    if (this.credentials) return this.credentials;
    const directory = this.env.directory();
    if (!directory) return [];
    const objectId = this.parent.identity.id;
    try {
      const all = await directory.apps.listCredentials(this.app.id, { operation: 'listCredentials', appName: this.app.displayName });
      const naming = all.filter((c) => (c.subject ?? '').toLowerCase() === objectId.toLowerCase());
      this.credentials = naming.map((c) => new TrustCredentialNode(this, c, identityTrust(c, objectId, this.env.cloud(), this.env.tenantId?.())));
      if (this.credentials.length === 0) {
        this.credentials = [new MessageNode(`${this.id}/none`, vscode.l10n.t('No credential of this app names the identity any more'), 'info', this)];
      }
      return this.credentials;
    } catch (error) {
      return [retryNode(this, error)];
    }
  }

  async reload(): Promise<void> {
    this.credentials = undefined;
    this.view.refresh(this);
  }
}

export class IdentityNode implements TreeNode, ModelNode {
  readonly id: string;

  get model(): NodeModel {
    return { kind: 'identity', identity: this.identity };
  }
  readonly info: ManagedIdentityInfo;
  private failure: unknown;
  /** The trust count the last rendered item showed, so a new answer re-renders the item once. */
  private shownCount: number | undefined;
  private children: Map<string, TrustingAppNode> = new Map();
  private own: IdentityCredentialsNode | undefined;

  constructor(
    readonly identity: ManagedIdentityPrincipal,
    private readonly view: ManagedIdentitiesView,
    private readonly index: TrustLookup,
  ) {
    this.id = `mi/${identity.id}`;
    this.info = parseAlternativeNames(identity.alternativeNames);
  }

  /** How many apps name this identity in a credential, once it has been expanded (no request before that). */
  get trustCount(): number | undefined {
    return this.index.known(this.identity.id)?.count;
  }

  getTreeItem(): vscode.TreeItem {
    const { identity, info } = this;
    const item = new vscode.TreeItem(identity.displayName, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    const kind = info.kind === 'userAssigned' ? 'user-assigned' : `system-assigned · ${info.resource ? info.display : 'resource unknown'}`;
    this.shownCount = this.trustCount;
    item.description = this.shownCount === undefined ? kind : `${kind} · ${this.shownCount} app${this.shownCount === 1 ? '' : 's'}`;
    item.iconPath = new vscode.ThemeIcon(info.kind === 'userAssigned' ? 'person' : 'server-process');
    item.contextValue = contextValue(ContextValues.managedIdentity, info.kind);
    const tooltip = new vscode.MarkdownString(undefined, false);
    tooltip.appendMarkdown(`**${identity.displayName}** (${info.kind === 'userAssigned' ? 'user-assigned' : 'system-assigned'})\n\n`);
    tooltip.appendMarkdown(`Object (principal) ID: \`${identity.id}\` (the federated credential's subject)  \nClient ID: \`${identity.appId}\`  \n`);
    tooltip.appendMarkdown(info.display);
    if (this.shownCount !== undefined)
      tooltip.appendMarkdown(`\n\n${vscode.l10n.t('App registrations whose federated credentials name it: {0}', this.shownCount)}`);
    item.tooltip = tooltip;
    return item;
  }

  /**
   * A user-assigned identity's own federated credentials (ARM), loaded when that group is expanded; a
   * system-assigned identity cannot have any, and says so.
   */
  get ownCredentials(): IdentityCredentialsNode | undefined {
    if (this.own !== undefined) return this.own;
    const ref = this.info.kind === 'userAssigned' && this.info.resourceId ? parseUserAssignedIdentityId(this.info.resourceId) : undefined;
    if (!ref) return undefined;
    const env = this.view.environment;
    this.own = new IdentityCredentialsNode(this, this.identity, ref, {
      identityCredentials: () => env.identityCredentials?.(),
      cloud: () => env.cloud(),
      refresh: (node) => this.view.refresh(node),
    });
    return this.own;
  }

  private ownCredentialsChild(): TreeNode {
    return (
      this.ownCredentials ??
      new MessageNode(
        `${this.id}/no-own-credentials`,
        vscode.l10n.t('No federated credentials of its own: only user-assigned identities can have them'),
        'info',
        this,
      )
    );
  }

  /** Its own credentials, then the apps whose credentials name this identity: one Graph request, the first time it is expanded. */
  async getChildren(): Promise<TreeNode[]> {
    const own = this.ownCredentialsChild();
    try {
      this.failure = undefined;
      const { apps } = await this.index.trustingApps(this.identity.id);
      // The description shows the count from now on: the item is drawn again (its children come from the answer kept).
      if (this.trustCount !== this.shownCount) queueMicrotask(() => this.view.refresh(this));
      if (apps.length === 0) return [own, new MessageNode(`${this.id}/none`, vscode.l10n.t('No app registration trusts this identity'), 'info', this)];
      const previous = this.children;
      this.children = new Map(
        apps.map((app) => [
          app.id,
          previous.get(app.id)?.app === app ? previous.get(app.id)! : new TrustingAppNode(this, app, this.view.environment, this.view),
        ]),
      );
      return [own, ...this.children.values()];
    } catch (error) {
      this.failure = error;
      return [own, retryNode(this, error)];
    }
  }

  /** Asks Graph again for this identity's apps, and ARM for its own credentials (refresh, retry). */
  async reload(): Promise<void> {
    this.index.invalidate(this.identity.id);
    this.own?.forget();
    this.view.refresh(this);
  }

  get lastError(): unknown {
    return this.failure;
  }
}

export class ManagedIdentitiesView extends PagedView<ManagedIdentityPrincipal, IdentityNode> {
  readonly trust: TrustLookup;

  constructor(readonly environment: ViewEnvironment) {
    super(IDENTITY_VIEW_ID, 'identities');
    this.trust = new TrustLookup(environment);
  }

  /** After a write to a user-assigned identity's credentials: its group of credentials loads them again, if it is shown. */
  async reloadIdentityCredentials(identityArmId: string): Promise<void> {
    const want = identityArmId.toLowerCase();
    const node = this.findNode((identity) => parseAlternativeNames(identity.alternativeNames).resourceId?.toLowerCase() === want);
    await node?.ownCredentials?.reload();
  }

  get loadedIdentities(): readonly ManagedIdentityPrincipal[] {
    return this.loadedItems;
  }

  /** The display name of a loaded identity, for credential labels in the other view. */
  nameOf(objectId: string): string | undefined {
    return this.loadedItems.find((identity) => identity.id === objectId)?.displayName;
  }

  protected isAvailable(): boolean {
    return this.environment.directory() !== undefined;
  }

  protected fetchPage(nextLink: string | undefined): Promise<Page<ManagedIdentityPrincipal>> {
    const directory = this.environment.directory()!;
    return nextLink
      ? directory.nextPage<ManagedIdentityPrincipal>(nextLink, {}, { operation: 'listManagedIdentities' })
      : directory.servicePrincipals.listManagedIdentities(this.environment.pageSize());
  }

  protected createNode(identity: ManagedIdentityPrincipal): IdentityNode {
    return new IdentityNode(identity, this, this.trust);
  }

  /** Microsoft documents user-assigned identities as the supported kind for app trust: list them first. */
  protected override arrange(nodes: IdentityNode[]): IdentityNode[] {
    return [...nodes.filter((n) => n.info.kind === 'userAssigned'), ...nodes.filter((n) => n.info.kind !== 'userAssigned')];
  }

  protected override onReload(): void {
    this.trust.invalidate();
  }

  protected emptyMessage(): string {
    return vscode.l10n.t('No managed identities in this tenant');
  }
}
