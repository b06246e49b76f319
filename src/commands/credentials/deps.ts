// How the credential (and app and runbook) commands reach the signed-in session, the views and the
// user: built once by extension.ts from the parts it wires. The UI flows after a change (refresh and
// reveal, the next-step offer, the outcome message, the cancellable progress) live here, not in the
// composition root.
import * as vscode from 'vscode';
import type { AuthService } from '../../auth/authService';
import type { AppRegistrationsView } from '../../tree/appRegistrationsView';
import type { ManagedIdentitiesView } from '../../tree/managedIdentitiesView';
import { appOf, credentialOf, identityOf } from '../../tree/nodeModel';
import type { TreeNode } from '../../tree/treeNode';
import type { CredentialCommandDeps } from './common';
import { readSettings } from '../../config/settings';

export interface CredentialDepsParts {
  readonly auth: AuthService;
  readonly apps: AppRegistrationsView;
  readonly identities: ManagedIdentitiesView;
  readonly log: vscode.LogOutputChannel;
}

/** The app's node for that credential, once the app's children are loaded. */
async function credentialNode(apps: AppRegistrationsView, appId: string, credentialId: string): Promise<TreeNode | undefined> {
  const node = apps.findApp((a) => a.id === appId);
  const children = node ? await node.getChildren() : [];
  return children.find((c) => credentialOf(c)?.credential.id === credentialId);
}

export function createCredentialCommandDeps({ auth, apps, identities, log }: CredentialDepsParts): CredentialCommandDeps {
  const session = () => auth.requireSession();
  return {
    directory: () => session().directory,
    credentials: () => session().credentials,
    cloud: () => auth.cloud,
    tenantId: () => auth.requireAccount().tenantId,
    flexibleCredentials: () => readSettings().flexibleCredentials,
    log,
    selectedApp: appOf,
    selectedCredential: credentialOf,
    selectedIdentity: identityOf,
    // Cancel in the notification fires the work's AbortSignal: it stops before its next request and aborts the one in flight.
    progress: (title, work) =>
      Promise.resolve(
        vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (_progress, token) => {
          const controller = new AbortController();
          const subscription = token.onCancellationRequested(() => controller.abort());
          try {
            return await work(controller.signal);
          } finally {
            subscription.dispose();
          }
        }),
      ),
    afterChange: async (app, credential) => {
      identities.trust.invalidate();
      identities.refresh();
      const node = apps.findApp((a) => a.id === app.id);
      if (!node) return apps.reload();
      await node.reload();
      const child = credential && (await credentialNode(apps, app.id, credential.id));
      if (child && apps.treeView.visible) await apps.treeView.reveal(child, { select: true, focus: false }).then(undefined, () => undefined);
    },
    notify: (message, severity) => {
      const showLog = vscode.l10n.t('Show Log');
      const shown = severity === 'warning' ? vscode.window.showWarningMessage(message, showLog) : vscode.window.showInformationMessage(message);
      void Promise.resolve(shown).then((choice) => {
        if (choice === showLog) log.show(true);
      });
    },
    offerNextSteps: async (app, credential) => {
      const consent = vscode.l10n.t('Copy Admin-Consent URL');
      const runbook = vscode.l10n.t('Scaffold Runbook');
      const choice = await vscode.window.showInformationMessage(
        vscode.l10n.t(
          'The app {0} now trusts the managed identity. Token exchange can take a few minutes to start working (AADSTS70021 until then).',
          app.displayName,
        ),
        consent,
        runbook,
      );
      const appNode = apps.findApp((a) => a.id === app.id);
      if (choice === consent) await vscode.commands.executeCommand('federatedCredentials.copyConsentUrl', appNode);
      // From the credential's node the runbook knows the app and the identity it trusts.
      if (choice === runbook)
        await vscode.commands.executeCommand('federatedCredentials.scaffoldRunbook', (await credentialNode(apps, app.id, credential.id)) ?? appNode);
    },
  };
}
