// AutomationJobs (src/arm/automationJobs.ts) over a scripted ARM: the polling schedule (Retry-After honoured,
// longer waits while nothing changes, back to the short interval on news) and the lost-answer PUT.
import assert from 'node:assert/strict';
import { ArmRequestError, type ArmResponse } from '../../../src/arm/armClient';
import type { ArmRequester } from '../../../src/arm/automation';
import { AutomationJobs, type JobEvent } from '../../../src/arm/automationJobs';

const ACCOUNT = '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Automation/automationAccounts/aa-contoso';

interface Answer {
  readonly status?: number;
  readonly headers?: Record<string, string>;
  readonly body: unknown;
}

function scripted(answers: (method: string, path: string) => Answer | Error): ArmRequester & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async request<T>(method: string, path: string): Promise<ArmResponse<T>> {
      calls.push(`${method} ${path}`);
      const a = answers(method, path);
      if (a instanceof Error) throw a;
      return { status: a.status ?? 200, headers: a.headers ?? {}, body: a.body as T };
    },
    async listAll<T>(path: string): Promise<T[]> {
      calls.push(`LIST ${path}`);
      const a = answers('LIST', path);
      if (a instanceof Error) throw a;
      return (a.body as { value: T[] }).value;
    },
  };
}

const job = (status: string) => ({ name: 'j', properties: { status, runbook: { name: 'Rb' } } });

describe('arm: AutomationJobs polling', () => {
  it('honours Retry-After, waits longer while nothing changes, and ends with the final status', async () => {
    const statuses = ['New', 'Running', 'Running', 'Running', 'Running', 'Completed'];
    let reads = 0;
    const arm = scripted((method, path) => {
      if (method === 'GET' && path.endsWith('/jobs/j')) {
        const status = statuses[Math.min(reads, statuses.length - 1)] as string;
        reads++;
        const headers: Record<string, string> = reads === 1 ? { 'retry-after': '7' } : {};
        return { body: job(status), headers };
      }
      return { body: { value: [] } };
    });
    const waits: number[] = [];
    const jobs = new AutomationJobs(arm, {
      pollIntervalMs: 100,
      maxPollIntervalMs: 300,
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    const events: JobEvent[] = [];
    const final = await jobs.waitForJob({ accountId: ACCOUNT, runbookName: 'Rb', jobName: 'j' }, (e) => events.push(e));
    assert.equal(final.status, 'Completed');
    assert.deepEqual(
      events.map((e) => (e.kind === 'stream' ? e.record.text : e.kind === 'status' ? e.status : `end:${e.job.status}`)),
      ['New', 'Running', 'end:Completed'],
    );
    // 7 s asked by Retry-After; Running is news (100); then 150, 225, 300 (the cap).
    assert.deepEqual(waits, [7000, 100, 150, 225, 300]);
  });

  it('a PUT sent again after a lost answer finds its job (409) and returns it', async () => {
    const arm = scripted((method, path) => {
      if (method === 'PUT') return new ArmRequestError(409, 'Conflict', 'A job named … already exists');
      if (method === 'GET' && /\/jobs\/fixed-name$/.test(path)) return { body: job('Running') };
      return { body: {} };
    });
    const jobs = new AutomationJobs(arm, { newJobName: () => 'fixed-name' });
    const started = await jobs.startJob(ACCOUNT, 'Rb');
    assert.equal(started.status, 'Running');
    assert.deepEqual(arm.calls, [`PUT ${ACCOUNT}/jobs/fixed-name`, `GET ${ACCOUNT}/jobs/fixed-name`]);
  });

  it('a 409 for a job of another runbook is not taken for ours', async () => {
    const arm = scripted((method) => (method === 'PUT' ? new ArmRequestError(409, 'Conflict', 'exists') : { body: job('Running') }));
    const jobs = new AutomationJobs(arm, { newJobName: () => 'fixed-name' });
    await assert.rejects(jobs.startJob(ACCOUNT, 'Other'), /exists/);
  });
});
