// Azure Automation jobs over ARM: start a job of a published runbook (or a test job of its draft), read its
// status, stop it, read its streams incrementally and its output, and follow it to the end.
// Sources: azure-rest-api-specs Microsoft.Automation stable/2024-10-23 job.json (Job_Create with a job name
// the caller picks, a GUID as the portal uses; Job_Get, Job_Stop, Job_GetOutput text/plain, JobStream_ListByJob
// with `$filter=properties/time ge <date-time>` as the Az.Automation cmdlets send it) and stable/2023-11-01
// runbook.json (TestJob_Create / Get / Stop, TestJobStreams_ListByTestJob). A Python runbook takes the parameter
// values as positional arguments in the order given; PowerShell binds them by name.
// No `vscode` here: cancellation is an AbortSignal; the command layer builds its UI on followJob's events.
import { quote } from '../domain/text';
import { raceAbort, sleep as defaultSleep, sleepUnlessCancelled, throwIfCancelled, type Sleep } from '../util/cancellation';
import { ArmRequestError } from './armClient';
import { AUTOMATION_API_VERSION, checkAutomationAccountId, checkRunbookName, retryAfterMs, type ArmRequester } from './automation';

/** JobStatus of job.json; a string for the ones a newer API may add. */
export type JobStatus =
  | 'New'
  | 'Activating'
  | 'Running'
  | 'Completed'
  | 'Failed'
  | 'Stopped'
  | 'Blocked'
  | 'Suspended'
  | 'Disconnected'
  | 'Suspending'
  | 'Stopping'
  | 'Resuming'
  | 'Removing'
  | (string & {});

/** The statuses a job does not leave: following it ends there. */
export const FINAL_JOB_STATUSES: readonly string[] = ['Completed', 'Failed', 'Stopped'];

export function isFinalJobStatus(status: string): boolean {
  return FINAL_JOB_STATUSES.includes(status);
}

/** Which job: a job of the account by name, or (no `jobName`) the test job of the runbook's draft. */
export interface JobRef {
  readonly accountId: string;
  readonly runbookName: string;
  /** The job's name (a GUID); absent for the draft's test job. */
  readonly jobName?: string;
}

export interface AutomationJob {
  readonly ref: JobRef;
  readonly status: JobStatus;
  /** The runbook the service says the job runs (jobs only). */
  readonly runbookName?: string;
  readonly jobId?: string;
  readonly provisioningState?: string;
  readonly creationTime?: string;
  readonly startTime?: string | null;
  readonly endTime?: string | null;
  readonly lastModifiedTime?: string;
  /** Why it failed (Failed jobs). */
  readonly exception?: string | null;
  readonly parameters?: Readonly<Record<string, string>>;
}

export type JobStreamType = 'Output' | 'Warning' | 'Error' | 'Verbose' | 'Debug' | 'Progress' | (string & {});

export interface JobStreamRecord {
  readonly id: string;
  readonly time: string;
  readonly streamType: JobStreamType;
  readonly text: string;
}

/** Where listStreams left off: the newest time seen and the ids seen at that time (a time filter is inclusive). */
export interface StreamCursor {
  readonly time?: string;
  readonly seenAtTime: readonly string[];
}

export type JobEvent =
  | { readonly kind: 'status'; readonly status: JobStatus; readonly job: AutomationJob }
  | { readonly kind: 'stream'; readonly record: JobStreamRecord }
  | { readonly kind: 'end'; readonly job: AutomationJob };

export interface AutomationJobsOptions {
  /** First poll interval of followJob when the service sends no Retry-After (ms). Default 2000. */
  readonly pollIntervalMs?: number;
  /** Polls that bring nothing new wait longer, up to this (ms). Default 10000. */
  readonly maxPollIntervalMs?: number;
  /** Upper bound of one Retry-After wait (ms). Default 60000. */
  readonly maxRetryAfterMs?: number;
  /** Job names; default a random GUID. */
  readonly newJobName?: () => string;
  readonly sleep?: Sleep;
  readonly now?: () => number;
}

export interface StartJobOptions {
  /** A test job of the runbook's draft instead of a job of the published runbook. */
  readonly draft?: boolean;
  readonly signal?: AbortSignal;
}

interface JobBody {
  readonly name?: string;
  readonly properties?: Partial<Record<keyof AutomationJob, unknown>> & { readonly status?: string };
  readonly status?: string;
}

interface StreamItem {
  readonly id?: string;
  readonly properties?: {
    readonly jobStreamId?: string;
    readonly time?: string;
    readonly streamType?: string;
    readonly summary?: string | null;
    readonly streamText?: string;
  };
}

const enc = encodeURIComponent;

/** The checked parameters of a job: an object of string values. */
export function checkJobParameters(value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value))
    throw new Error(`"parameters" must be an object of names and string values; got ${quote(JSON.stringify(value) ?? String(value))}.`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw new Error(`The value of the job parameter ${quote(k)} must be a string; got ${quote(JSON.stringify(v) ?? String(v))}.`);
    out[k] = v;
  }
  return out;
}

