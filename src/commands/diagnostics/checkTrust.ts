// Check Trust: whether a runbook's managed identity will get tokens for the target tenants through an app.
//   checkTrust      { app, tenants?: string[] } -> the report: { app, tenants, checkedAt, findings, counts, problems }
//   applyTrustFix   (a finding's node in the App Registrations view) -> what the fix command returned
// The reading and judging are src/services/trustCheck.ts and src/domain/trustCheck.ts; this shows the report
// under the app (src/tree/trustFindings.ts), marks the app while it has problems, and runs a finding's fix.
// Reading only: checkTrust never writes. A fix that writes asks first.
import * as vscode from 'vscode';
import type { AuthService } from '../../auth/authService';
import type { AppRegistration } from '../../domain/model';
import { splitTenantList } from '../../domain/tenants';
import { isProblem } from '../../domain/trustCheck';
import type { GraphDirectory } from '../../graph/directory';
import { parseTargetTenants, runTrustCheck, type TrustCheckSources, type TrustReport } from '../../services/trustCheck';
import type { AppRegistrationsView } from '../../tree/appRegistrationsView';
import { appOf } from '../../tree/nodeModel';
import { findingOf, type TrustReports } from '../../tree/trustFindings';
import { UserCancelledError } from '../../util/cancellation';
import { credentialArgs } from '../arguments';
import type { CommandContext } from '../commandRunner';
import { pickApp } from '../steps';

export interface CheckTrustDeps {
  readonly sources: () => TrustCheckSources;
  readonly directory: () => GraphDirectory;
  readonly reports: TrustReports;
  readonly selectedApp: (node: unknown) => AppRegistration | undefined;
  readonly log: vscode.LogOutputChannel;
  /** Runs the work under a progress notification. */
  readonly progress: <T>(title: string, work: () => Promise<T>) => Promise<T>;
  /** Redraws the app in the App Registrations view (its mark and its report) and shows the report. */
  readonly showReport: (report: TrustReport) => Promise<void>;
  readonly executeCommand: (command: string, args: unknown) => Promise<unknown>;
}

/** Commands whose fix changes something: Apply Fix asks before running them. */
const WRITES = new Set(['federatedCredentials.editCredential', 'federatedCredentials.deleteCredential', 'federatedCredentials.addApiPermission']);

function tenantsArgument(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  return parseTargetTenants(value as string[]);
}

export async function checkTrust(deps: CheckTrustDeps, context: CommandContext, arg?: unknown): Promise<TrustReport> {
  const args = credentialArgs(arg, ['app', 'tenants'], { tenants: 'array' });
  // Everything the caller gave is checked before anything is read.
  let tenants = tenantsArgument(args.tenants);
  const title = vscode.l10n.t('Check Trust');
  const selected = deps.selectedApp(arg);
  let appRef = args.app ?? selected?.id;
  if (!appRef) {
    if (context.programmatic) throw new Error('Pass "app": the app registration\'s object id or application (client) id.');
    appRef = (await pickApp(deps.directory(), context.ui, { title })).id;
  }
  if (tenants === undefined) {
    if (context.programmatic) tenants = [];
    else {
      const last = deps.reports.get(appRef)?.tenants ?? [];
      const typed = await context.ui.input({
        title,
        prompt: vscode.l10n.t(
          'Target tenants the runbook gets tokens for: tenant ids or verified domains, separated by commas (leave empty to check the app and its credentials only)',
        ),
        placeholder: 'fabrikam.onmicrosoft.com, 00000000-0000-0000-0000-000000000000',
        value: last.join(', '),
        argument: 'tenants',
        validate: (value) => {
          try {
            parseTargetTenants(splitTenantList(value));
            return undefined;
          } catch (error) {
            return error instanceof Error ? error.message : String(error);
          }
        },
      });
      tenants = parseTargetTenants(splitTenantList(typed));
    }
  }
  const ref = appRef;
  const targets = tenants;
  const report = await deps.progress(vscode.l10n.t('Checking the trust of {0}', selected?.displayName ?? ref), () =>
    runTrustCheck(deps.sources(), ref, targets),
  );
  deps.reports.set(report);
  const problems = report.findings.filter(isProblem);
  deps.log.info(
    `Check Trust of app ${report.app.appId} (${report.tenants.length} target tenant(s)): ${report.counts.error} error(s), ${report.counts.warning} warning(s), ${report.counts.info} not checked or informational.`,
  );
  for (const f of problems) deps.log.warn(`Check Trust: ${f.message} ${f.why}`);
  await deps.showReport(report);
  if (!context.programmatic) {
    const message = problems.length
      ? vscode.l10n.t('Check Trust found {0} problem(s) for {1}; the findings are under the app in App Registrations.', problems.length, report.app.displayName)
      : vscode.l10n.t('Check Trust found no problem for {0}.', report.app.displayName);
    void (problems.length ? vscode.window.showWarningMessage(message) : vscode.window.showInformationMessage(message));
  }
  return report;
}

