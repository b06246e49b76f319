// federatedCredentials.deployRunbook
//   args { file, automationAccount, runbookName?, publish?, importModules?, enableIdentity? }
//   -> { runbookId, state, portalUrl, runtimeEnvironment, modules, importedModules, identityEnabled, warnings }
// Creates or updates the runbook in an Automation account with the type and runtime its header
// names, uploads the draft, publishes on request. Shows the modules it needs and whether the
// account has them; imports missing ones and turns on the system-assigned identity only when the
// user agrees (programmatic callers: `importModules: true` / `enableIdentity: true`).
import * as vscode from 'vscode';
import { openInBrowser } from '../../util/openInBrowser';
import { checkAutomationAccountId, parseAutomationAccountId, runbookNameFromFileName, checkRunbookName } from '../../arm/automation';
import type { AutomationAccount } from '../../domain/model';
import { describeUnsafeCharacter, findUnsafeCharacter, quote } from '../../domain/text';
import { azureResourcePortalUrl } from '../../domain/clouds';
import { RUNBOOK_TEMPLATES } from '../../runbooks';
import { isUserCancelled, UserCancelledError } from '../../util/cancellation';
import type { CommandContext } from '../commandRunner';
import { parseDeployArgs, type DeployArgs } from './args';
import { RunbookJobTarget, type RunbookCommandDeps } from './common';
import { deployRunbookToAccount, type Consent } from './deployer';
import { planRunbookFile } from './runbookFile';

const TITLE = vscode.l10n.t('Deploy Runbook to Azure Automation');

export interface DeployResult {
  readonly runbookId: string;
  readonly state: string;
  readonly portalUrl?: string;
  /** The runtime environment the runbook is linked to (one the account had, or one the deploy created). */
  readonly runtimeEnvironment?: string;
  readonly runtimeEnvironmentCreated: boolean;
  /** The modules the runbook needs and whether the account (or runtime environment) has them, after any import: the version found and the version needed. */
  readonly modules: ReadonlyArray<{ readonly name: string; readonly status: string; readonly version?: string; readonly requiredVersion?: string }>;
  readonly importedModules: readonly string[];
  readonly identityEnabled: boolean;
  /** What still stands between the runbook and a successful run (missing modules, identity off, …). */
  readonly warnings: readonly string[];
}

/** A URI string, an absolute path, or a path relative to the first workspace folder. */
function fileUri(file: string): vscode.Uri {
  const unsafe = findUnsafeCharacter(file);
  if (unsafe) throw new Error(`"file" ${quote(file)} contains ${describeUnsafeCharacter(unsafe)}; give the runbook file's path or URI.`);
  if (/^[A-Za-z][A-Za-z0-9+.-]+:/.test(file) && !/^[A-Za-z]:[\\/]/.test(file)) return vscode.Uri.parse(file, true);
  if (file.startsWith('/') || /^[A-Za-z]:[\\/]/.test(file) || file.startsWith('\\\\')) return vscode.Uri.file(file);
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error(`"file" ${quote(file)} is relative, and no workspace folder is open.`);
  return vscode.Uri.joinPath(folder.uri, file);
}

