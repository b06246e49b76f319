// Microsoft.Automation jobs and the draft's test job, run for real on this machine.
// Sources (azure-rest-api-specs, specification/automation/resource-manager/Microsoft.Automation):
//   stable/2024-10-23 job.json (Job_Create / Get / ListByAutomationAccount / Stop / GetOutput, JobStream_Get /
//   ListByJob, + examples/job/*.json: stream ids `{jobId}_{ticks}_{sequence}`, `summary` in lists and
//   `streamText` on a single stream), stable/2023-11-01 runbook.json (TestJob_Create / Get / Stop,
//   TestJobStreams_ListByTestJob / Get, examples/getTestJob.json). The `$filter` grammar of the stream and job
//   lists is the one the Az.Automation cmdlets send (`properties/time ge <round-trip UTC>`,
//   `properties/streamType eq 'Output'`, `properties/status eq 'Failed'`, clauses joined by ` and `).
//   Start-AzAutomationRunbook's reference: a Python runbook's parameters are its positional arguments, in the
//   order given (the keys are ignored); PowerShell runbooks take them as named parameters.
// A job runs a Python runbook with this machine's python3 and a PowerShell one with pwsh, in a scratch folder
// that is removed afterwards, with IDENTITY_ENDPOINT / IDENTITY_HEADER of the account's identities (a header of
// the job's own, valid while it runs) and the sandbox CA trusted. stdout is the Output stream, stderr the
// Error stream; PowerShell's Warning/Error/Verbose records go to their streams through a small host script.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import type { SandboxCore } from '../core';
import { armError } from '../errors';
import { issueJobIdentityHeader, revokeJobIdentityHeader } from '../managedIdentity';
import type { SandboxModule } from '../module';
import type { SandboxRequest, SandboxResponse } from '../router';
import type { AutomationAccount, Runbook } from '../state';
import type { AccessTokenClaims } from '../tokens';
import { ACCOUNT, ACCOUNT_TYPE, defaultEnvironment, languageOf, runbookContext, runtimeEnvironmentsApi } from './automation';
import { automationContext, badRequest, isObject, isResponse, objectBody, ok, page } from './common';

// ---- settings -------------------------------------------------------------------------------------------------

export interface JobSettings {
  /** The Python 3 executable (a name looked up on PATH, or a path). Default `python3`. */
  python: string;
  /** The PowerShell 7 executable. Default `pwsh`. */
  pwsh: string;
  /** A job still running after this many seconds is killed and ends Failed. Default 300. */
  timeLimitSeconds: number;
  /** How long a job stays `New` before it is `Activating` (ms). Default 200. */
  queueMs: number;
  /** PEM file of the sandbox CA, trusted by the job (SSL_CERT_FILE, REQUESTS_CA_BUNDLE, NODE_EXTRA_CA_CERTS). */
  caPath?: string;
}

export const DEFAULT_JOB_SETTINGS: Readonly<JobSettings> = { python: 'python3', pwsh: 'pwsh', timeLimitSeconds: 300, queueMs: 200 };

const settingsByCore = new WeakMap<SandboxCore, JobSettings>();

export function jobSettings(core: SandboxCore): JobSettings {
  let s = settingsByCore.get(core);
  if (!s) {
    s = { ...DEFAULT_JOB_SETTINGS };
    settingsByCore.set(core, s);
  }
  return s;
}

/**
 * Changes how jobs run (in-process only: the executables are not settable over HTTP). Applies to jobs
 * started afterwards. Throws on bad values.
 */
export function setJobSettings(core: SandboxCore, patch: Partial<JobSettings>): JobSettings {
  const s = jobSettings(core);
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) continue;
    switch (k) {
      case 'python':
      case 'pwsh':
      case 'caPath':
        if (typeof v !== 'string' || v.trim() === '') throw new Error(`${k} must be a non-empty string`);
        s[k] = v;
        break;
      case 'timeLimitSeconds':
        if (typeof v !== 'number' || !(v > 0) || v > 86_400) throw new Error('timeLimitSeconds must be a number of seconds, 0 < n <= 86400');
        s.timeLimitSeconds = v;
        break;
      case 'queueMs':
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 60_000) throw new Error('queueMs must be an integer 0..60000');
        s.queueMs = v;
        break;
      default:
        throw new Error(`unknown job setting '${k}'`);
    }
  }
  return s;
}

// ---- model ----------------------------------------------------------------------------------------------------

