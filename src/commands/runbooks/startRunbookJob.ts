// federatedCredentials.startRunbookJob { automationAccount, runbookName, parameters?, draft?, wait? }: runs a
// deployed runbook (a job of the published runbook, or with `draft` a test job of its draft) and follows it: the
// job's status in a progress notification, its Output, Warning and Error streams in the "Runbook Jobs" output
// channel as they arrive, Cancel stops the job, and the end says how it finished (a failure offers *Explain*).
// Returns { jobId, jobName, status, output, streams, exception? }; with `wait: false` it returns once started.
import * as vscode from 'vscode';
import { AutomationJobs, type AutomationJob, type JobEvent, type JobRef, type JobStreamRecord } from '../../arm/automationJobs';
import { parseAutomationAccountId, runbookNameFromFileName } from '../../arm/automation';
import { hasExplainableCode } from '../../domain/errorCodes';
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
  const jobs = new AutomationJobs(deps.arm());
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
  /** `output`: the job's whole Output (Job_GetOutput), when read; else the Output records as listed. */
  const result = (job: AutomationJob, output?: string): StartJobResult => ({
    accountId,
    runbookName,
    draft,
    ...(ref.jobName ? { jobName: ref.jobName } : {}),
    ...(job.jobId ? { jobId: job.jobId } : {}),
    status: job.status,
    output: redactSecrets(
      output?.replace(/\n$/, '') ??
        streams
          .filter((r) => r.streamType === 'Output')
          .map((r) => r.text)
          .join('\n'),
    ),
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
    const job = ref.jobName ? `job ${ref.jobName}` : `the test job of ${runbookName}`;
    if (!controller.signal.aborted) {
      // Following failed, not the job: it goes on in Azure, and the channel says which one to look at.
      channel.appendLine(`■ No longer followed (${error instanceof Error ? redactSecrets(error.message) : String(error)}): ${job} may still be running.`);
      throw error;
    }
    throw await stopAfterCancel(jobs, ref, { channel, onEvent, what, job, log: deps.log, partial: result });
  }
  // The whole Output from Job_GetOutput (a stream list may shorten long records); the records read so far if it fails.
  const output = await jobs.getOutput(ref).catch(() => undefined);
  const outcome = result(final, output);
  channel.appendLine(`■ ${final.status} after ${elapsed(final, startedAt)}${final.exception ? `: ${redactSecrets(final.exception)}` : ''}`);
  deps.log.info(`The ${what} in ${accountName} ended ${final.status}.`);
  if (!context.programmatic) void announce(outcome, what, channel);
  return outcome;
}

/**
 * After Cancel: the job itself is stopped (Job_Stop) and followed, under a "Stopping…" notification, until it ends
 * or a minute passes. The answer is a cancellation whose message says how it ended, or that the stop request
 * failed and the job may still be running.
 */
async function stopAfterCancel(
  jobs: AutomationJobs,
  ref: JobRef,
  ui: {
    channel: vscode.OutputChannel;
    onEvent: (event: JobEvent) => void;
    what: string;
    job: string;
    log: RunbookCommandDeps['log'];
    partial: (job: AutomationJob) => StartJobResult;
  },
): Promise<UserCancelledError> {
  ui.channel.appendLine('… Stopping (cancelled in VS Code)');
  try {
    await jobs.stopJob(ref);
  } catch (error) {
    const message = `Cancelled in VS Code, but the request to stop ${ui.job} failed (${error instanceof Error ? redactSecrets(error.message) : String(error)}): the ${ui.what} may still be running. Stop it in the portal or run Start Runbook Job's Cancel again.`;
    ui.channel.appendLine(`■ ${message}`);
    ui.log.warn(message);
    return UserCancelledError.withOutcome(message);
  }
  const ended = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Stopping the {0}', ui.what), cancellable: false },
    async () => {
      const stopping = new AbortController();
      const timer = setTimeout(() => stopping.abort(), STOP_FOLLOW_MS);
      try {
        return await jobs.waitForJob(ref, ui.onEvent, stopping.signal).catch(() => undefined);
      } finally {
        clearTimeout(timer);
      }
    },
  );
  const status = ended?.status ?? 'Stopping';
  ui.channel.appendLine(`■ ${status}`);
  const message = ended
    ? `The ${ui.what} was stopped from VS Code (${status}).`
    : `The ${ui.what} was asked to stop from VS Code and had not stopped a minute later: ${ui.job} may still be running.`;
  ui.log.warn(message);
  return UserCancelledError.withOutcome(message, ended ? ui.partial(ended) : undefined);
}

/** The end in a notification: how it finished, with the output and, for a failure, *Explain*. */
async function announce(outcome: StartJobResult, what: string, channel: vscode.OutputChannel): Promise<void> {
  const showOutput = vscode.l10n.t('Show Output');
  const explain = vscode.l10n.t('Explain');
  const failureText = [outcome.exception ?? '', ...outcome.streams.filter((s) => s.streamType === 'Error').map((s) => s.text), outcome.output].join('\n');
  const explainable = hasExplainableCode(failureText);
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