/** Runs a finding's fix (from its node); a fix that writes is confirmed first, and the app is checked again after it. */
export async function applyTrustFix(deps: CheckTrustDeps, context: CommandContext, node?: unknown): Promise<unknown> {
  const found = findingOf(node);
  if (!found) throw new Error('Run Apply Fix on a finding of Check Trust in the App Registrations view.');
  const { finding, report } = found;
  const fix = finding.fix;
  if (!fix) throw new Error(`This finding has no fix to apply: ${finding.message}`);
  const writes = WRITES.has(fix.command);
  if (writes) {
    const apply = vscode.l10n.t('Apply');
    const choice = await context.ui.confirm(`${fix.title}?`, { modal: true, detail: `${finding.message}\n\n${finding.why}` }, apply);
    if (choice !== apply) throw UserCancelledError.atPrompt('applyTrustFix');
  }
  const args = fix.command === 'federatedCredentials.deleteCredential' ? { ...fix.arguments, confirm: true } : { ...fix.arguments };
  const result = await deps.executeCommand(fix.command, args);
  if (writes) {
    // The fix is written; a check that then fails does not undo it, and the message must not say it failed.
    await checkTrust(deps, { ...context, programmatic: true }, { app: report.app.id, tenants: [...report.tenants] }).catch((error: unknown) => {
      const message = `${fix.title}: done. Checking the trust again failed (${error instanceof Error ? error.message : String(error)}); run Check Trust to see the app's findings.`;
      deps.log.warn(message);
      if (!context.programmatic) void vscode.window.showWarningMessage(message);
    });
  }
  return result;
}

/** The wiring from the extension's parts. */
export function createCheckTrustDeps(parts: {
  readonly auth: AuthService;
  readonly apps: AppRegistrationsView;
  readonly reports: TrustReports;
  readonly log: vscode.LogOutputChannel;
}): CheckTrustDeps {
  const { auth, apps, reports, log } = parts;
  return {
    sources: () => {
      const session = auth.requireSession();
      return {
        directory: session.directory,
        cloud: session.cloud,
        tenantId: session.account.tenantId,
        tenantAccess: (tenant) => auth.tenantDirectory(tenant),
        graphAppRoles: async () => (await session.graphPermissions()).appRoles,
      };
    },
    directory: () => auth.requireSession().directory,
    reports,
    selectedApp: appOf,
    log,
    progress: (title, work) => Promise.resolve(vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title }, work)),
    showReport: async (report) => {
      const node = apps.findApp((a) => a.id === report.app.id);
      if (!node) return;
      apps.refresh(node);
      if (!apps.treeView.visible) return;
      const children = await node.getChildren();
      const group = children.find((c) => c.id === `${node.id}/trust`);
      if (group) await Promise.resolve(apps.treeView.reveal(group, { expand: true, focus: false, select: false })).catch(() => undefined);
    },
    executeCommand: (command, args) => Promise.resolve(vscode.commands.executeCommand(command, args)),
  };
}
