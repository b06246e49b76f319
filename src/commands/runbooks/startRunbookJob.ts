// federatedCredentials.startRunbookJob { automationAccount, runbookName, parameters?, draft?, wait? }: runs a
// deployed runbook (a job of the published runbook, or with `draft` a test job of its draft) and follows it: the
// job's status in a progress notification, its Output, Warning and Error streams in the "Runbook Jobs" output
// channel as they arrive, Cancel stops the job, and the end says how it finished (a failure offers *Explain*).
// Returns { jobId, jobName, status, output, streams, exception? }; with `wait: false` it returns once started.
import * as vscode from 'vscode';
import { type AutomationJob, type JobEvent, type JobRef, type JobStreamRecord } from '../../arm/automationJobs';
import { parseAutomationAccountId, runbookNameFromFileName } from '../../arm/automation';
import { redactSecrets } from '../../domain/text';
import { UserCancelledError } from '../../util/cancellation';
import type { CommandContext } from '../commandRunner';
import { parseStartJobArgs } from './args';
import { RunbookJobTarget, type RunbookCommandDeps } from './common';
import { pickAccount } from './deployRunbook';

const TITLE = vscode.l10n.t('Start Runbook Job');
/** How long a stopped job is followed to its final status before the command says it is still stopping. */
const STOP_FOLLOW_MS = 60_000;

export interface StartJobResult {
  readonly accountId: string;
  readonly runbookName: string;
  readonly draft: boolean;
  /** The job's name (a GUID; absent for a draft's test job) and id. */
  readonly jobName?: string;
  readonly jobId?: string;
  readonly status: string;
  /** The Output stream, one line per record. */
  readonly output: string;
  readonly streams: ReadonlyArray<{ readonly streamType: string; readonly text: string }>;
  readonly exception?: string;
}

/** The runbook of the editor's file (editor title, or the palette with a runbook open). */
function runbookOfFile(node: unknown): string | undefined {
  const uri = node instanceof vscode.Uri ? node : undefined;
  const fileName = uri?.path ?? vscode.window.activeTextEditor?.document.fileName;
  return fileName && /\.(ps1|py)$/i.test(fileName) ? runbookNameFromFileName(fileName) : undefined;
}

async function pickRunbook(
  deps: RunbookCommandDeps,
  context: CommandContext,
  accountId: string,
  suggested: string | undefined,
): Promise<{ name: string; state?: string }> {
  const runbooks = deps.automation().listRunbooks(accountId);
  return context.ui.pick(
    runbooks.then((list) => {
      if (list.length === 0) throw new Error(`The Automation account ${parseAutomationAccountId(accountId).name} has no runbook. Deploy one first.`);
      // The editor's runbook first, then the rest by name.
      const ordered = [...list].sort((a, b) => Number(b.name === suggested) - Number(a.name === suggested) || a.name.localeCompare(b.name));
      return ordered.map((r) => ({
        label: r.name,
        description: [r.properties.runbookType, r.properties.state].filter(Boolean).join(' · '),
        data: { name: r.name, state: r.properties.state },
      }));
    }),
    { title: TITLE, placeholder: vscode.l10n.t('Which runbook?'), argument: 'runbookName' },
  );
}

function streamLine(record: JobStreamRecord): string {
  const label = record.streamType === 'Output' ? '' : `[${record.streamType}] `;
  return `${label}${redactSecrets(record.text)}`;
}

function elapsed(job: AutomationJob, startedAt: number): string {
  const start = job.startTime ? Date.parse(job.startTime) : startedAt;
  const end = job.endTime ? Date.parse(job.endTime) : Date.now();
  const seconds = Math.max(0, Math.round((end - start) / 1000));
  return seconds < 90 ? `${seconds} s` : `${Math.round(seconds / 60)} min`;
}

