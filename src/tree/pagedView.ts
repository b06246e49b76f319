// What both views share: a root list loaded page by page, nodes kept across renders (so expansion
// survives "Load more"), and the trailing error, "Load more…" or empty-message node.
import * as vscode from 'vscode';
import type { Page } from '../domain/model';
import { PagedList } from '../services/pagedList';
import { Disposable } from '../util/lifecycle';
import { errorMessage } from './errors';
import { renderNodes, type RenderedNode } from './render';
import { ErrorNode, LoadMoreNode, MessageNode, NodeTreeDataProvider, type TreeNode } from './treeNode';

const LOAD_MORE_COMMAND = 'federatedCredentials.loadMore';

export abstract class PagedView<T extends { readonly id: string }, N extends TreeNode> extends Disposable {
  readonly provider = this.register(new NodeTreeDataProvider(() => this.roots()));
  readonly treeView: vscode.TreeView<TreeNode>;
  protected list: PagedList<T>;
  private readonly nodes = new Map<string, { item: T; node: N }>();

  constructor(
    private readonly viewId: string,
    private readonly keyPrefix: string,
    options: { canSelectMany?: boolean } = {},
  ) {
    super();
    this.list = this.newList();
    this.treeView = this.register(vscode.window.createTreeView(viewId, { treeDataProvider: this.provider, showCollapseAll: true, ...options }));
  }

  /** Whether there is anything to show (signed in); otherwise the welcome view shows. */
  protected abstract isAvailable(): boolean;
  protected abstract fetchPage(nextLink: string | undefined): Promise<Page<T>>;
  protected abstract createNode(item: T): N;
  protected abstract emptyMessage(): string;
  /** Order of the loaded nodes on screen. */
  protected arrange(nodes: N[]): N[] {
    return nodes;
  }
  /** Drops derived caches when the list reloads. */
  protected onReload(): void {}

  get loadedItems(): readonly T[] {
    return this.list.items;
  }

  get hasMore(): boolean {
    return this.list.isLoaded && this.list.hasMore;
  }

  /** Drops everything loaded and loads the first page again. */
  async reload(): Promise<void> {
    this.list = this.newList();
    this.nodes.clear();
    this.onReload();
    this.provider.refresh();
    await this.withProgress(() => this.list.ensureLoaded());
  }

  async loadMore(): Promise<void> {
    await this.withProgress(() => this.list.loadMore());
    this.provider.refresh();
  }

  /** The view's progress bar while a page loads. */
  private withProgress(work: () => Promise<void>): Promise<void> {
    return Promise.resolve(vscode.window.withProgress({ location: { viewId: this.viewId } }, work));
  }

  refresh(node?: TreeNode): void {
    this.provider.refresh(node);
  }

  findNode(predicate: (item: T) => boolean): N | undefined {
    return [...this.nodes.values()].find((entry) => predicate(entry.item))?.node;
  }

  render(depth = 1): Promise<RenderedNode[]> {
    return this.roots().then((nodes) => renderNodes(nodes, depth));
  }

  private newList(): PagedList<T> {
    return new PagedList<T>((nextLink) => (this.isAvailable() ? this.fetchPage(nextLink) : Promise.resolve({ items: [] })));
  }

  private async roots(): Promise<TreeNode[]> {
    if (!this.isAvailable()) return [];
    await this.withProgress(() => this.list.ensureLoaded());
    const nodes = this.list.items.map((item) => {
      const existing = this.nodes.get(item.id);
      if (existing && existing.item === item) return existing.node;
      const node = this.createNode(item);
      this.nodes.set(item.id, { item, node });
      return node;
    });
    const children: TreeNode[] = this.arrange(nodes);
    if (this.list.error !== undefined) {
      children.push(
        new ErrorNode(`${this.keyPrefix}/error`, errorMessage(this.list.error), {
          command: LOAD_MORE_COMMAND,
          title: vscode.l10n.t('Retry'),
          arguments: [this],
        }),
      );
    } else if (this.list.hasMore) {
      children.push(new LoadMoreNode(`${this.keyPrefix}/loadMore`, undefined, LOAD_MORE_COMMAND, this));
    } else if (children.length === 0) {
      children.push(new MessageNode(`${this.keyPrefix}/empty`, this.emptyMessage()));
    }
    return children;
  }
}
