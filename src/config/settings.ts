// Reads the extension's settings into typed values. The cloud is resolved and validated here so
// that every URL the extension builds comes from one place.
import * as vscode from 'vscode';
import { resolveCloud, type Cloud, type CustomCloudSettings } from '../domain/clouds';

const SECTION = 'federatedCredentials';

export type AuthMethod = 'vscode' | 'azureCli' | 'deviceCode';

export interface Settings {
  readonly cloud: Cloud;
  readonly authMethod: AuthMethod;
  readonly authProviderId: string;
  readonly clientId?: string;
  readonly pageSize: number;
  readonly runbooksFolder: string;
  /** Flexible federated credentials (claims-matching expressions): Microsoft Graph beta, preview. */
  readonly flexibleCredentials: boolean;
}

export function readSettings(): Settings {
  const config = vscode.workspace.getConfiguration(SECTION);
  const cloud = resolveCloud(config.get<string>('cloud', 'AzureCloud'), config.get<CustomCloudSettings>('customCloud'));
  const method = config.get<string>('authentication.method', 'vscode');
  const configuredProvider = config.inspect<string>('authentication.providerId');
  const explicitProvider = configuredProvider?.globalValue ?? configuredProvider?.workspaceValue ?? configuredProvider?.workspaceFolderValue;
  return {
    cloud,
    authMethod: method === 'azureCli' || method === 'deviceCode' ? method : 'vscode',
    // Unless the user chose a provider, follow the cloud: VS Code serves sovereign clouds with its own provider.
    authProviderId: explicitProvider ?? cloud.authProviderId,
    clientId: config.get<string>('authentication.clientId') || undefined,
    pageSize: Math.min(999, Math.max(1, Math.floor(config.get<number>('pageSize', 100)))),
    runbooksFolder: config.get<string>('runbooks.folder', 'runbooks'),
    flexibleCredentials: config.get<boolean>('preview.flexibleCredentials', false) === true,
  };
}

export function affectsAuthentication(event: vscode.ConfigurationChangeEvent): boolean {
  return ['cloud', 'customCloud', 'authentication'].some((key) => event.affectsConfiguration(`${SECTION}.${key}`));
}