export async function startRunbookJob(deps: RunbookCommandDeps, context: CommandContext, arg?: unknown): Promise<StartJobResult> {
  const args = parseStartJobArgs(arg);
  if (context.programmatic && (!args.automationAccount || !args.runbookName)) {
    throw new Error('Pass "automationAccount" and "runbookName": this command takes { automationAccount, runbookName, parameters?, draft?, wait? }.');
  }
  const target = arg instanceof RunbookJobTarget ? arg : undefined;
  const accountId = args.automationAccount ?? target?.accountId ?? (await pickAccount(deps, context, TITLE)).id;
  const named = args.runbookName ?? target?.runbookName;
  const picked = named ? { name: named } : await pickRunbook(deps, context, accountId, runbookOfFile(arg));
  const runbookName = picked.name;
  // A runbook with unpublished changes: run the published version, or test the draft (as the portal's test pane does).
  const draft =
    args.draft ??
    (!context.programmatic && picked.state === 'Edit'
      ? await context.ui.pick(
          [
            { label: vscode.l10n.t('Run the published runbook'), description: 'a job, as schedules and webhooks run it', data: false },
            { label: vscode.l10n.t('Test the draft'), description: 'a test job of the unpublished changes', data: true },
          ],
          { title: TITLE, placeholder: vscode.l10n.t('{0} has unpublished changes', runbookName), argument: 'draft' },
        )
      : picked.state === 'New');
  const jobs = deps.jobs();
  const channel = deps.jobOutput();
  const accountName = parseAutomationAccountId(accountId).name;
  const started = await jobs.startJob(accountId, runbookName, args.parameters ?? {}, { draft });
  const ref: JobRef = started.ref;
  const startedAt = Date.now();
  const what = draft ? `test job of the draft of ${runbookName}` : `job of ${runbookName}`;
  channel.appendLine('');
  channel.appendLine(`▶ ${what} in ${accountName}${ref.jobName ? ` (job ${ref.jobName})` : ''} — ${new Date(startedAt).toISOString()}`);
  channel.show(true);
  deps.log.info(`Started the ${what} in ${accountName}${ref.jobName ? ` (job ${ref.jobName})` : ''}.`);
  const streams: JobStreamRecord[] = [];
  const result = (job: AutomationJob): StartJobResult => ({
    accountId,
    runbookName,
    draft,
    ...(ref.jobName ? { jobName: ref.jobName } : {}),
    ...(job.jobId ? { jobId: job.jobId } : {}),
    status: job.status,
    output: streams
      .filter((r) => r.streamType === 'Output')
      .map((r) => redactSecrets(r.text))
      .join('\n'),
    streams: streams.map((r) => ({ streamType: r.streamType, text: redactSecrets(r.text) })),
    ...(job.exception ? { exception: redactSecrets(job.exception) } : {}),
  });
  if (args.wait === false) return result(started);

  const onEvent = (event: JobEvent) => {
    if (event.kind === 'stream') {
      streams.push(event.record);
      channel.appendLine(streamLine(event.record));
    } else if (event.kind === 'status') {
      channel.appendLine(`… ${event.status}`);
    }
  };
  let final: AutomationJob;
  const controller = new AbortController();
  try {
    final = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('{0} in {1}', runbookName, accountName), cancellable: true },
      async (progress, token) => {
        const subscription = token.onCancellationRequested(() => controller.abort());
        progress.report({ message: started.status });
        try {
          return await jobs.waitForJob(
            ref,
            (event) => {
              onEvent(event);
              if (event.kind === 'status') progress.report({ message: event.status });
            },
            controller.signal,
          );
        } finally {
          subscription.dispose();
        }
      },
    );
  } catch (error) {
    if (!controller.signal.aborted) throw error;
    // Cancel stops the job itself, then follows it to its end for a while.
    channel.appendLine('… Stopping (cancelled in VS Code)');
    await jobs.stopJob(ref);
    const stopping = new AbortController();
    const timer = setTimeout(() => stopping.abort(), STOP_FOLLOW_MS);
    const ended = await jobs.waitForJob(ref, onEvent, stopping.signal).catch(() => undefined);
    clearTimeout(timer);
    const status = ended?.status ?? 'Stopping';
    channel.appendLine(`■ ${status}`);
    const message = `The ${what} was stopped from VS Code (${status}).`;
    deps.log.warn(message);
    throw UserCancelledError.withOutcome(message, result(ended ?? started));
  }
  const outcome = result(final);
  channel.appendLine(`■ ${final.status} after ${elapsed(final, startedAt)}${final.exception ? `: ${redactSecrets(final.exception)}` : ''}`);
  deps.log.info(`The ${what} in ${accountName} ended ${final.status}.`);
  if (!context.programmatic) void announce(outcome, what, channel);
  return outcome;
}

/** The end in a notification: how it finished, with the output and, for a failure, *Explain*. */
async function announce(outcome: StartJobResult, what: string, channel: vscode.OutputChannel): Promise<void> {
  const showOutput = vscode.l10n.t('Show Output');
  const explain = vscode.l10n.t('Explain');
  const failureText = [outcome.exception ?? '', ...outcome.streams.filter((s) => s.streamType === 'Error').map((s) => s.text), outcome.output].join('\n');
  const explainable = /AADSTS\d+/.test(failureText);
  const failed = outcome.status !== 'Completed' || outcome.streams.some((s) => s.streamType === 'Error');
  const message = failed
    ? vscode.l10n.t('The {0} ended {1}{2}', what, outcome.status, outcome.exception ? `: ${outcome.exception}` : '.')
    : vscode.l10n.t('The {0} completed.', what);
  const actions = [showOutput, ...(explainable ? [explain] : [])];
  const choice = await (failed ? vscode.window.showWarningMessage(message, ...actions) : vscode.window.showInformationMessage(message, ...actions));
  if (choice === showOutput) channel.show(false);
  // A string (not an arguments object): explained on screen, with its fixes as buttons.
  if (choice === explain) await vscode.commands.executeCommand('federatedCredentials.explainError', failureText);
}
