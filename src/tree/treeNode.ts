// Tree items render themselves: a node knows its TreeItem, its children and its parent. The
// provider only delegates, so a view is a root node plus node classes.
import * as vscode from 'vscode';
import { errorMessage } from './errors';

export interface TreeNode {
  /** Stable across refreshes, so VS Code keeps expansion and selection. */
  readonly id: string;
  readonly parent?: TreeNode;
  getTreeItem(): vscode.TreeItem | Promise<vscode.TreeItem>;
  getChildren?(): vscode.ProviderResult<TreeNode[]>;
}

export class NodeTreeDataProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined | void>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly roots: () => vscode.ProviderResult<TreeNode[]>) {}

  getTreeItem(node: TreeNode): vscode.TreeItem | Promise<vscode.TreeItem> {
    return node.getTreeItem();
  }

  getChildren(node?: TreeNode): vscode.ProviderResult<TreeNode[]> {
    return node ? (node.getChildren?.() ?? []) : this.roots();
  }

  getParent(node: TreeNode): TreeNode | undefined {
    return node.parent;
  }

  /** Re-renders one node and its children, or the whole view. */
  refresh(node?: TreeNode): void {
    this.changed.fire(node);
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** A leaf that says something: empty results, hints. */
export class MessageNode implements TreeNode {
  constructor(
    readonly id: string,
    private readonly label: string,
    private readonly icon = 'info',
    readonly parent?: TreeNode,
    private readonly command?: vscode.Command,
    private readonly description?: string,
  ) {}

  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.label, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.description = this.description;
    item.iconPath = new vscode.ThemeIcon(this.icon);
    item.contextValue = 'message';
    item.command = this.command;
    return item;
  }
}

/** A failed load, with the reason in plain words and a retry action (inline and on click). */
export class ErrorNode implements TreeNode {
  constructor(
    readonly id: string,
    readonly message: string,
    private readonly retry: vscode.Command,
    readonly parent?: TreeNode,
  ) {}

  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.message, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
    item.tooltip = new vscode.MarkdownString(`${this.message}\n\nClick to retry.`);
    item.contextValue = 'error';
    item.command = this.retry;
    return item;
  }
}

/** "Load more…": fetches the next page of its parent and refreshes only that parent. */
export class LoadMoreNode implements TreeNode {
  constructor(
    readonly id: string,
    readonly parent: TreeNode | undefined,
    private readonly commandId: string,
    private readonly owner: unknown,
  ) {}

  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(vscode.l10n.t('Load more…'), vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon('more');
    item.contextValue = 'loadMore';
    item.command = { command: this.commandId, title: vscode.l10n.t('Load More'), arguments: [this.owner] };
    return item;
  }
}

/** The child a node shows when loading its children failed: the reason, and Retry (inline and on click) reloads that node. */
export function retryNode(parent: TreeNode, error: unknown): ErrorNode {
  return new ErrorNode(
    `${parent.id}/error`,
    errorMessage(error),
    { command: 'federatedCredentials.retry', title: vscode.l10n.t('Retry'), arguments: [parent] },
    parent,
  );
}
