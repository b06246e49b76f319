// Renders a tree's loaded nodes to plain data: what the extension's API gives tests, and what a
// person would see (labels, descriptions, tooltips, context values).
import * as vscode from 'vscode';
import type { TreeNode } from './treeNode';

export interface RenderedNode {
  readonly id: string;
  readonly label: string;
  readonly description?: string;
  readonly tooltip?: string;
  readonly contextValue?: string;
  readonly icon?: string;
  readonly collapsible: boolean;
  readonly command?: string;
  readonly children?: RenderedNode[];
}

export async function renderNodes(nodes: readonly TreeNode[], depth: number): Promise<RenderedNode[]> {
  return Promise.all(
    nodes.map(async (node) => {
      const item = await node.getTreeItem();
      const label = typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
      const collapsible = item.collapsibleState !== undefined && item.collapsibleState !== vscode.TreeItemCollapsibleState.None;
      const children = collapsible && depth > 0 && node.getChildren ? await renderNodes((await node.getChildren()) ?? [], depth - 1) : undefined;
      return {
        id: node.id,
        label,
        description: typeof item.description === 'string' ? item.description : undefined,
        tooltip: typeof item.tooltip === 'string' ? item.tooltip : item.tooltip?.value,
        contextValue: item.contextValue,
        icon: item.iconPath instanceof vscode.ThemeIcon ? item.iconPath.id : undefined,
        collapsible,
        command: item.command?.command,
        children,
      };
    }),
  );
}