export type JobStatus = 'New' | 'Activating' | 'Running' | 'Completed' | 'Failed' | 'Stopped' | 'Stopping';
export type StreamType = 'Progress' | 'Output' | 'Warning' | 'Error' | 'Debug' | 'Verbose';
const STREAM_TYPES: readonly StreamType[] = ['Progress', 'Output', 'Warning', 'Error', 'Debug', 'Verbose'];
const TERMINAL: ReadonlySet<JobStatus> = new Set<JobStatus>(['Completed', 'Failed', 'Stopped']);

interface StreamRecord {
  readonly id: string;
  readonly time: string;
  readonly type: StreamType;
  readonly text: string;
}

interface Job {
  readonly kind: 'job' | 'testJob';
  readonly name: string;
  readonly jobId: string;
  readonly account: AutomationAccount;
  readonly runbook: Runbook;
  readonly runbookName: string;
  readonly runtimeEnvironment?: string;
  readonly content: string;
  readonly parameters: Record<string, string>;
  readonly runOn: string;
  readonly startedBy: string;
  status: JobStatus;
  provisioningState: 'Processing' | 'Succeeded' | 'Failed';
  readonly creationTime: string;
  startTime: string | null;
  endTime: string | null;
  lastModifiedTime: string;
  lastStatusModifiedTime: string;
  exception: string | null;
  readonly streams: StreamRecord[];
  /** What ended or is ending the job other than its own exit. */
  stopReason?: 'stop' | 'timeLimit';
  child?: ChildProcess;
  /** Settles when the job has ended and its folder is gone. */
  done?: Promise<void>;
}

/** Jobs of each account by lower-case name; the test job of each runbook. */
const jobsOf = new WeakMap<AutomationAccount, Map<string, Job>>();
const testJobOf = new WeakMap<Runbook, Job>();
/** Jobs not ended yet, per sandbox: stopAllJobs ends them. */
const liveJobs = new WeakMap<SandboxCore, Set<Job>>();

function accountJobs(account: AutomationAccount): Map<string, Job> {
  let m = jobsOf.get(account);
  if (!m) {
    m = new Map();
    jobsOf.set(account, m);
  }
  return m;
}

function live(core: SandboxCore): Set<Job> {
  let s = liveJobs.get(core);
  if (!s) {
    s = new Set();
    liveJobs.set(core, s);
  }
  return s;
}

function now(): string {
  return new Date().toISOString();
}

function setStatus(job: Job, status: JobStatus): void {
  if (job.status === status) return;
  job.status = status;
  job.lastStatusModifiedTime = job.lastModifiedTime = now();
  if (TERMINAL.has(status)) {
    job.endTime = job.lastModifiedTime;
    job.provisioningState = status === 'Failed' ? 'Failed' : 'Succeeded';
  }
}

/** .NET ticks of a time, 20 digits, as in the spec's stream ids. */
function ticks(ms: number): string {
  return (BigInt(ms) * 10000n + 621355968000000000n).toString().padStart(20, '0');
}

function addRecord(job: Job, type: StreamType, text: string): void {
  const at = Date.now();
  const id = `${job.jobId}_${ticks(at)}_${String(job.streams.length + 1).padStart(20, '0')}`;
  job.streams.push({ id, time: new Date(at).toISOString(), type, text });
  job.lastModifiedTime = new Date(at).toISOString();
}

function fail(job: Job, exception: string, record = true): void {
  if (record) addRecord(job, 'Error', exception);
  job.exception = exception;
  setStatus(job, 'Failed');
}

// ---- running --------------------------------------------------------------------------------------------------

/**
 * The host of a PowerShell job: binds the parameters by name (a JSON object in FC_JOB_PARAMETERS), runs the
 * runbook with every stream merged, and writes one JSON line per record ({stream, text}) so that Warning,
 * Error, Verbose and Debug records keep their stream. A terminating error is written as stream 'Exception'
 * and ends the process with exit code 1.
 */
const POWERSHELL_HOST = [
  "$ErrorActionPreference = 'Continue'",
  "if ($PSStyle) { $PSStyle.OutputRendering = 'PlainText' }",
  '$parameters = @{}',
  'if ($env:FC_JOB_PARAMETERS) { $parameters = ConvertFrom-Json -InputObject $env:FC_JOB_PARAMETERS -AsHashtable }',
  'Remove-Item Env:FC_JOB_PARAMETERS -ErrorAction SilentlyContinue',
  'function Send-JobRecord([string]$Stream, [string]$Text) {',
  '  [Console]::Out.WriteLine((ConvertTo-Json -Compress -InputObject @{ stream = $Stream; text = $Text }))',
  '}',
  'try {',
  "  & (Join-Path $PSScriptRoot 'runbook.ps1') @parameters *>&1 | ForEach-Object {",
  "    if ($_ -is [System.Management.Automation.ErrorRecord]) { Send-JobRecord 'Error' $_.ToString() }",
  "    elseif ($_ -is [System.Management.Automation.WarningRecord]) { Send-JobRecord 'Warning' $_.Message }",
  "    elseif ($_ -is [System.Management.Automation.VerboseRecord]) { Send-JobRecord 'Verbose' $_.Message }",
  "    elseif ($_ -is [System.Management.Automation.DebugRecord]) { Send-JobRecord 'Debug' $_.Message }",
  "    elseif ($_ -is [System.Management.Automation.InformationRecord]) { Send-JobRecord 'Output' ([string]$_.MessageData) }",
  "    else { Send-JobRecord 'Output' (($_ | Out-String -Width 4096).TrimEnd()) }",
  '  }',
  '} catch {',
  "  Send-JobRecord 'Exception' $_.ToString()",
  '  exit 1',
  '}',
  'exit 0',
  '',
].join('\n');

