// Composition root: builds the object graph, registers everything, returns the API. No logic here.
import * as vscode from 'vscode';
import { createExtensionApi, type FederatedCredentialsApi } from './api';
import { ArmClient } from './arm/armClient';
import { AuthService } from './auth/authService';
import { registerCommands } from './commands/registerCommands';
import { readSettings } from './config/settings';
import { GraphConnection } from './graph/connection';
import { formatRequest, type RequestLogger } from './http/requestLog';
import type { AppRole } from './domain/graphPermissions';
import { CredentialService } from './services/credentialService';
import type { CredentialCommandDeps } from './commands/credentials/common';
import { AppNode, AppRegistrationsView, CredentialNode, type ViewEnvironment } from './tree/appRegistrationsView';
import { IdentityNode, ManagedIdentitiesView, TrustingAppNode } from './tree/managedIdentitiesView';
import { VsCodeUserInput } from './wizard/vscodeUserInput';
import type { UserInput } from './wizard/userInput';
import { createCommandTelemetry } from './telemetry/telemetry';
import { markWalkthroughStep } from './walkthrough/completion';

export function activate(context: vscode.ExtensionContext): FederatedCredentialsApi {
  const activationStarted = performance.now();
  const log = vscode.window.createOutputChannel('Federated Credentials', { log: true });
  const requestLog: RequestLogger = { request: (e) => log.info(formatRequest(e)) };
  const auth = new AuthService(context.globalState, log);
  const telemetry = createCommandTelemetry(context);

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
    graphPermissions: () => (graphRoles ??= environment.directory()!.graphServicePrincipal().catch((error) => { graphRoles = undefined; throw error; })),
  };
  let graphRoles: Promise<{ appRoles: AppRole[] }> | undefined;
  let testUserInput: UserInput | undefined; // only ever set through the test seam below
  const apps = new AppRegistrationsView(environment);
  const identities = new ManagedIdentitiesView(environment);

  const directory = () => {
    const found = environment.directory();
    if (!found) throw new Error(vscode.l10n.t('Not signed in to Microsoft Entra ID. Run "Federated Credentials: Sign In" first.'));
    return found;
  };
  const credentialDeps: CredentialCommandDeps = {
    directory,
    credentials: () => new CredentialService(directory(), auth.cloud, () => auth.requireAccount().tenantId),
    cloud: () => auth.cloud,
    tenantId: () => auth.requireAccount().tenantId,
    log,
    selectedApp: (node) => (node instanceof AppNode || node instanceof TrustingAppNode ? node.app : node instanceof CredentialNode ? node.app.app : undefined),
    selectedCredential: (node) => (node instanceof CredentialNode ? { app: node.app.app, credential: node.credential } : undefined),
    selectedIdentity: (node) => (node instanceof IdentityNode ? node.identity : undefined),
    // Cancel in the notification fires the work's AbortSignal: it stops before its next request and aborts the one in flight.
    progress: (title, work) => Promise.resolve(vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (_progress, token) => {
      const controller = new AbortController();
      const subscription = token.onCancellationRequested(() => controller.abort());
      try {
        return await work(controller.signal);
      } finally {
        subscription.dispose();
      }
    })),
    afterChange: async (app, credential) => {
      identities.trust.invalidate();
      identities.refresh();
      const node = apps.findApp((a) => a.id === app.id);
      if (!node) return apps.reload();
      await node.reload();
      const child = credential && (await node.getChildren()).find((c) => c instanceof CredentialNode && c.credential.id === credential.id);
      if (child && apps.treeView.visible) await apps.treeView.reveal(child, { select: true, focus: false }).then(undefined, () => undefined);
    },
    notify: (message, severity) => {
      const showLog = vscode.l10n.t('Show Log');
      const shown = severity === 'warning' ? vscode.window.showWarningMessage(message, showLog) : vscode.window.showInformationMessage(message);
      void Promise.resolve(shown).then((choice) => { if (choice === showLog) log.show(true); });
    },
    offerNextSteps: async (app, credential) => {
      const consent = vscode.l10n.t('Copy Admin-Consent URL');
      const runbook = vscode.l10n.t('Scaffold Runbook');
      const choice = await vscode.window.showInformationMessage(
        vscode.l10n.t('The app {0} now trusts the managed identity. Token exchange can take a few minutes to start working (AADSTS70021 until then).', app.displayName),
        consent,
        runbook,
      );
      const appNode = apps.findApp((a) => a.id === app.id);
      if (choice === consent) await vscode.commands.executeCommand('federatedCredentials.copyConsentUrl', appNode);
      if (choice === runbook) {
        // From the credential's node the runbook knows the app and the identity it trusts.
        const credentialNode = appNode && (await appNode.getChildren()).find((c) => c instanceof CredentialNode && c.credential.id === credential.id);
        await vscode.commands.executeCommand('federatedCredentials.scaffoldRunbook', credentialNode ?? appNode);
      }
    },
  };

  context.subscriptions.push(
    log,
    telemetry,
    auth,
    apps,
    identities,
    auth.onDidChangeAccount(() => {
      graph = undefined;
      arm = undefined;
      graphRoles = undefined;
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
      runner: { log, ui: () => testUserInput ?? new VsCodeUserInput(), onDidRun: (run) => { telemetry.record(run); markWalkthroughStep(run); } },
      credentialDeps,
    }),
  );

  void auth.restore(); // a silent look for an existing sign-in; never blocks activation
  const api = createExtensionApi({ auth, apps, identities });
  // Test seam (the RG `testApi` idea): only in the test host may a suite see what telemetry would send.
  // `activateMs` is for the benchmark in the VS Code test host (bench/hostActivation.ts).
  // `appNode` and `useUserInput` let a suite run a command on tree nodes (a multi-selection) with scripted prompts.
  const testing = {
    telemetry,
    activateMs: performance.now() - activationStarted,
    appNode: (objectId: string) => apps.findApp((a) => a.id === objectId),
    useUserInput: (ui: UserInput | undefined) => { testUserInput = ui; },
  };
  return process.env.FC_RUNNING_TESTS ? Object.assign(api, { testing }) : api;
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
