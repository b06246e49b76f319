// Composition root: builds the object graph, registers everything, returns the API. No logic here.
import * as vscode from 'vscode';
import { createExtensionApi, type FederatedCredentialsApi } from './api';
import { ArmClient } from './arm/armClient';
import { AuthService } from './auth/authService';
import { registerCommands } from './commands/registerCommands';
import { readSettings } from './config/settings';
import { GraphConnection } from './graph/connection';
import type { RequestLogger } from './graph/middleware';
import { AppRegistrationsView, type ViewEnvironment } from './tree/appRegistrationsView';
import { ManagedIdentitiesView } from './tree/managedIdentitiesView';
import { VsCodeUserInput } from './wizard/vscodeUserInput';

export function activate(context: vscode.ExtensionContext): FederatedCredentialsApi {
  const log = vscode.window.createOutputChannel('Federated Credentials', { log: true });
  const requestLog: RequestLogger = {
    request: (e) => log.info(`${e.method} ${e.url} → ${e.status}${e.requestId ? ` (request-id ${e.requestId})` : ''} ${e.durationMs} ms${e.error ? `: ${e.error}` : ''}`),
  };
  const auth = new AuthService(context.globalState, log);

  let graph: GraphConnection | undefined;
  let arm: ArmClient | undefined;
  const environment: ViewEnvironment = {
    directory: () => {
      if (!auth.account) return undefined;
      graph ??= new GraphConnection({ cloud: auth.cloud, credential: (access) => auth.credential(access), logger: requestLog });
      return graph.directory;
    },
    cloud: () => auth.cloud,
    pageSize: () => readSettings().pageSize,
    identityName: (objectId) => identities.nameOf(objectId),
  };
  const apps = new AppRegistrationsView(environment);
  const identities = new ManagedIdentitiesView(environment, 'federatedCredentials.loadMore');

  context.subscriptions.push(
    log,
    auth,
    apps,
    identities,
    auth.onDidChangeAccount(() => {
      graph = undefined;
      arm = undefined;
      void apps.reload();
      void identities.reload();
    }),
    ...registerCommands({
      auth,
      apps,
      identities,
      log,
      cloud: () => auth.cloud,
      arm: () => (arm ??= new ArmClient({ cloud: auth.cloud, credential: auth.credential('arm'), logger: requestLog })),
      runner: { log, ui: () => new VsCodeUserInput() },
    }),
  );

  void auth.restore(); // a silent look for an existing sign-in; never blocks activation
  return createExtensionApi({ auth, apps, identities });
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