interface Launch {
  readonly command: string;
  readonly args: readonly string[];
  readonly files: Readonly<Record<string, string>>;
  readonly env: Readonly<Record<string, string>>;
  readonly missing: string;
  readonly jsonLines: boolean;
}

function launchFor(job: Job, settings: JobSettings): Launch | string {
  const type = job.runbook.runbookType;
  const language = languageOf(type);
  if (type === 'Python2') return 'Python 2 runbooks are not run by the sandbox (Python 2.7 has reached its end of life); use a Python 3 runbook.';
  if (language === 'Python') {
    return {
      command: settings.python,
      // -u: unbuffered, so each line reaches its stream as it is printed. Parameters are positional (sys.argv[1:]).
      args: ['-u', 'runbook.py', ...Object.values(job.parameters)],
      files: { 'runbook.py': job.content },
      env: { PYTHONIOENCODING: 'utf-8', PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' },
      missing: `Python 3 is not installed on this machine: '${settings.python}' was not found. Install Python 3 (python3 on the PATH) to run Python runbooks in the sandbox.`,
      jsonLines: false,
    };
  }
  if (language === 'PowerShell') {
    return {
      command: settings.pwsh,
      args: ['-NoLogo', '-NoProfile', '-NonInteractive', '-File', 'host.ps1'],
      files: { 'runbook.ps1': job.content, 'host.ps1': POWERSHELL_HOST },
      env: { FC_JOB_PARAMETERS: JSON.stringify(job.parameters), POWERSHELL_TELEMETRY_OPTOUT: '1', POWERSHELL_UPDATECHECK: 'Off' },
      missing: `PowerShell is not installed on this machine: '${settings.pwsh}' was not found. Install PowerShell 7 (pwsh on the PATH) to run PowerShell runbooks in the sandbox.`,
      jsonLines: true,
    };
  }
  return `Runbooks of type '${type}' are not run by the sandbox; it runs PowerShell and Python 3 runbooks.`;
}

/** What a job inherits from this process: enough to find the runtime (PATH, pyenv), nothing else. */
function baseEnv(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of ['PATH', 'Path', 'HOME', 'USERPROFILE', 'LANG', 'LC_ALL', 'SystemRoot', 'PYENV_ROOT', 'PYENV_VERSION', 'DOTNET_ROOT']) {
    const v = process.env[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}

function killTree(child: ChildProcess): void {
  try {
    if (process.platform !== 'win32' && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    else child.kill('SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}

async function runJob(core: SandboxCore, job: Job): Promise<void> {
  const settings = jobSettings(core);
  await delay(settings.queueMs);
  if (job.stopReason) {
    setStatus(job, 'Stopped');
    return;
  }
  setStatus(job, 'Activating');
  const launch = launchFor(job, settings);
  if (typeof launch === 'string') {
    fail(job, launch);
    return;
  }
  const dir = await mkdtemp(join(tmpdir(), 'fc-sandbox-job-'));
  const header = issueJobIdentityHeader(core, job.account.id);
  let timer: NodeJS.Timeout | undefined;
  try {
    for (const [name, text] of Object.entries(launch.files)) await writeFile(join(dir, name), text, { mode: 0o600 });
    if (job.stopReason) {
      setStatus(job, 'Stopped');
      return;
    }
    const ca = settings.caPath ? { SSL_CERT_FILE: settings.caPath, REQUESTS_CA_BUNDLE: settings.caPath, NODE_EXTRA_CA_CERTS: settings.caPath } : {};
    const env = {
      ...baseEnv(),
      TMPDIR: dir,
      TEMP: dir,
      TMP: dir,
      ...ca,
      ...launch.env,
      IDENTITY_ENDPOINT: core.urls.managedIdentity,
      IDENTITY_HEADER: header,
    };
    const child = spawn(launch.command, launch.args, {
      cwd: dir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: process.platform !== 'win32',
      windowsHide: true,
    });
    job.child = child;
    let lastError: string | undefined;
    const onLine = (fallback: StreamType) => (line: string) => {
      let type: StreamType = fallback;
      let text = line;
      if (launch.jsonLines && fallback === 'Output') {
        try {
          const parsed = JSON.parse(line) as { stream?: unknown; text?: unknown };
          if (parsed.stream === 'Exception') {
            job.exception = typeof parsed.text === 'string' ? parsed.text : line;
            type = 'Error';
          } else if (STREAM_TYPES.includes(parsed.stream as StreamType)) type = parsed.stream as StreamType;
          text = typeof parsed.text === 'string' ? parsed.text : line;
        } catch {
          // A line the host did not write (a native command's output): Output as it is.
        }
      }
      if (type === 'Error' && text.trim() !== '') lastError = text.trim();
      addRecord(job, type, text);
    };
    const streamsClosed = Promise.all([
      new Promise<void>((resolve) => createInterface({ input: child.stdout, crlfDelay: Infinity }).on('line', onLine('Output')).on('close', resolve)),
      new Promise<void>((resolve) => createInterface({ input: child.stderr, crlfDelay: Infinity }).on('line', onLine('Error')).on('close', resolve)),
    ]);
    const ended = await new Promise<{ error?: NodeJS.ErrnoException; code?: number | null }>((resolve) => {
      child.once('spawn', () => {
        if (job.stopReason) killTree(child);
        else if (TERMINAL.has(job.status) === false) {
          job.startTime = now();
          setStatus(job, job.status === 'Stopping' ? 'Stopping' : 'Running');
        }
        timer = setTimeout(() => {
          job.stopReason ??= 'timeLimit';
          killTree(child);
        }, settings.timeLimitSeconds * 1000);
      });
      child.once('error', (error: NodeJS.ErrnoException) => resolve({ error }));
      child.once('exit', (code) => resolve({ code }));
    });
    if (ended.error) {
      fail(job, ended.error.code === 'ENOENT' || ended.error.code === 'EACCES' ? launch.missing : `The job could not start: ${ended.error.message}`);
      return;
    }
    await Promise.race([streamsClosed, delay(2000)]);
    if (job.stopReason === 'stop') setStatus(job, 'Stopped');
    else if (job.stopReason === 'timeLimit')
      fail(
        job,
        `The job was stopped after ${settings.timeLimitSeconds} seconds: that is the sandbox's time limit for a job (Azure's cloud jobs stop at the fair-share limit of 3 hours).`,
      );
    else if (ended.code === 0) setStatus(job, 'Completed');
    else fail(job, job.exception ?? (lastError ? `${lastError} (exit code ${ended.code})` : `The runbook exited with code ${ended.code}.`), false);
  } catch (e) {
    if (!TERMINAL.has(job.status)) fail(job, `The job could not run: ${(e as Error).message}`);
  } finally {
    if (timer) clearTimeout(timer);
    revokeJobIdentityHeader(core, header);
    job.child = undefined;
    await rm(dir, { recursive: true, force: true });
  }
}

function startJob(core: SandboxCore, job: Job): void {
  const running = live(core);
  running.add(job);
  job.done = runJob(core, job)
    .catch((e: unknown) => {
      if (!TERMINAL.has(job.status)) fail(job, `The job could not run: ${(e as Error).message}`);
    })
    .finally(() => running.delete(job));
}

/** Asks a job to stop: at once before its process runs, else by killing the process (Stopping until it has ended). */
function requestStop(job: Job): void {
  if (TERMINAL.has(job.status)) return;
  job.stopReason = 'stop';
  if (job.child) {
    setStatus(job, 'Stopping');
    killTree(job.child);
  } else if (job.status === 'New') setStatus(job, 'Stopped');
  else setStatus(job, 'Stopping');
}

/** Kills every running job of a sandbox and waits until they have ended (stop and reset). */
export async function stopAllJobs(core: SandboxCore): Promise<void> {
  const jobs = [...live(core)];
  for (const job of jobs) requestStop(job);
  await Promise.race([Promise.all(jobs.map((j) => j.done)), delay(5000)]);
}

// ---- bodies ---------------------------------------------------------------------------------------------------

function jobBody(job: Job, version: string, item = false): Record<string, unknown> {
  const properties: Record<string, unknown> = {
    jobId: job.jobId,
    runbook: { name: job.runbookName },
    startedBy: job.startedBy,
    runOn: job.runOn,
    provisioningState: job.provisioningState,
    creationTime: job.creationTime,
    status: job.status,
    startTime: job.startTime,
    endTime: job.endTime,
    lastModifiedTime: job.lastModifiedTime,
  };
  if (!item) {
    Object.assign(properties, {
      statusDetails: 'None',
      exception: job.exception,
      lastStatusModifiedTime: job.lastStatusModifiedTime,
      parameters: { ...job.parameters },
    });
  }
  if (runtimeEnvironmentsApi(version) && job.runtimeEnvironment) properties.jobRuntimeEnvironment = { runtimeEnvironmentName: job.runtimeEnvironment };
  return { id: `${job.account.id}/jobs/${job.name}`, name: job.name, type: 'Microsoft.Automation/AutomationAccounts/Jobs', properties };
}

function testJobBody(job: Job): Record<string, unknown> {
  return {
    creationTime: job.creationTime,
    status: job.status,
    statusDetails: 'None',
    runOn: job.runOn || null,
    startTime: job.startTime,
    endTime: job.endTime,
    exception: job.exception,
    lastModifiedTime: job.lastModifiedTime,
    lastStatusModifiedTime: job.lastStatusModifiedTime,
    parameters: { ...job.parameters },
    logActivityTrace: job.runbook.logActivityTrace,
  };
}

function streamsBase(job: Job): string {
  return job.kind === 'job' ? `${job.account.id}/jobs/${job.name}/streams` : `${job.account.id}/runbooks/${job.runbook.name}/draft/testJob/streams`;
}

function streamItem(job: Job, r: StreamRecord): Record<string, unknown> {
  return { id: `${streamsBase(job)}/${r.id}`, properties: { jobStreamId: r.id, summary: r.text, time: r.time, streamType: r.type } };
}

function streamBody(job: Job, r: StreamRecord): Record<string, unknown> {
  return {
    id: `${streamsBase(job)}/${r.id}`,
    properties: { jobStreamId: r.id, streamText: r.text, streamType: r.type, summary: r.text, time: r.time, value: {} },
  };
}

function textResponse(req: SandboxRequest, text: string): SandboxResponse {
  return {
    status: 200,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'x-ms-request-id': req.requestId, 'x-ms-correlation-request-id': req.requestId },
    body: text,
  };
}

// ---- $filter ----------------------------------------------------------------------------------------------------

interface Clause {
  readonly property: string;
  readonly op: 'eq' | 'ne' | 'ge' | 'gt' | 'le' | 'lt';
  readonly value: string;
}

/** `properties/x op value` clauses joined by ` and `; undefined for anything else. */
function parseFilter(filter: string): Clause[] | undefined {
  const clauses: Clause[] = [];
  for (const part of filter.split(/\s+and\s+/i)) {
    const m = /^\s*properties\/([A-Za-z]+(?:\/[A-Za-z]+)?)\s+(eq|ne|ge|gt|le|lt)\s+(?:'((?:[^']|'')*)'|([^\s']+))\s*$/i.exec(part);
    if (!m) return undefined;
    clauses.push({
      property: (m[1] as string).toLowerCase(),
      op: (m[2] as string).toLowerCase() as Clause['op'],
      value: m[3]?.replace(/''/g, "'") ?? (m[4] as string),
    });
  }
  return clauses;
}