/** The runbook file named by "file", opened, or an error that says it is missing or a folder (not VS Code's "cannot open"). */
async function openRunbookFile(file: string): Promise<vscode.TextDocument> {
  let uri: vscode.Uri;
  try {
    uri = fileUri(file);
  } catch (error) {
    if (error instanceof Error && error.message.startsWith('"file"')) throw error;
    throw new Error(`"file" ${quote(file)} is not a path or URI: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  let stat: vscode.FileStat;
  try {
    stat = await vscode.workspace.fs.stat(uri);
  } catch (error) {
    throw new Error(`"file" ${quote(file)} does not exist (looked for ${quote(uri.toString(true), 200)}).`, { cause: error });
  }
  if ((stat.type & vscode.FileType.Directory) !== 0) throw new Error(`"file" ${quote(file)} is a folder; give the runbook file (.ps1 or .py).`);
  return vscode.workspace.openTextDocument(uri);
}

async function runbookDocument(context: CommandContext, node: unknown, args: DeployArgs): Promise<vscode.TextDocument> {
  if (args.file) return openRunbookFile(args.file);
  if (node instanceof vscode.Uri) return vscode.workspace.openTextDocument(node);
  if (context.programmatic) throw new Error('Pass "file": the runbook file (a URI, an absolute path, or a path in the workspace folder).');
  const active = vscode.window.activeTextEditor?.document;
  if ((active && /\.(ps1|py)$/i.test(active.fileName)) || (active && (active.languageId === 'powershell' || active.languageId === 'python'))) return active;
  const picked = await vscode.window.showOpenDialog({ title: TITLE, canSelectMany: false, openLabel: 'Deploy', filters: { Runbooks: ['ps1', 'py'] } });
  if (!picked?.[0]) throw UserCancelledError.atPrompt('file');
  return vscode.workspace.openTextDocument(picked[0]);
}

/** Subscription, then Automation account: the account picker of the runbook commands. */
export async function pickAccount(deps: RunbookCommandDeps, context: CommandContext, title = TITLE): Promise<AutomationAccount> {
  const automation = deps.automation();
  const subscription = await context.ui.pick(
    automation.listSubscriptions().then((subs) => {
      if (subs.length === 0) throw new Error('The signed-in account sees no Azure subscription in this tenant.');
      return subs.map((s) => ({
        label: s.displayName,
        description: s.subscriptionId,
        ...(s.state && s.state !== 'Enabled' ? { detail: s.state } : {}),
        data: s,
      }));
    }),
    { title, placeholder: vscode.l10n.t('Select the subscription of the Automation account'), matchOnDescription: true, step: 1, totalSteps: 2 },
  );
  return context.ui.pick(
    automation.listAccounts(subscription.subscriptionId).then((accounts) => {
      if (accounts.length === 0) throw new Error(`The subscription ${subscription.displayName} has no Automation account.`);
      return accounts.map((a) => ({
        label: a.name,
        description: `${parseAutomationAccountId(a.id).resourceGroup} · ${a.location}`,
        detail: a.identity?.type && a.identity.type !== 'None' ? `Identity: ${a.identity.type}` : 'No managed identity',
        data: a,
      }));
    }),
    { title, placeholder: vscode.l10n.t('Select the Automation account'), matchOnDescription: true, step: 2, totalSteps: 2 },
  );
}

function consent(flag: boolean | undefined, programmatic: boolean): Consent {
  if (flag !== undefined) return flag ? 'yes' : 'no';
  return programmatic ? 'no' : 'ask';
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || isUserCancelled(error));
}

export async function deployRunbook(deps: RunbookCommandDeps, context: CommandContext, arg?: unknown): Promise<DeployResult> {
  const args = parseDeployArgs(arg);
  if (context.programmatic && (!args.file || !args.automationAccount)) {
    throw new Error(
      'Pass "file" and "automationAccount": this command takes { file, automationAccount, runbookName?, publish?, importModules?, enableIdentity? }.',
    );
  }
  if (args.automationAccount) checkAutomationAccountId(args.automationAccount);
  if (args.runbookName) {
    const problem = checkRunbookName(args.runbookName);
    if (problem) throw new Error(`"runbookName" ${quote(args.runbookName)}: ${problem}`);
  }

  const document = await runbookDocument(context, arg, args);
  const content = document.getText();
  if (content.trim() === '') throw new Error(`${document.uri.toString(true)} is empty.`);
  const plan = planRunbookFile(content, document.isUntitled ? `${document.uri.path}.${document.languageId === 'python' ? 'py' : 'ps1'}` : document.fileName);
  for (const note of plan.notes) deps.log.info(note);

  const accountId = args.automationAccount ?? (await pickAccount(deps, context)).id;
  const suggested = document.isUntitled
    ? plan.template
      ? RUNBOOK_TEMPLATES[plan.template].suggestedRunbookName
      : undefined
    : runbookNameFromFileName(document.fileName);
  const runbookName =
    args.runbookName ??
    (context.programmatic
      ? (suggested ?? 'Runbook')
      : (
          await context.ui.input({
            title: TITLE,
            prompt: vscode.l10n.t('Runbook name in the Automation account (an existing runbook of that name is updated)'),
            value: suggested,
            validate: (v) => checkRunbookName(v.trim()),
          })
        ).trim());
  const publish =
    args.publish ??
    (context.programmatic
      ? false
      : await context.ui.pick(
          [
            { label: vscode.l10n.t('Publish'), description: 'Upload the draft and publish it: schedules and webhooks run the new version', data: true },
            { label: vscode.l10n.t('Save as draft'), description: 'Upload the draft only; publish it later in the portal', data: false },
          ],
          { title: TITLE, placeholder: vscode.l10n.t('Publish {0} after uploading?', runbookName) },
        ));

  const outcome = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Deploying {0}', runbookName), cancellable: true },
    async (progress, token) => {
      const controller = new AbortController();
      const subscription = token.onCancellationRequested(() => controller.abort());
      try {
        return await deployRunbookToAccount(
          deps.automation(),
          {
            accountId,
            runbookName,
            content,
            plan,
            publish,
            importModules: consent(args.importModules, context.programmatic),
            enableIdentity: consent(args.enableIdentity, context.programmatic),
            description: 'Secretless multi-tenant runbook generated by Federated Credentials for VS Code.',
            cloud: deps.cloud(),
          },
          {
            signal: controller.signal,
            report: (message) => progress.report({ message }),
            info: (message) => deps.log.info(message),
            warn: (message) => deps.log.warn(message),
            confirm: async (message, detail, action) => (await context.ui.confirm(message, { modal: true, detail }, action)) === action,
          },
        );
      } catch (error) {
        // The deployer's cancellation (with its outcome) says which state the runbook was left in.
        if (controller.signal.aborted && isAbort(error)) throw isUserCancelled(error) && error.outcome ? error : UserCancelledError.atPrompt('deploy');
        throw error;
      } finally {
        subscription.dispose();
      }
    },
  );

  const portalUrl = azureResourcePortalUrl(deps.cloud(), deps.tenantId(), outcome.runbookId);
  deps.log.info(
    `Deployed ${runbookName} to ${outcome.account.name}: ${outcome.state}${outcome.importedModules.length ? `; imported ${outcome.importedModules.join(', ')}` : ''}${outcome.identityEnabled ? '; turned on the system-assigned identity' : ''}.`,
  );
  if (!context.programmatic) {
    const summary = `${outcome.published ? 'Published' : 'Uploaded the draft of'} ${runbookName} in ${outcome.account.name}.`;
    const warnings = outcome.warnings.length ? ` ${outcome.warnings.join(' ')}` : '';
    const show = outcome.warnings.length ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
    const startJob = vscode.l10n.t('Start Job');
    const openPortal = vscode.l10n.t('Open in Portal');
    void show(`${summary}${warnings}`, ...(outcome.published ? [startJob] : []), ...(portalUrl ? [openPortal] : [])).then((choice) => {
      if (choice === startJob)
        void vscode.commands.executeCommand('federatedCredentials.startRunbookJob', new RunbookJobTarget(outcome.account.id, runbookName));
      if (choice === openPortal && portalUrl) void openInBrowser(portalUrl, deps.cloud());
    });
  }
  return {
    runbookId: outcome.runbookId,
    state: outcome.state,
    ...(portalUrl ? { portalUrl } : {}),
    ...(outcome.runtimeEnvironment ? { runtimeEnvironment: outcome.runtimeEnvironment } : {}),
    runtimeEnvironmentCreated: outcome.runtimeEnvironmentCreated,
    modules: outcome.modules.map((m) => ({
      name: m.name,
      status: m.status,
      ...(m.version ? { version: m.version } : {}),
      ...(m.requiredVersion ? { requiredVersion: m.requiredVersion } : {}),
    })),
    importedModules: [...outcome.importedModules],
    identityEnabled: outcome.identityEnabled,
    warnings: [...outcome.warnings],
  };
}