export class AutomationJobs {
  private readonly pollIntervalMs: number;
  private readonly maxPollIntervalMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly newJobName: () => string;
  private readonly sleep: Sleep;
  private readonly now: () => number;

  constructor(
    private readonly arm: ArmRequester,
    options: AutomationJobsOptions = {},
  ) {
    this.pollIntervalMs = options.pollIntervalMs ?? 2000;
    this.maxPollIntervalMs = Math.max(options.maxPollIntervalMs ?? 10_000, this.pollIntervalMs);
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
    this.newJobName = options.newJobName ?? (() => globalThis.crypto.randomUUID());
    this.sleep = options.sleep ?? defaultSleep;
    this.now = options.now ?? Date.now;
  }

  /**
   * Starts a job of the published runbook (a new GUID job name), or with `draft` a test job of its draft.
   * A job PUT that is sent again (a lost answer) and finds its job already there returns that job.
   */
  async startJob(accountId: string, runbookName: string, parameters: Record<string, string> = {}, options: StartJobOptions = {}): Promise<AutomationJob> {
    const params = checkJobParameters(parameters);
    const ref: JobRef = options.draft ? this.ref(accountId, runbookName) : this.ref(accountId, runbookName, this.newJobName());
    throwIfCancelled(options.signal);
    const body = ref.jobName ? { properties: { runbook: { name: runbookName }, parameters: params } } : { parameters: params };
    try {
      const r = await raceAbort(
        this.arm.request<JobBody>('PUT', this.path(ref), { apiVersion: AUTOMATION_API_VERSION, body, signal: options.signal }),
        options.signal,
      );
      return toJob(ref, r.body);
    } catch (error) {
      if (ref.jobName && error instanceof ArmRequestError && error.status === 409) {
        const existing = await this.getJob(ref, options.signal).catch(() => undefined);
        if (existing?.runbookName?.toLowerCase() === runbookName.toLowerCase()) return existing;
      }
      throw error;
    }
  }

  async getJob(ref: JobRef, signal?: AbortSignal): Promise<AutomationJob> {
    return (await this.readJob(ref, signal)).job;
  }

  /** Stops the job; one that has already ended is returned as it is. Answers the job as it is then (Stopping or Stopped). */
  async stopJob(ref: JobRef, signal?: AbortSignal): Promise<AutomationJob> {
    this.check(ref);
    throwIfCancelled(signal);
    try {
      await raceAbort(this.arm.request('POST', `${this.path(ref)}/stop`, { apiVersion: AUTOMATION_API_VERSION, signal }), signal);
    } catch (error) {
      if (!(error instanceof ArmRequestError) || error.status !== 400) throw error;
      const job = await this.getJob(ref, signal);
      if (!isFinalJobStatus(job.status)) throw error;
      return job;
    }
    return this.getJob(ref, signal);
  }

  /**
   * The stream records after `cursor` (all of them without one), oldest first, and the cursor to pass next
   * time. Records carry their text (`summary` of the list).
   */
  async listStreams(ref: JobRef, cursor?: StreamCursor, signal?: AbortSignal): Promise<{ records: JobStreamRecord[]; cursor: StreamCursor }> {
    this.check(ref);
    throwIfCancelled(signal);
    const filter = cursor?.time ? `?$filter=${enc(`properties/time ge ${cursor.time}`)}` : '';
    const items = await raceAbort(this.arm.listAll<StreamItem>(`${this.path(ref)}/streams${filter}`, AUTOMATION_API_VERSION, signal), signal);
    const seen = new Set(cursor?.seenAtTime ?? []);
    const records = items
      .map(toRecord)
      .filter((r): r is JobStreamRecord => r !== undefined && !seen.has(r.id))
      .sort((a, b) => Date.parse(a.time) - Date.parse(b.time) || a.id.localeCompare(b.id));
    const last = records.at(-1);
    if (!last) return { records, cursor: cursor ?? { seenAtTime: [] } };
    const lastMs = Date.parse(last.time);
    const atLast = records.filter((r) => Date.parse(r.time) === lastMs).map((r) => r.id);
    const sameTime = cursor?.time !== undefined && Date.parse(cursor.time) === lastMs;
    return { records, cursor: { time: last.time, seenAtTime: sameTime ? [...seen, ...atLast] : atLast } };
  }

  /** The job's Output stream as text (Job_GetOutput; a test job's Output records, which have no such route). */
  async getOutput(ref: JobRef, signal?: AbortSignal): Promise<string> {
    this.check(ref);
    throwIfCancelled(signal);
    if (!ref.jobName) {
      const { records } = await this.listStreams(ref, undefined, signal);
      const lines = records.filter((r) => r.streamType === 'Output').map((r) => r.text);
      return lines.length > 0 ? `${lines.join('\n')}\n` : '';
    }
    const r = await raceAbort(this.arm.request<unknown>('GET', `${this.path(ref)}/output`, { apiVersion: AUTOMATION_API_VERSION, signal }), signal);
    return typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
  }