function compare(actual: string | null, clause: Clause, kind: 'text' | 'time'): boolean {
  if (kind === 'text') {
    const equal = (actual ?? '').toLowerCase() === clause.value.toLowerCase();
    return clause.op === 'eq' ? equal : clause.op === 'ne' ? !equal : false;
  }
  if (actual === null) return false;
  const a = Date.parse(actual);
  const b = Date.parse(clause.value);
  switch (clause.op) {
    case 'eq':
      return a === b;
    case 'ne':
      return a !== b;
    case 'ge':
      return a >= b;
    case 'gt':
      return a > b;
    case 'le':
      return a <= b;
    case 'lt':
      return a < b;
  }
}

function badFilter(req: SandboxRequest, filter: string, supported: string): SandboxResponse {
  return badRequest(req, `The $filter '${filter}' is not supported. Supported: ${supported}, joined by 'and'.`, 'BadRequest');
}

/** The stream records a `$filter` selects (properties/time ge|gt|le|lt <date>, properties/streamType eq '<type>' or 'Any'). */
function filterStreams(req: SandboxRequest, job: Job): StreamRecord[] | SandboxResponse {
  const filter = req.query.get('$filter');
  if (filter === null || filter.trim() === '') return job.streams;
  const supported = "properties/time ge|gt|le|lt <date-time> and properties/streamType eq '<Output|Error|Warning|Verbose|Debug|Progress|Any>'";
  const clauses = parseFilter(filter);
  if (!clauses) return badFilter(req, filter, supported);
  for (const c of clauses) {
    if (c.property === 'time' && c.op !== 'eq' && c.op !== 'ne' && !Number.isNaN(Date.parse(c.value))) continue;
    if (
      c.property === 'streamtype' &&
      c.op === 'eq' &&
      (c.value.toLowerCase() === 'any' || STREAM_TYPES.some((t) => t.toLowerCase() === c.value.toLowerCase()))
    )
      continue;
    return badFilter(req, filter, supported);
  }
  return job.streams.filter((r) =>
    clauses.every((c) => (c.property === 'time' ? compare(r.time, c, 'time') : c.value.toLowerCase() === 'any' || compare(r.type, c, 'text'))),
  );
}

