// Composition root: builds the object graph, registers everything, returns the API. Wiring only: the
// state lives in its owners (the account's session in auth, the views' in the views), the UI flows in
// the commands.
import * as vscode from 'vscode';
import { createExtensionApi, TestSeam, type FederatedCredentialsApi } from './api';
import { AuthService } from './auth/authService';
import { createCredentialCommandDeps } from './commands/credentials/deps';
import { createCheckTrustDeps } from './commands/diagnostics/checkTrust';
import { createIdentityCredentialCommandDeps } from './commands/identityCredentials/deps';
import { registerCommands } from './commands/registerCommands';
import { readSettings } from './config/settings';
import { formatRequest } from './http/requestLog';
import { createCommandTelemetry } from './telemetry/telemetry';
import { AppRegistrationsView, type ViewEnvironment } from './tree/appRegistrationsView';
import { ManagedIdentitiesView } from './tree/managedIdentitiesView';
import { TrustReports } from './tree/trustFindings';
import { useVsCodeL10nBundle } from './util/l10nBundle';
import { markWalkthroughStep } from './walkthrough/completion';
import { VsCodeUserInput } from './wizard/vscodeUserInput';

export function activate(context: vscode.ExtensionContext): FederatedCredentialsApi {
  const activationStarted = performance.now();
  useVsCodeL10nBundle();
  const log = vscode.window.createOutputChannel('Federated Credentials', { log: true });
  const auth = new AuthService(context.globalState, log, { request: (entry) => log.info(formatRequest(entry)) });
  const telemetry = createCommandTelemetry(context);
  const trustReports = new TrustReports();
  const environment: ViewEnvironment = {
    directory: () => auth.session?.directory,
    cloud: () => auth.cloud,
    pageSize: () => readSettings().pageSize,
    identityName: (objectId) => identities.nameOf(objectId),
    graphPermissions: () => auth.requireSession().graphPermissions(),
    identityCredentials: () => auth.session?.identityCredentials,
    tenantId: () => auth.account?.tenantId,
    trustReports,
  };
  const apps = new AppRegistrationsView(environment);
  const identities = new ManagedIdentitiesView(environment);
  const seam = new TestSeam({ telemetry, apps, activationStarted });
  const credentialDeps = createCredentialCommandDeps({ auth, apps, identities, log });
  let jobOutput: vscode.OutputChannel | undefined;

  context.subscriptions.push(
    log,
    telemetry,
    auth,
    apps,
    identities,
    trustReports,
    auth.onDidChangeAccount(() => {
      trustReports.clear();
      void apps.reload();
      void identities.reload();
    }),
    ...registerCommands({
      auth,
      apps,
      identities,
      log,
      cloud: () => auth.cloud,
      arm: () => auth.requireSession().arm,
      jobOutput: () => (jobOutput ??= track(vscode.window.createOutputChannel('Federated Credentials: Runbook Jobs'))),
      runner: {
        log,
        ui: () => seam.userInput ?? new VsCodeUserInput(),
        onDidRun: (run) => {
          telemetry.record(run);
          markWalkthroughStep(run);
        },
      },
      credentialDeps,
      identityCredentialDeps: createIdentityCredentialCommandDeps({ auth, identities, log, credentialDeps }),
      checkTrustDeps: createCheckTrustDeps({ auth, apps, reports: trustReports, log }),
    }),
  );

  function track<T extends vscode.Disposable>(disposable: T): T {
    context.subscriptions.push(disposable);
    return disposable;
  }

  void auth.restore(); // a silent look for an existing sign-in; never blocks activation
  const api = createExtensionApi({ auth, apps, identities });
  return process.env.FC_RUNNING_TESTS ? Object.assign(api, { testing: seam.api() }) : api;
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
