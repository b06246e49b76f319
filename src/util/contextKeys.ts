// Context keys the manifest's `when` clauses read, in one namespace.
import * as vscode from 'vscode';

export const ContextKeys = {
  signedIn: 'federatedCredentials.signedIn',
  appSearchActive: 'federatedCredentials.appSearchActive',
  onlyMine: 'federatedCredentials.onlyMine',
} as const;

export function setContext(key: (typeof ContextKeys)[keyof typeof ContextKeys], value: unknown): Thenable<unknown> {
  return vscode.commands.executeCommand('setContext', key, value);
}