const JOB_FILTER_TEXT: Readonly<Record<string, (j: Job) => string | null>> = {
  status: (j) => j.status,
  'runbook/name': (j) => j.runbookName,
  provisioningstate: (j) => j.provisioningState,
};
const JOB_FILTER_TIME: Readonly<Record<string, (j: Job) => string | null>> = {
  creationtime: (j) => j.creationTime,
  starttime: (j) => j.startTime,
  endtime: (j) => j.endTime,
  lastmodifiedtime: (j) => j.lastModifiedTime,
};

function filterJobs(req: SandboxRequest, jobs: Job[]): Job[] | SandboxResponse {
  const filter = req.query.get('$filter');
  if (filter === null || filter.trim() === '') return jobs;
  const supported =
    "properties/status, properties/runbook/name, properties/provisioningState eq|ne '<value>'; properties/creationTime, startTime, endTime, lastModifiedTime ge|gt|le|lt <date-time>";
  const clauses = parseFilter(filter);
  if (!clauses) return badFilter(req, filter, supported);
  for (const c of clauses) {
    if (JOB_FILTER_TEXT[c.property] && (c.op === 'eq' || c.op === 'ne')) continue;
    if (JOB_FILTER_TIME[c.property] && c.op !== 'eq' && c.op !== 'ne' && !Number.isNaN(Date.parse(c.value))) continue;
    return badFilter(req, filter, supported);
  }
  return jobs.filter((j) =>
    clauses.every((c) => {
      const text = JOB_FILTER_TEXT[c.property];
      return text ? compare(text(j), c, 'text') : compare((JOB_FILTER_TIME[c.property] as (j: Job) => string | null)(j), c, 'time');
    }),
  );
}

