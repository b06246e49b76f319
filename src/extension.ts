// Composition root: builds the object graph, registers everything, returns the API. No logic here.
import * as vscode from 'vscode';
import { createExtensionApi, type FederatedCredentialsApi } from './api';

export function activate(context: vscode.ExtensionContext): FederatedCredentialsApi {
  const log = vscode.window.createOutputChannel('Federated Credentials', { log: true });
  context.subscriptions.push(log);

  const emptyTree: vscode.TreeDataProvider<never> = { getTreeItem: (item) => item, getChildren: () => [] };
  context.subscriptions.push(
    vscode.window.createTreeView('federatedCredentials.appRegistrations', { treeDataProvider: emptyTree }),
    vscode.window.createTreeView('federatedCredentials.managedIdentities', { treeDataProvider: emptyTree }),
    vscode.commands.registerCommand('federatedCredentials.showOutput', () => {
      log.show(true);
      return log.name;
    }),
  );

  log.info(`Activated ${context.extension.id} ${context.extension.packageJSON.version}`);
  return createExtensionApi();
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
