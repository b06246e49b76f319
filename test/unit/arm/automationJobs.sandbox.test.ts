// The extension's AutomationJobs client (src/arm/automationJobs.ts) over the unchanged ArmClient, against the
// sandbox as a custom cloud: start a job (a GUID name) or a test job, follow it to the end (status changes,
// stream records, the final status), incremental streams, output, cancel and stop.
import assert from 'node:assert/strict';
import { ClientSecretCredential } from '@azure/identity';
import { ArmClient } from '../../../src/arm/armClient';
import { AutomationJobs, type JobEvent, type JobStreamRecord, type StreamCursor } from '../../../src/arm/automationJobs';
import { resolveCloud } from '../../../src/domain/clouds';
import { DEFAULT_RETRY_POLICY } from '../../../src/http/retryPolicy';
import { isUserCancelled } from '../../../src/util/cancellation';
import { setArmSettings, setJobSettings } from '../../../sandbox/arm';
import { DEFAULT_ARM_SETTINGS } from '../../../sandbox/arm/common';
import { arm } from '../../../sandbox/test/armHelpers';
import { useSandbox } from '../../../sandbox/test/helpers';

const V = '2024-10-23';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('arm: AutomationJobs client against the sandbox', function () {
  this.timeout(30_000);
  const f = useSandbox({ seed: 73, jobs: { queueMs: 20 } });
  let jobs: AutomationJobs;
  const acct = () => f.sandbox.info.automationAccount.id;

  before(() => {
    const { info } = f.sandbox;
    const cloud = resolveCloud('Custom', info.customCloud);
    const credential = new ClientSecretCredential(info.homeTenant.id, info.confidentialClient.clientId, info.confidentialClient.clientSecret, {
      authorityHost: info.loginUrl,
      disableInstanceDiscovery: true,
    });
    const client = new ArmClient({ cloud, credential, retry: { ...DEFAULT_RETRY_POLICY, maxAttempts: 3, baseDelayMs: 0 } });
    jobs = new AutomationJobs(client, { pollIntervalMs: 30, maxPollIntervalMs: 60 });
  });
  beforeEach(() => {
    setArmSettings(f.sandbox.core, { ...DEFAULT_ARM_SETTINGS, retryAfterSeconds: 0, lroPolls: 0, draftContent: 'sync' });
    setJobSettings(f.sandbox.core, { timeLimitSeconds: 300 });
  });

  async function deploy(name: string, content: string, publish = true): Promise<void> {
    const body = { properties: { runbookType: 'Python', runtimeEnvironment: 'Python-3.10', draft: {} } };
    assert.ok([200, 201].includes((await arm(f.sandbox, 'PUT', `${acct()}/runbooks/${name}`, { apiVersion: V, body })).status));
    assert.equal((await arm(f.sandbox, 'PUT', `${acct()}/runbooks/${name}/draft/content`, { apiVersion: V, text: content })).status, 200);
    if (!publish) return;
    const published = await arm(f.sandbox, 'POST', `${acct()}/runbooks/${name}/publish`, { apiVersion: V });
    assert.equal((await arm(f.sandbox, 'GET', published.headers.get('location') ?? '')).status, 204);
  }

  async function collect(events: AsyncGenerator<JobEvent>): Promise<JobEvent[]> {
    const out: JobEvent[] = [];
    for await (const e of events) out.push(e);
    return out;
  }

  it('starts a job under a GUID name and follows it: status changes, every record once, in order, then the final status', async () => {
    await deploy(
      'Client-Hello',
      'import sys, time\nprint("one")\ntime.sleep(0.2)\nprint("warn-ish", file=sys.stderr)\ntime.sleep(0.2)\nprint("two", sys.argv[1])\n',
    );
    const mark = f.sandbox.requests().at(-1)?.seq ?? 0;
    const started = await jobs.startJob(acct(), 'Client-Hello', { Name: 'world' });
    assert.match(started.ref.jobName ?? '', GUID);
    assert.equal(started.status, 'New');
    assert.equal(started.runbookName, 'Client-Hello');
    const put = f.sandbox.requests(mark).find((r) => r.method === 'PUT' && r.path.includes('/jobs/'));
    assert.deepEqual(put?.body, { properties: { runbook: { name: 'Client-Hello' }, parameters: { Name: 'world' } } });

    const events = await collect(jobs.followJob(started.ref));
    const end = events.at(-1);
    assert.equal(end?.kind, 'end');
    assert.equal(end?.kind === 'end' && end.job.status, 'Completed');
    const statuses = events.filter((e) => e.kind === 'status').map((e) => (e.kind === 'status' ? e.status : ''));
    assert.ok(statuses.length >= 1 && statuses.every((s) => ['New', 'Activating', 'Running'].includes(s)), statuses.join());
    assert.equal(new Set(statuses).size, statuses.length, 'each status once');
    const records = events.filter((e): e is Extract<JobEvent, { kind: 'stream' }> => e.kind === 'stream').map((e) => e.record);
    assert.deepEqual(
      records.map((r) => [r.streamType, r.text]),
      [
        ['Output', 'one'],
        ['Error', 'warn-ish'],
        ['Output', 'two world'],
      ],
    );
    assert.equal(new Set(records.map((r) => r.id)).size, 3);
    assert.ok(
      f.sandbox.requests(mark).some((r) => r.path.endsWith('/streams') && /properties\/time ge /.test(r.query.$filter ?? '')),
      'later polls asked only for newer records',
    );
    assert.equal(await jobs.getOutput(started.ref), 'one\ntwo world\n');
  });

  it('listStreams is incremental: each record once across calls with the cursor', async () => {
    await deploy('Client-Drip', 'import time\nfor i in range(6):\n    print("line", i)\n    time.sleep(0.1)\n');
    const { ref } = await jobs.startJob(acct(), 'Client-Drip');
    const seen: JobStreamRecord[] = [];
    let cursor: StreamCursor | undefined;
    for (let i = 0; i < 200; i++) {
      const job = await jobs.getJob(ref);
      const page = await jobs.listStreams(ref, cursor);
      seen.push(...page.records);
      cursor = page.cursor;
      if (job.status === 'Completed') break;
      await new Promise((r) => setTimeout(r, 40));
    }
    assert.deepEqual(
      seen.map((r) => r.text),
      [0, 1, 2, 3, 4, 5].map((i) => `line ${i}`),
    );
    assert.deepEqual((await jobs.listStreams(ref, cursor)).records, [], 'nothing new after the end');
  });

  it('a failing job ends Failed with its exception; the callback API sees the same events', async () => {
    await deploy('Client-Fail', 'raise RuntimeError("no luck")\n');
    const { ref } = await jobs.startJob(acct(), 'Client-Fail');
    const events: JobEvent[] = [];
    const final = await jobs.waitForJob(ref, (e) => events.push(e));
    assert.equal(final.status, 'Failed');
    assert.match(final.exception ?? '', /RuntimeError: no luck/);
    assert.ok(events.some((e) => e.kind === 'stream' && e.record.streamType === 'Error' && /RuntimeError/.test(e.record.text)));
    assert.equal(events.at(-1)?.kind, 'end');
  });

  it('a test job of the draft: startJob({draft}), follow, output from its Output records', async () => {
    await deploy('Client-Draft', 'import sys\nprint("draft says", sys.argv[1])\n', false);
    const started = await jobs.startJob(acct(), 'Client-Draft', { who: 'hi' }, { draft: true });
    assert.equal(started.ref.jobName, undefined);
    const final = await jobs.waitForJob(started.ref);
    assert.equal(final.status, 'Completed');
    assert.equal(await jobs.getOutput(started.ref), 'draft says hi\n');
  });

  it('an AbortSignal ends following with a cancellation; stopJob then stops the job, and again on a stopped one is harmless', async () => {
    await deploy('Client-Long', 'import time\nprint("working", flush=True)\ntime.sleep(60)\n');
    const { ref } = await jobs.startJob(acct(), 'Client-Long');
    const controller = new AbortController();
    const seen: JobEvent[] = [];
    const following = (async () => {
      for await (const e of jobs.followJob(ref, { signal: controller.signal })) {
        seen.push(e);
        if (e.kind === 'stream') controller.abort();
      }
    })();
    await assert.rejects(following, (e: unknown) => isUserCancelled(e));
    assert.ok(seen.some((e) => e.kind === 'stream' && e.record.text === 'working'));
    assert.equal((await jobs.getJob(ref)).status, 'Running', 'cancelling the follow does not stop the job');
    const stopping = await jobs.stopJob(ref);
    assert.ok(['Stopping', 'Stopped'].includes(stopping.status), stopping.status);
    assert.equal((await jobs.waitForJob(ref)).status, 'Stopped');
    assert.equal((await jobs.stopJob(ref)).status, 'Stopped');
  });

  it('refuses bad input before sending anything; ARM errors come through', async () => {
    const mark = f.sandbox.requests().at(-1)?.seq ?? 0;
    await assert.rejects(jobs.startJob(acct(), 'Client-Hello', { n: 1 as unknown as string }), /must be a string/);
    await assert.rejects(jobs.startJob('/subscriptions/x', 'Client-Hello'), /automationAccount/);
    await assert.rejects(jobs.startJob(acct(), '1bad name'), /runbookName/);
    assert.equal(f.sandbox.requests(mark).length, 0);
    await deploy('Client-Unpublished', 'print(1)\n', false);
    await assert.rejects(jobs.startJob(acct(), 'Client-Unpublished'), /RunbookNotPublished/);
  });
});