// ---- routes -----------------------------------------------------------------------------------------------------

const JOB_TYPE = `${ACCOUNT_TYPE}/jobs`;

/** `parameters` (string values) and `runOn` of a create body. */
function jobInput(req: SandboxRequest, props: Record<string, unknown>): { parameters: Record<string, string>; runOn: string } | SandboxResponse {
  const raw = props.parameters;
  if (raw !== undefined && raw !== null && !isObject(raw))
    return badRequest(req, "The 'parameters' property must be an object of parameter names and string values.");
  const parameters: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw ?? {})) {
    if (typeof v !== 'string') return badRequest(req, `The value of the job parameter '${k}' must be a string; got ${JSON.stringify(v)}.`);
    parameters[k] = v;
  }
  const runOn = props.runOn ?? '';
  if (typeof runOn !== 'string') return badRequest(req, "The 'runOn' property must be a string: a Hybrid Runbook Worker group, or empty for Azure.");
  if (runOn.trim() !== '')
    return badRequest(
      req,
      `The Hybrid Runbook Worker group '${runOn}' was not found in this Automation account; the sandbox has no hybrid workers (leave runOn empty to run in Azure).`,
      'HybridRunbookWorkerGroupNotFound',
    );
  return { parameters, runOn: '' };
}

function newJob(
  kind: Job['kind'],
  name: string,
  account: AutomationAccount,
  runbook: Runbook,
  content: string,
  input: { parameters: Record<string, string>; runOn: string },
  claims: AccessTokenClaims,
): Job {
  const created = now();
  return {
    kind,
    name,
    jobId: randomUUID(),
    account,
    runbook,
    runbookName: runbook.name,
    runtimeEnvironment: runbook.runtimeEnvironment ?? defaultEnvironment(runbook.runbookType),
    content,
    parameters: input.parameters,
    runOn: input.runOn,
    startedBy: claims.upn ?? claims.oid,
    status: 'New',
    provisioningState: 'Processing',
    creationTime: created,
    startTime: null,
    endTime: null,
    lastModifiedTime: created,
    lastStatusModifiedTime: created,
    exception: null,
    streams: [],
  };
}

