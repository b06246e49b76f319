// Under a user-assigned identity in the Managed Identities view: its own federated credentials (Azure Resource
// Manager), which let GitHub Actions, AKS workload identity and other issuers get tokens as the identity, beside
// the app registrations that trust the identity.
import * as vscode from 'vscode';
import type { Cloud } from '../domain/clouds';
import { classifyCredential } from '../domain/credentialKinds';
import { FIC_LIMITS } from '../domain/credentialRules';
import type { IdentityCredential, UserAssignedIdentityRef } from '../domain/identityCredentials';
import type { ManagedIdentityPrincipal } from '../domain/model';
import type { IdentityCredentialsClient } from '../arm/identityCredentials';
import { ContextValues, contextValue } from './contextValues';
import { credentialTreeItem } from './credentialItem';
import type { ModelNode, NodeModel } from './nodeModel';
import { MessageNode, retryNode, type TreeNode } from './treeNode';

export interface IdentityCredentialsEnvironment {
  /** The ARM client of the signed-in account, or undefined when signed out. */
  identityCredentials(): IdentityCredentialsClient | undefined;
  cloud(): Cloud;
  /** Re-renders one node (and its children). */
  refresh(node: TreeNode): void;
}

export class IdentityCredentialNode implements TreeNode, ModelNode {
  readonly id: string;

  constructor(
    readonly parent: IdentityCredentialsNode,
    readonly credential: IdentityCredential,
    private readonly cloud: Cloud,
  ) {
    this.id = `${parent.id}/${credential.name.toLowerCase()}`;
  }

  get model(): NodeModel {
    return { kind: 'identityCredential', identity: this.parent.identity, identityRef: this.parent.identityRef, credential: this.credential };
  }

  getTreeItem(): vscode.TreeItem {
    const classification = classifyCredential(this.credential, [this.cloud]);
    return credentialTreeItem(this.id, this.credential, classification, {
      // No kind facet: the app credentials' menus match kinds such as managedIdentity.
      contextValue: contextValue(ContextValues.identityCredential, this.credential.claimsMatchingExpression ? ContextValues.flexible : undefined),
    });
  }
}

/**
 * "Federated credentials": the identity's own, loaded with one ARM request when this group is expanded (collapsed
 * at first, so expanding an identity still costs one Graph request and no ARM one).
 */
export class IdentityCredentialsNode implements TreeNode, ModelNode {
  readonly id: string;
  private loaded: IdentityCredential[] | undefined;

  constructor(
    readonly parent: TreeNode,
    readonly identity: ManagedIdentityPrincipal,
    readonly identityRef: UserAssignedIdentityRef,
    private readonly env: IdentityCredentialsEnvironment,
  ) {
    this.id = `${parent.id}/credentials`;
  }

  get model(): NodeModel {
    return { kind: 'identityCredentials', identity: this.identity, identityRef: this.identityRef };
  }

  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(vscode.l10n.t('Federated credentials'), vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon('key');
    if (this.loaded) item.description = vscode.l10n.t('{0} of {1}', this.loaded.length, FIC_LIMITS.perIdentity);
    item.tooltip = vscode.l10n.t(
      "Credentials of this identity itself (Azure Resource Manager): external workloads such as GitHub Actions or AKS get the identity's tokens through them.",
    );
    item.contextValue = contextValue(ContextValues.identityCredentials);
    return item;
  }

  async getChildren(): Promise<TreeNode[]> {
    const client = this.env.identityCredentials();
    if (!client) return [];
    try {
      if (!this.loaded) {
        this.loaded = await client.list(this.identityRef);
        // The count sits on this node's own item: render it again now it is known (its children come from here).
        this.env.refresh(this);
      }
      if (this.loaded.length === 0) {
        return [
          new MessageNode(`${this.id}/none`, vscode.l10n.t('None yet: add one for GitHub Actions, Kubernetes or another issuer'), 'add', this, {
            command: 'federatedCredentials.addIdentityCredential',
            title: vscode.l10n.t('Add Federated Credential to Identity'),
            arguments: [this],
          }),
        ];
      }
      const cloud = this.env.cloud();
      return this.loaded.map((credential) => new IdentityCredentialNode(this, credential, cloud));
    } catch (error) {
      return [retryNode(this, error)];
    }
  }

  /** The next expansion asks ARM again. */
  forget(): void {
    this.loaded = undefined;
  }

  async reload(): Promise<void> {
    this.forget();
    this.env.refresh(this);
  }
}