  /**
   * Follows a job until it ends: yields `status` on each change, `stream` for each new record, and last `end`
   * with the final job, which is also the return value. Polls every `pollIntervalMs`, longer while nothing
   * changes (up to `maxPollIntervalMs`), and as long as a Retry-After asks. The signal ends it with a
   * cancellation; the job itself goes on (stop it with stopJob).
   */
  async *followJob(ref: JobRef, options: { readonly signal?: AbortSignal; readonly cursor?: StreamCursor } = {}): AsyncGenerator<JobEvent, AutomationJob> {
    const { signal } = options;
    this.check(ref);
    let cursor = options.cursor;
    let lastStatus: string | undefined;
    let interval = this.pollIntervalMs;
    for (;;) {
      const { job, retryAfter } = await this.readJob(ref, signal);
      // Streams after the status: a job that has ended has written all of its records.
      const streams = await this.listStreams(ref, cursor, signal);
      cursor = streams.cursor;
      const changed = job.status !== lastStatus;
      if (changed && !isFinalJobStatus(job.status)) yield { kind: 'status', status: job.status, job };
      lastStatus = job.status;
      for (const record of streams.records) yield { kind: 'stream', record };
      if (isFinalJobStatus(job.status)) {
        yield { kind: 'end', job };
        return job;
      }
      interval = changed || streams.records.length > 0 ? this.pollIntervalMs : Math.min(Math.round(interval * 1.5), this.maxPollIntervalMs);
      const wait = retryAfter !== undefined ? Math.min(Math.max(retryAfter, interval), this.maxRetryAfterMs) : interval;
      await sleepUnlessCancelled(wait, signal, this.sleep);
    }
  }

  /** followJob with a callback: calls `onEvent` for each event and returns the final job. */
  async waitForJob(ref: JobRef, onEvent?: (event: JobEvent) => void, signal?: AbortSignal): Promise<AutomationJob> {
    const events = this.followJob(ref, { signal });
    for (;;) {
      const next = await events.next();
      if (next.done) return next.value;
      onEvent?.(next.value);
    }
  }

  private async readJob(ref: JobRef, signal?: AbortSignal): Promise<{ job: AutomationJob; retryAfter?: number }> {
    this.check(ref);
    throwIfCancelled(signal);
    const r = await raceAbort(this.arm.request<JobBody>('GET', this.path(ref), { apiVersion: AUTOMATION_API_VERSION, signal }), signal);
    return { job: toJob(ref, r.body), retryAfter: retryAfterMs(r.headers, this.now()) };
  }

  private ref(accountId: string, runbookName: string, jobName?: string): JobRef {
    const ref = { accountId: accountId.trim(), runbookName, ...(jobName !== undefined ? { jobName } : {}) };
    this.check(ref);
    return ref;
  }

  private check(ref: JobRef): void {
    checkAutomationAccountId(ref.accountId);
    const problem = typeof ref.runbookName === 'string' ? checkRunbookName(ref.runbookName) : 'A runbook name is a string.';
    if (problem) throw new Error(`"runbookName" ${quote(String(ref.runbookName))} is not valid: ${problem}`);
    if (ref.jobName !== undefined && !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/.test(ref.jobName))
      throw new Error(`The job name ${quote(ref.jobName)} is not valid.`);
  }

  private path(ref: JobRef): string {
    const account = ref.accountId.replace(/\/+$/, '');
    return ref.jobName ? `${account}/jobs/${enc(ref.jobName)}` : `${account}/runbooks/${enc(ref.runbookName)}/draft/testJob`;
  }
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function toJob(ref: JobRef, body: JobBody | undefined): AutomationJob {
  // A job has its fields under `properties`; a test job (runbook.json TestJob) at the top level.
  const p = (ref.jobName ? body?.properties : body) as Record<string, unknown> | undefined;
  const parameters = p?.parameters && typeof p.parameters === 'object' ? (p.parameters as Record<string, string>) : undefined;
  const runbook = p?.runbook && typeof p.runbook === 'object' ? str((p.runbook as { name?: unknown }).name) : undefined;
  return {
    ref,
    status: str(p?.status) ?? 'New',
    ...(runbook ? { runbookName: runbook } : {}),
    ...(str(p?.jobId) ? { jobId: str(p?.jobId) } : {}),
    ...(str(p?.provisioningState) ? { provisioningState: str(p?.provisioningState) } : {}),
    ...(str(p?.creationTime) ? { creationTime: str(p?.creationTime) } : {}),
    startTime: str(p?.startTime) ?? null,
    endTime: str(p?.endTime) ?? null,
    ...(str(p?.lastModifiedTime) ? { lastModifiedTime: str(p?.lastModifiedTime) } : {}),
    exception: str(p?.exception) ?? null,
    ...(parameters ? { parameters } : {}),
  };
}

function toRecord(item: StreamItem): JobStreamRecord | undefined {
  const p = item.properties;
  const id = p?.jobStreamId ?? item.id?.split('/').at(-1);
  if (!id || !p?.time) return undefined;
  return { id, time: p.time, streamType: p.streamType ?? 'Output', text: p.summary ?? p.streamText ?? '' };
}