/** Account context plus the job of the path (404 ResourceNotFound otherwise). */
function jobContext(req: SandboxRequest, access: 'read' | 'write', action: string) {
  const ctx = automationContext(req, 'automation', access, action, true);
  if (isResponse(ctx)) return ctx;
  const name = req.params.job ?? '';
  const job = jobsOf.get(ctx.account)?.get(name.toLowerCase());
  if (!job)
    return armError(
      req,
      404,
      'ResourceNotFound',
      `The Resource '${JOB_TYPE}/${ctx.account.name}/jobs/${name}' under resource group '${ctx.rg.name}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
    );
  return { ...ctx, job };
}

/** Runbook context plus its test job (404 when none was started). */
function testJobContext(req: SandboxRequest, access: 'read' | 'write', action: string) {
  const ctx = runbookContext(req, access, action);
  if (isResponse(ctx)) return ctx;
  const job = testJobOf.get(ctx.runbook);
  if (!job) return armError(req, 404, 'NotFound', `The runbook '${ctx.runbook.name}' has no test job. Start one with PUT …/draft/testJob.`);
  return { ...ctx, job };
}

function listStreams(req: SandboxRequest, job: Job): SandboxResponse {
  const records = filterStreams(req, job);
  if (isResponse(records)) return records;
  const body = page(
    req,
    records.map((r) => streamItem(job, r)),
  );
  return isResponse(body) ? body : ok(req, 200, body);
}

function getStream(req: SandboxRequest, job: Job): SandboxResponse {
  const id = req.params.stream ?? '';
  const r = job.streams.find((s) => s.id === id);
  if (!r) return armError(req, 404, 'NotFound', `The job stream '${id}' was not found.`);
  return ok(req, 200, streamBody(job, r));
}

function stopResponse(req: SandboxRequest, job: Job, what: string): SandboxResponse {
  if (TERMINAL.has(job.status)) return badRequest(req, `${what} cannot be stopped: it has already ended (status ${job.status}).`);
  requestStop(job);
  return ok(req, 200, undefined);
}

export const jobsModule: SandboxModule = {
  name: 'arm-automation-jobs',
  area: 'arm',
  register(r, core) {
    jobSettings(core);

    // -- jobs (job.json)
    r.get(`${ACCOUNT}/jobs`, (req) => {
      const ctx = automationContext(req, 'automation', 'read', `${JOB_TYPE}/read`, true);
      if (isResponse(ctx)) return ctx;
      const all = [...(jobsOf.get(ctx.account)?.values() ?? [])].sort((a, b) => b.creationTime.localeCompare(a.creationTime) || a.name.localeCompare(b.name));
      const jobs = filterJobs(req, all);
      if (isResponse(jobs)) return jobs;
      const body = page(
        req,
        jobs.map((j) => jobBody(j, ctx.version, true)),
      );
      return isResponse(body) ? body : ok(req, 200, body);
    });
    r.put(`${ACCOUNT}/jobs/:job`, (req) => {
      const ctx = automationContext(req, 'automation', 'write', `${JOB_TYPE}/write`, true);
      if (isResponse(ctx)) return ctx;
      const name = req.params.job ?? '';
      if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/.test(name))
        return badRequest(
          req,
          `The job name '${name}' is invalid. Use a GUID, as the portal does (letters, digits, '-', '_' and '.', at most 128 characters).`,
        );
      if (accountJobs(ctx.account).has(name.toLowerCase()))
        return armError(
          req,
          409,
          'Conflict',
          `A job named '${name}' already exists in the Automation account '${ctx.account.name}'. Job names are unique; use a new GUID.`,
        );
      const body = objectBody(req);
      if (isResponse(body)) return body;
      const props = body.properties;
      if (!isObject(props)) return badRequest(req, "The 'properties' property is required.");
      const runbookName = isObject(props.runbook) ? props.runbook.name : undefined;
      if (typeof runbookName !== 'string' || runbookName === '') return badRequest(req, "The 'properties.runbook.name' property is required.");
      const runbook = ctx.account.runbooks.get(runbookName.toLowerCase());
      if (!runbook || req.core.isPropagating(runbook, req.core.consistency.runbookPropagationMs))
        return armError(req, 404, 'NotFound', `The runbook '${runbookName}' was not found in the Automation account '${ctx.account.name}'.`);
      if (runbook.publishedContent === null)
        return badRequest(
          req,
          `The runbook '${runbook.name}' is not published (state ${runbook.state}): a job runs the published runbook. Publish it, or start a test job on its draft.`,
          'RunbookNotPublished',
        );
      const input = jobInput(req, props);
      if (isResponse(input)) return input;
      const job = newJob('job', name, ctx.account, runbook, runbook.publishedContent, input, ctx.claims);
      accountJobs(ctx.account).set(name.toLowerCase(), job);
      startJob(req.core, job);
      return ok(req, 201, jobBody(job, ctx.version));
    });
    r.get(`${ACCOUNT}/jobs/:job`, (req) => {
      const ctx = jobContext(req, 'read', `${JOB_TYPE}/read`);
      return isResponse(ctx) ? ctx : ok(req, 200, jobBody(ctx.job, ctx.version));
    });
    r.post(`${ACCOUNT}/jobs/:job/stop`, (req) => {
      const ctx = jobContext(req, 'write', `${JOB_TYPE}/stop/action`);
      return isResponse(ctx) ? ctx : stopResponse(req, ctx.job, `The job '${ctx.job.name}'`);
    });
    r.get(`${ACCOUNT}/jobs/:job/output`, (req) => {
      const ctx = jobContext(req, 'read', `${JOB_TYPE}/output/read`);
      if (isResponse(ctx)) return ctx;
      const lines = ctx.job.streams.filter((s) => s.type === 'Output').map((s) => s.text);
      return textResponse(req, lines.length > 0 ? `${lines.join('\n')}\n` : '');
    });
    r.get(`${ACCOUNT}/jobs/:job/runbookContent`, (req) => {
      const ctx = jobContext(req, 'read', `${JOB_TYPE}/runbookContent/action`);
      if (isResponse(ctx)) return ctx;
      return { status: 200, headers: { 'content-type': 'text/powershell', 'x-ms-request-id': req.requestId }, body: ctx.job.content };
    });
    r.get(`${ACCOUNT}/jobs/:job/streams`, (req) => {
      const ctx = jobContext(req, 'read', `${JOB_TYPE}/streams/read`);
      return isResponse(ctx) ? ctx : listStreams(req, ctx.job);
    });
    r.get(`${ACCOUNT}/jobs/:job/streams/:stream`, (req) => {
      const ctx = jobContext(req, 'read', `${JOB_TYPE}/streams/read`);
      return isResponse(ctx) ? ctx : getStream(req, ctx.job);
    });

    // -- the draft's test job (runbook.json)
    r.put(`${ACCOUNT}/runbooks/:runbook/draft/testJob`, (req) => {
      const ctx = runbookContext(req, 'write', `${ACCOUNT_TYPE}/runbooks/draft/testJob/write`);
      if (isResponse(ctx)) return ctx;
      const previous = testJobOf.get(ctx.runbook);
      if (previous && !TERMINAL.has(previous.status))
        return armError(
          req,
          409,
          'Conflict',
          `A test job of the runbook '${ctx.runbook.name}' is already ${previous.status}. Stop it first, or wait until it has ended.`,
        );
      const content = ctx.runbook.draftContent ?? ctx.runbook.publishedContent;
      if (content === null)
        return badRequest(
          req,
          `The runbook '${ctx.runbook.name}' has no draft content to test. Upload it with PUT …/draft/content first.`,
          'RunbookDraftNotFound',
        );
      const body = req.rawBody.trim() === '' ? {} : objectBody(req);
      if (isResponse(body)) return body;
      const input = jobInput(req, body);
      if (isResponse(input)) return input;
      const job = newJob('testJob', 'testJob', ctx.account, ctx.runbook, content, input, ctx.claims);
      testJobOf.set(ctx.runbook, job);
      startJob(req.core, job);
      return ok(req, 201, testJobBody(job));
    });
    r.get(`${ACCOUNT}/runbooks/:runbook/draft/testJob`, (req) => {
      const ctx = testJobContext(req, 'read', `${ACCOUNT_TYPE}/runbooks/draft/testJob/read`);
      return isResponse(ctx) ? ctx : ok(req, 200, testJobBody(ctx.job));
    });
    r.post(`${ACCOUNT}/runbooks/:runbook/draft/testJob/stop`, (req) => {
      const ctx = testJobContext(req, 'write', `${ACCOUNT_TYPE}/runbooks/draft/testJob/stop/action`);
      return isResponse(ctx) ? ctx : stopResponse(req, ctx.job, `The test job of the runbook '${ctx.runbook.name}'`);
    });
    r.get(`${ACCOUNT}/runbooks/:runbook/draft/testJob/streams`, (req) => {
      const ctx = testJobContext(req, 'read', `${ACCOUNT_TYPE}/runbooks/draft/testJob/read`);
      return isResponse(ctx) ? ctx : listStreams(req, ctx.job);
    });
    r.get(`${ACCOUNT}/runbooks/:runbook/draft/testJob/streams/:stream`, (req) => {
      const ctx = testJobContext(req, 'read', `${ACCOUNT_TYPE}/runbooks/draft/testJob/read`);
      return isResponse(ctx) ? ctx : getStream(req, ctx.job);
    });
  },
};
