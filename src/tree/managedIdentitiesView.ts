// The Managed Identities view: the tenant's managed identities (service principals of type
// ManagedIdentity) with the Azure resource each belongs to, and under each the app registrations
// that trust it through a federated credential.
import * as vscode from 'vscode';
import { classifyCredential } from '../domain/credentialKinds';
import { parseAlternativeNames, type ManagedIdentityInfo } from '../domain/managedIdentities';
import type { AppRegistration, ManagedIdentityPrincipal, Page } from '../domain/model';
import type { ViewEnvironment } from './appRegistrationsView';
import { ContextValues, contextValue } from './contextValues';
import { errorMessage } from './errors';
import { ErrorNode, MessageNode, type TreeNode } from './treeNode';
import { PagedView } from './pagedView';
import type { ModelNode, NodeModel } from './nodeModel';

const IDENTITY_VIEW_ID = 'federatedCredentials.managedIdentities';

/** Which apps trust which identity: built from one listing of the apps that have credentials. */
export class TrustIndex {
  private bySubject: Map<string, Array<{ app: AppRegistration; credentialName: string }>> | undefined;
  private building: Promise<void> | undefined;

  constructor(private readonly env: ViewEnvironment) {}

  async trustingApps(identityObjectId: string): Promise<Array<{ app: AppRegistration; credentialName: string }>> {
    await this.build();
    return this.bySubject?.get(identityObjectId) ?? [];
  }

  invalidate(): void {
    this.bySubject = undefined;
    this.building = undefined;
  }

  private build(): Promise<void> {
    if (this.bySubject) return Promise.resolve();
    this.building ??= (async () => {
      const directory = this.env.directory();
      if (!directory) return;
      const index = new Map<string, Array<{ app: AppRegistration; credentialName: string }>>();
      const cloud = this.env.cloud();
      for (const app of await directory.apps.listAppsWithCredentials()) {
        for (const credential of app.federatedIdentityCredentials ?? []) {
          if (classifyCredential(credential, [cloud]).kind !== 'managedIdentity') continue;
          const list = index.get(credential.subject) ?? [];
          list.push({ app, credentialName: credential.name });
          index.set(credential.subject, list);
        }
      }
      this.bySubject = index;
    })().finally(() => {
      this.building = undefined;
    });
    return this.building;
  }
}

export class TrustingAppNode implements TreeNode, ModelNode {
  readonly id: string;

  get model(): NodeModel {
    return { kind: 'trustingApp', app: this.app, credentialName: this.credentialName };
  }
  constructor(
    readonly parent: IdentityNode,
    readonly app: AppRegistration,
    readonly credentialName: string,
  ) {
    this.id = `${parent.id}/app/${app.id}/${credentialName}`;
  }

  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.app.displayName || this.app.appId, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.description = `credential ${this.credentialName}`;
    item.iconPath = new vscode.ThemeIcon('organization');
    item.tooltip = vscode.l10n.t('App (client) ID {0}\nTrusts this identity through the federated credential "{1}".', this.app.appId, this.credentialName);
    item.contextValue = contextValue(ContextValues.trustingApp);
    return item;
  }
}

export class IdentityNode implements TreeNode, ModelNode {
  readonly id: string;

  get model(): NodeModel {
    return { kind: 'identity', identity: this.identity };
  }
  readonly info: ManagedIdentityInfo;
  private failure: unknown;

  constructor(
    readonly identity: ManagedIdentityPrincipal,
    private readonly view: ManagedIdentitiesView,
    private readonly index: TrustIndex,
  ) {
    this.id = `mi/${identity.id}`;
    this.info = parseAlternativeNames(identity.alternativeNames);
  }

  getTreeItem(): vscode.TreeItem {
    const { identity, info } = this;
    const item = new vscode.TreeItem(identity.displayName, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    item.description = info.kind === 'userAssigned' ? 'user-assigned' : `system-assigned · ${info.resource ? info.display : 'resource unknown'}`;
    item.iconPath = new vscode.ThemeIcon(info.kind === 'userAssigned' ? 'person' : 'server-process');
    item.contextValue = contextValue(ContextValues.managedIdentity, info.kind);
    const tooltip = new vscode.MarkdownString(undefined, false);
    tooltip.appendMarkdown(`**${identity.displayName}** (${info.kind === 'userAssigned' ? 'user-assigned' : 'system-assigned'})\n\n`);
    tooltip.appendMarkdown(`Object (principal) ID: \`${identity.id}\` (the federated credential's subject)  \nClient ID: \`${identity.appId}\`  \n`);
    tooltip.appendMarkdown(info.display);
    item.tooltip = tooltip;
    return item;
  }

  async getChildren(): Promise<TreeNode[]> {
    try {
      this.failure = undefined;
      const apps = await this.index.trustingApps(this.identity.id);
      if (apps.length === 0) return [new MessageNode(`${this.id}/none`, vscode.l10n.t('No app registration trusts this identity'), 'info', this)];
      return apps.map(({ app, credentialName }) => new TrustingAppNode(this, app, credentialName));
    } catch (error) {
      this.failure = error;
      return [
        new ErrorNode(
          `${this.id}/error`,
          errorMessage(error),
          { command: 'federatedCredentials.retry', title: vscode.l10n.t('Retry'), arguments: [this] },
          this,
        ),
      ];
    }
  }

  async reload(): Promise<void> {
    this.index.invalidate();
    this.view.refresh(this);
  }

  get lastError(): unknown {
    return this.failure;
  }
}

export class ManagedIdentitiesView extends PagedView<ManagedIdentityPrincipal, IdentityNode> {
  readonly trust: TrustIndex;

  constructor(private readonly env: ViewEnvironment) {
    super(IDENTITY_VIEW_ID, 'identities');
    this.trust = new TrustIndex(env);
  }

  get loadedIdentities(): readonly ManagedIdentityPrincipal[] {
    return this.loadedItems;
  }

  /** The display name of a loaded identity, for credential labels in the other view. */
  nameOf(objectId: string): string | undefined {
    return this.loadedItems.find((identity) => identity.id === objectId)?.displayName;
  }

  protected isAvailable(): boolean {
    return this.env.directory() !== undefined;
  }

  protected fetchPage(nextLink: string | undefined): Promise<Page<ManagedIdentityPrincipal>> {
    const directory = this.env.directory()!;
    return nextLink
      ? directory.nextPage<ManagedIdentityPrincipal>(nextLink, {}, { operation: 'listManagedIdentities' })
      : directory.servicePrincipals.listManagedIdentities(this.env.pageSize());
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
