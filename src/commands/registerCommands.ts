// Every command id, one line each, pointing at the function that implements it.
import * as vscode from 'vscode';
import { registerCommand, type CommandRunnerDeps } from './commandRunner';
import * as signInCommands from './signInCommands';
import * as viewCommands from './viewCommands';
import * as appCommands from './apps/appCommands';
import { addCredential } from './credentials/addCredential';
import { addManagedIdentityCredentialCommand } from './credentials/addManagedIdentityCredential';
import type { CredentialCommandDeps } from './credentials/common';
import { applyTrustFix, checkTrust, type CheckTrustDeps } from './diagnostics/checkTrust';
import { copyCredential, deleteCredential, editCredential } from './credentials/editCredential';
import type { IdentityCredentialCommandDeps } from './identityCredentials/identityCredentialCommands';

export interface CommandDeps extends signInCommands.SignInDeps, viewCommands.ViewDeps {
  readonly runner: CommandRunnerDeps;
  readonly log: vscode.LogOutputChannel;
  /** Where runbook jobs write their streams (created once, on first use). */
  readonly jobOutput: () => vscode.OutputChannel;
  readonly credentialDeps: CredentialCommandDeps;
  readonly identityCredentialDeps: IdentityCredentialCommandDeps;
  readonly checkTrustDeps: CheckTrustDeps;
}

// Commands that are not on the activation path load their module on first use (dist/chunks/, scripts/bundles.mjs):
// what VS Code parses at activation stays small.
const identityCredentialCommands = () => import('./identityCredentials/identityCredentialCommands');
const runbookCommands = () => import('./runbooks/runbookCommands');

export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  const r = (id: string, handler: Parameters<typeof registerCommand>[1]) => registerCommand(`federatedCredentials.${id}`, handler, deps.runner);
  return [
    r('signIn', (c, a) => signInCommands.signIn(deps, c, a)),
    r('signOut', () => signInCommands.signOut(deps)),
    r('selectTenant', (c, a) => signInCommands.selectTenant(deps, c, a)),
    r('refresh', (c, node) => viewCommands.refresh(deps, c, node)),
    r('loadMore', (c, owner) => viewCommands.loadMore(deps, c, owner)),
    r('retry', (c, node) => viewCommands.retry(deps, c, node)),
    r('searchAppRegistrations', (c, a) => viewCommands.searchApps(deps, c, a)),
    r('clearSearch', () => viewCommands.clearSearch(deps)),
    r('showOnlyMyApps', () => viewCommands.setOnlyMine(deps, true)),
    r('showAllApps', () => viewCommands.setOnlyMine(deps, false)),
    r('copyObjectId', (c, node) => viewCommands.copyId('objectId', c, node)),
    r('copyAppId', (c, node) => viewCommands.copyId('appId', c, node)),
    r('openInPortal', (c, node) => viewCommands.openInPortal(deps, c, node)),
    // Run on several selected apps, VS Code passes (clicked node, selected nodes).
    r('addManagedIdentityCredential', (c, a, selection) =>
      addManagedIdentityCredentialCommand({ ...deps.credentialDeps, afterChanges: () => viewCommands.refreshAfterManyChanges(deps) }, c, a, selection),
    ),
    r('addCredential', (c, a) => addCredential(deps.credentialDeps, c, a)),
    r('editCredential', (c, a) => editCredential(deps.credentialDeps, c, a)),
    r('deleteCredential', (c, a) => deleteCredential(deps.credentialDeps, c, a)),
    r('copyCredential', (c, a) => copyCredential(deps.credentialDeps, c, a)),
    r('addIdentityCredential', async (c, a) => (await identityCredentialCommands()).addIdentityCredential(deps.identityCredentialDeps, c, a)),
    r('editIdentityCredential', async (c, a) => (await identityCredentialCommands()).editIdentityCredential(deps.identityCredentialDeps, c, a)),
    r('deleteIdentityCredential', async (c, a) => (await identityCredentialCommands()).deleteIdentityCredential(deps.identityCredentialDeps, c, a)),
    r('copyIdentityCredential', async (c, a) => (await identityCredentialCommands()).copyIdentityCredential(deps.identityCredentialDeps, c, a)),
    r('copyConsentUrl', (c, a) => appCommands.copyConsentUrl(deps.credentialDeps, c, a)),
    r('createAppRegistration', (c, a) =>
      appCommands.createAppRegistration({ ...deps.credentialDeps, afterChanges: () => viewCommands.refreshAfterManyChanges(deps) }, c, a),
    ),
    r('addApiPermission', (c, a) => appCommands.addApiPermission(deps.credentialDeps, c, a)),
    r('scaffoldRunbook', async (c, a) => {
      const runbooks = await runbookCommands();
      return runbooks.scaffoldRunbook(runbooks.runbookDepsFrom(deps), c, a);
    }),
    r('deployRunbook', async (c, a) => {
      const runbooks = await runbookCommands();
      return runbooks.deployRunbook(runbooks.runbookDepsFrom(deps), c, a);
    }),
    r('checkTrust', (c, a) => checkTrust(deps.checkTrustDeps, c, a)),
    r('applyTrustFix', (c, node) => applyTrustFix(deps.checkTrustDeps, c, node)),
    r('startRunbookJob', async (c, a) => {
      const runbooks = await runbookCommands();
      return runbooks.startRunbookJob(runbooks.runbookDepsFrom(deps), c, a);
    }),
    r('explainError', async (c, a) => {
      const { explainError, explainErrorDeps } = await import('./diagnostics/explainError');
      return explainError(explainErrorDeps(deps), c, a);
    }),
    r('showOutput', async () => {
      deps.log.show(true);
      return deps.log.name;
    }),
  ];
}
