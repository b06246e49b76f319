// The emulator's Automation jobs (sandbox/arm/jobs.ts), through ARM as any client would call them: jobs that
// really run with this machine's python3, their statuses, streams and output, stop, the time limit, a missing
// runtime, the draft's test job, RBAC, and what the request log keeps of a job's identity calls.
import assert from 'node:assert/strict';
import { renderRunbook } from '../../../src/runbooks';
import { setArmSettings, setJobSettings } from '../../../sandbox/arm';
import { DEFAULT_ARM_SETTINGS } from '../../../sandbox/arm/common';
import { DEFAULT_JOB_SETTINGS } from '../../../sandbox/arm/jobs';
import { arm, armErrorOf, armToken } from '../../../sandbox/test/armHelpers';
import { useSandbox } from '../../../sandbox/test/helpers';

const V = '2024-10-23';
const TERMINAL = ['Completed', 'Failed', 'Stopped'];
const JWT = /eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/;

interface JobProps {
  status: string;
  provisioningState: string;
  startTime: string | null;
  endTime: string | null;
  exception: string | null;
  parameters?: Record<string, string>;
}
interface StreamItem {
  id: string;
  properties: { jobStreamId: string; summary: string; time: string; streamType: string };
}

describe('sandbox: Automation jobs run for real', function () {
  this.timeout(30_000);
  const f = useSandbox({ seed: 71, jobs: { queueMs: 20 } });
  const acct = () => f.sandbox.info.automationAccount.id;
  let counter = 0;
  const jobName = () => `00000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`;

  beforeEach(() => {
    setArmSettings(f.sandbox.core, { ...DEFAULT_ARM_SETTINGS, retryAfterSeconds: 0, lroPolls: 0, draftContent: 'sync' });
    setJobSettings(f.sandbox.core, { ...DEFAULT_JOB_SETTINGS, queueMs: 20 });
  });

  /** Creates (or updates) a runbook through ARM, uploads its draft and, unless told not to, publishes it. */
  async function deploy(name: string, content: string, o: { type?: string; env?: string; publish?: boolean } = {}): Promise<void> {
    const type = o.type ?? 'Python';
    const props: Record<string, unknown> = { runbookType: type, draft: {} };
    if (type === 'Python' || o.env) props.runtimeEnvironment = o.env ?? 'Python-3.10';
    const created = await arm(f.sandbox, 'PUT', `${acct()}/runbooks/${name}`, { apiVersion: V, body: { properties: props } });
    assert.ok(created.status === 201 || created.status === 200, created.text);
    assert.equal((await arm(f.sandbox, 'PUT', `${acct()}/runbooks/${name}/draft/content`, { apiVersion: V, text: content })).status, 200);
    if (o.publish === false) return;
    const published = await arm(f.sandbox, 'POST', `${acct()}/runbooks/${name}/publish`, { apiVersion: V });
    assert.equal(published.status, 202);
    assert.equal((await arm(f.sandbox, 'GET', published.headers.get('location') ?? '')).status, 204);
  }

  async function start(runbook: string, parameters?: Record<string, string>, name = jobName()): Promise<string> {
    const r = await arm(f.sandbox, 'PUT', `${acct()}/jobs/${name}`, { apiVersion: V, body: { properties: { runbook: { name: runbook }, parameters } } });
    assert.equal(r.status, 201, r.text);
    return name;
  }

  /** Polls the job until it has ended; returns its last body and every status seen. */
  async function waitFor(path: string, until: (status: string) => boolean = (s) => TERMINAL.includes(s)): Promise<{ job: JobProps; seen: string[] }> {
    const seen: string[] = [];
    for (let i = 0; i < 300; i++) {
      const r = await arm(f.sandbox, 'GET', path, { apiVersion: V });
      assert.equal(r.status, 200, r.text);
      const job = (r.body.properties ?? r.body) as unknown as JobProps;
      if (seen.at(-1) !== job.status) seen.push(job.status);
      if (until(job.status)) return { job, seen };
      await new Promise((res) => setTimeout(res, 25));
    }
    throw new Error(`the job never got there: ${seen.join(' → ')}`);
  }

  const jobPath = (name: string) => `${acct()}/jobs/${name}`;

  async function streams(path: string, filter?: string): Promise<StreamItem[]> {
    const url = new URL(`${f.sandbox.urls.arm}${path}/streams`);
    url.searchParams.set('api-version', V);
    if (filter) url.searchParams.set('$filter', filter);
    const r = await arm(f.sandbox, 'GET', url.toString());
    assert.equal(r.status, 200, r.text);
    return r.body.value as StreamItem[];
  }

  it('runs a Python job to Completed: statuses, times, Output stream, text/plain output, the stream by id', async () => {
    await deploy('Py-Hello', 'print("hello from the job")\nprint("second line")\n');
    const name = await start('Py-Hello');
    const { job, seen } = await waitFor(jobPath(name));
    assert.equal(seen[0], 'New');
    assert.equal(seen.at(-1), 'Completed');
    assert.equal(job.provisioningState, 'Succeeded');
    assert.equal(job.exception, null);
    assert.ok(job.startTime && job.endTime && job.startTime <= job.endTime, JSON.stringify(job));

    const records = await streams(jobPath(name));
    assert.deepEqual(
      records.map((s) => [s.properties.streamType, s.properties.summary]),
      [
        ['Output', 'hello from the job'],
        ['Output', 'second line'],
      ],
    );
    const output = await arm(f.sandbox, 'GET', `${jobPath(name)}/output`, { apiVersion: V });
    assert.equal(output.status, 200);
    assert.match(output.headers.get('content-type') ?? '', /^text\/plain/);
    assert.equal(output.text, 'hello from the job\nsecond line\n');

    const first = records[0] as StreamItem;
    assert.match(first.properties.jobStreamId, /^[0-9a-f-]{36}_\d{20}_\d{20}$/);
    const one = await arm(f.sandbox, 'GET', `${jobPath(name)}/streams/${first.properties.jobStreamId}`, { apiVersion: V });
    assert.equal(one.status, 200);
    assert.equal((one.body.properties as { streamText: string }).streamText, 'hello from the job');
    assert.equal((await arm(f.sandbox, 'GET', `${jobPath(name)}/streams/nope`, { apiVersion: V })).status, 404);

    // The job is listed (newest first), and the list pages.
    await start('Py-Hello');
    setArmSettings(f.sandbox.core, { pageSize: 1 });
    const list = await arm(f.sandbox, 'GET', `${acct()}/jobs`, { apiVersion: V });
    assert.equal((list.body.value as unknown[]).length, 1);
    assert.ok(typeof list.body.nextLink === 'string');
    const next = await arm(f.sandbox, 'GET', list.body.nextLink as string);
    assert.ok((next.body.value as { name: string }[]).some((j) => j.name === name) || typeof next.body.nextLink === 'string');
    setArmSettings(f.sandbox.core, { pageSize: 100 });
    const completed = await arm(
      f.sandbox,
      'GET',
      `${acct()}/jobs?$filter=${encodeURIComponent("properties/status eq 'Completed' and properties/runbook/name eq 'Py-Hello'")}`,
      {
        apiVersion: V,
      },
    );
    assert.ok((completed.body.value as { name: string; properties: { status: string } }[]).every((j) => j.properties.status === 'Completed'));
    assert.ok((completed.body.value as { name: string }[]).some((j) => j.name === name));
    const bad = await arm(f.sandbox, 'GET', `${acct()}/jobs?$filter=${encodeURIComponent('properties/color eq 1')}`, { apiVersion: V });
    assert.equal(bad.status, 400);
  });

  it('sends stderr to the Error stream; $filter picks streams by type and time', async () => {
    await deploy('Py-Stderr', 'import sys, time\nprint("to output")\nprint("to error", file=sys.stderr)\ntime.sleep(0.3)\nprint("later")\n');
    const name = await start('Py-Stderr');
    const { job } = await waitFor(jobPath(name));
    assert.equal(job.status, 'Completed', 'stderr alone does not fail a job');
    const errors = await streams(jobPath(name), "properties/streamType eq 'Error'");
    assert.deepEqual(
      errors.map((s) => s.properties.summary),
      ['to error'],
    );
    const all = await streams(jobPath(name), "properties/streamType eq 'Any'");
    assert.equal(all.length, 3);
    const later = all.find((s) => s.properties.summary === 'later') as StreamItem;
    const since = await streams(jobPath(name), `properties/time ge ${later.properties.time}`);
    assert.deepEqual(
      since.map((s) => s.properties.summary),
      ['later'],
    );
    const refused = await arm(f.sandbox, 'GET', `${jobPath(name)}/streams?$filter=${encodeURIComponent("properties/streamType eq 'Colour'")}`, {
      apiVersion: V,
    });
    assert.equal(refused.status, 400);
    assert.equal(armErrorOf(refused).code, 'BadRequest');
  });

  it('passes the parameters as sys.argv, in the order given', async () => {
    await deploy('Py-Args', 'import json, sys\nprint(json.dumps(sys.argv[1:]))\n');
    const name = await start('Py-Args', { Tenant: 'contoso.example', Spaces: 'a b "c"', Empty: '' });
    const { job } = await waitFor(jobPath(name));
    assert.equal(job.status, 'Completed');
    assert.deepEqual(job.parameters, { Tenant: 'contoso.example', Spaces: 'a b "c"', Empty: '' });
    const output = await arm(f.sandbox, 'GET', `${jobPath(name)}/output`, { apiVersion: V });
    assert.deepEqual(JSON.parse(output.text), ['contoso.example', 'a b "c"', '']);
    const notString = await arm(f.sandbox, 'PUT', jobPath(jobName()), {
      apiVersion: V,
      body: { properties: { runbook: { name: 'Py-Args' }, parameters: { n: 1 } } },
    });
    assert.equal(notString.status, 400);
  });

  it('a script that raises ends Failed with the exception; the traceback is in the Error stream', async () => {
    await deploy('Py-Raise', 'print("before")\nraise ValueError("boom from the runbook")\n');
    const name = await start('Py-Raise');
    const { job } = await waitFor(jobPath(name));
    assert.equal(job.status, 'Failed');
    assert.equal(job.provisioningState, 'Failed');
    assert.match(job.exception ?? '', /^ValueError: boom from the runbook \(exit code 1\)$/);
    const errors = await streams(jobPath(name), "properties/streamType eq 'Error'");
    assert.ok(errors.some((s) => s.properties.summary.startsWith('Traceback')));
    assert.equal((await arm(f.sandbox, 'GET', `${jobPath(name)}/output`, { apiVersion: V })).text, 'before\n');
  });

  it('stop ends a running job as Stopped (the process is killed); stopping it again is refused', async () => {
    await deploy('Py-Sleep', 'import time\nprint("started", flush=True)\ntime.sleep(60)\nprint("never")\n');
    const name = await start('Py-Sleep');
    await waitFor(jobPath(name), (s) => s === 'Running');
    const t0 = Date.now();
    const stop = await arm(f.sandbox, 'POST', `${jobPath(name)}/stop`, { apiVersion: V });
    assert.equal(stop.status, 200);
    const { job, seen } = await waitFor(jobPath(name));
    assert.equal(job.status, 'Stopped');
    assert.ok(Date.now() - t0 < 5000, 'stopped promptly');
    assert.ok(seen[0] === 'Stopping' || seen[0] === 'Stopped', seen.join());
    assert.ok(job.endTime);
    assert.doesNotMatch((await arm(f.sandbox, 'GET', `${jobPath(name)}/output`, { apiVersion: V })).text, /never/);
    const again = await arm(f.sandbox, 'POST', `${jobPath(name)}/stop`, { apiVersion: V });
    assert.equal(again.status, 400);
  });

  it('a job over the time limit is killed and ends Failed with the reason', async () => {
    setJobSettings(f.sandbox.core, { timeLimitSeconds: 0.5 });
    await deploy('Py-Long', 'import time\ntime.sleep(30)\n');
    const name = await start('Py-Long');
    const { job } = await waitFor(jobPath(name));
    assert.equal(job.status, 'Failed');
    assert.match(job.exception ?? '', /stopped after 0\.5 seconds: that is the sandbox's time limit/);
  });

  it('a missing runtime fails the job clearly: Python 3, PowerShell', async () => {
    setJobSettings(f.sandbox.core, { python: '/nonexistent/python3', pwsh: '/nonexistent/pwsh' });
    await deploy('Py-NoRuntime', 'print(1)\n');
    const py = await waitFor(jobPath(await start('Py-NoRuntime')));
    assert.equal(py.job.status, 'Failed');
    assert.match(py.job.exception ?? '', /^Python 3 is not installed on this machine: '\/nonexistent\/python3' was not found/);
    await deploy('Ps-NoRuntime', 'Write-Output 1', { type: 'PowerShell', env: 'PowerShell-7.2' });
    const psName = await start('Ps-NoRuntime');
    const ps = { ...(await waitFor(jobPath(psName))), name: psName };
    assert.equal(ps.job.status, 'Failed');
    assert.match(ps.job.exception ?? '', /^PowerShell is not installed on this machine/);
    const errors = await streams(jobPath(ps.name), "properties/streamType eq 'Error'");
    assert.match(errors[0]?.properties.summary ?? '', /^PowerShell is not installed on this machine/, 'the reason is in the Error stream too');
  });

  it('refuses a job on an unpublished or missing runbook, a hybrid worker group, a duplicate name', async () => {
    await deploy('Py-Draft-Only', 'print(1)\n', { publish: false });
    const unpublished = await arm(f.sandbox, 'PUT', jobPath(jobName()), { apiVersion: V, body: { properties: { runbook: { name: 'Py-Draft-Only' } } } });
    assert.equal(unpublished.status, 400);
    assert.equal(armErrorOf(unpublished).code, 'RunbookNotPublished');
    const missing = await arm(f.sandbox, 'PUT', jobPath(jobName()), { apiVersion: V, body: { properties: { runbook: { name: 'Nope' } } } });
    assert.equal(missing.status, 404);
    const noRunbook = await arm(f.sandbox, 'PUT', jobPath(jobName()), { apiVersion: V, body: { properties: {} } });
    assert.equal(noRunbook.status, 400);
    await deploy('Py-Ok', 'print(1)\n');
    const hybrid = await arm(f.sandbox, 'PUT', jobPath(jobName()), {
      apiVersion: V,
      body: { properties: { runbook: { name: 'Py-Ok' }, runOn: 'my-workers' } },
    });
    assert.equal(hybrid.status, 400);
    const name = await start('Py-Ok');
    const twice = await arm(f.sandbox, 'PUT', jobPath(name), { apiVersion: V, body: { properties: { runbook: { name: 'Py-Ok' } } } });
    assert.equal(twice.status, 409);
    assert.equal((await arm(f.sandbox, 'GET', jobPath('no-such-job'), { apiVersion: V })).status, 404);
    await waitFor(jobPath(name));
  });

  it("the draft's test job runs the draft, with its streams; one at a time; stop", async () => {
    await deploy('Py-Testable', 'print("published version")\n');
    assert.equal((await arm(f.sandbox, 'GET', `${acct()}/runbooks/Py-Testable/draft/testJob`, { apiVersion: V })).status, 404);
    assert.equal(
      (
        await arm(f.sandbox, 'PUT', `${acct()}/runbooks/Py-Testable/draft/content`, {
          apiVersion: V,
          text: 'import sys\nprint("draft version", sys.argv[1:])\n',
        })
      ).status,
      200,
    );
    const base = `${acct()}/runbooks/Py-Testable/draft/testJob`;
    const created = await arm(f.sandbox, 'PUT', base, { apiVersion: V, body: { parameters: { a: 'x' } } });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.body.status, 'New');
    const { job } = await waitFor(base);
    assert.equal(job.status, 'Completed');
    assert.deepEqual(
      (await streams(base)).map((s) => [s.properties.streamType, s.properties.summary]),
      [['Output', "draft version ['x']"]],
    );

    await arm(f.sandbox, 'PUT', `${acct()}/runbooks/Py-Testable/draft/content`, { apiVersion: V, text: 'import time\ntime.sleep(60)\n' });
    assert.equal((await arm(f.sandbox, 'PUT', base, { apiVersion: V, body: {} })).status, 201);
    const busy = await arm(f.sandbox, 'PUT', base, { apiVersion: V, body: {} });
    assert.equal(busy.status, 409, 'one test job at a time');
    await waitFor(base, (s) => s === 'Running');
    assert.equal((await arm(f.sandbox, 'POST', `${base}/stop`, { apiVersion: V })).status, 200);
    assert.equal((await waitFor(base)).job.status, 'Stopped');
  });

  it('RBAC: no role → 403 AuthorizationFailed; a Reader reads jobs but cannot start or stop one', async () => {
    const { info, core } = f.sandbox;
    await deploy('Py-Rbac', 'print("rbac")\n');
    const name = await start('Py-Rbac');
    const nobody = armToken(f.sandbox, { userId: info.users.find((u) => u.username.startsWith('user@contoso'))?.id });
    const denied = await arm(f.sandbox, 'PUT', jobPath(jobName()), { token: nobody, apiVersion: V, body: { properties: { runbook: { name: 'Py-Rbac' } } } });
    assert.equal(denied.status, 403);
    assert.equal(armErrorOf(denied).code, 'AuthorizationFailed');
    assert.match(armErrorOf(denied).message, /'Microsoft\.Automation\/automationAccounts\/jobs\/write'/);
    assert.equal((await arm(f.sandbox, 'GET', jobPath(name), { token: nobody, apiVersion: V })).status, 403);
    assert.equal((await arm(f.sandbox, 'GET', `${jobPath(name)}/output`, { token: nobody, apiVersion: V })).status, 403);

    const reader = info.users.find((u) => u.roles.includes('Application Developer'));
    assert.ok(reader);
    core.state.armRoleAssignments.set('jobs-reader', { id: 'jr', principalId: reader.id, scope: acct(), roleDefinitionName: 'Reader' });
    try {
      const token = armToken(f.sandbox, { userId: reader.id });
      assert.equal((await arm(f.sandbox, 'GET', jobPath(name), { token, apiVersion: V })).status, 200);
      assert.equal((await arm(f.sandbox, 'GET', `${acct()}/jobs`, { token, apiVersion: V })).status, 200);
      assert.equal(
        (await arm(f.sandbox, 'PUT', jobPath(jobName()), { token, apiVersion: V, body: { properties: { runbook: { name: 'Py-Rbac' } } } })).status,
        403,
      );
      assert.equal((await arm(f.sandbox, 'POST', `${jobPath(name)}/stop`, { token, apiVersion: V })).status, 403);
      assert.equal((await arm(f.sandbox, 'PUT', `${acct()}/runbooks/Py-Rbac/draft/testJob`, { token, apiVersion: V, body: {} })).status, 403);
    } finally {
      core.state.armRoleAssignments.delete('jobs-reader');
    }
    await waitFor(jobPath(name));
  });

  it("a job's identity: its own IDENTITY_HEADER (a secret, revoked at the end); nothing secret in the request log", async () => {
    const { core, info } = f.sandbox;
    const script = [
      'import json, os, urllib.request',
      'endpoint, header = os.environ["IDENTITY_ENDPOINT"], os.environ["IDENTITY_HEADER"]',
      'def token(query):',
      '    request = urllib.request.Request(endpoint + "?api-version=2019-08-01&resource=https://management.azure.com/" + query, headers={"X-IDENTITY-HEADER": header})',
      '    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(request) as response:',
      '        return json.loads(response.read())["access_token"]',
      'def claims(t):',
      '    import base64',
      '    part = t.split(".")[1]',
      '    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))',
      'print("system", claims(token(""))["oid"])',
      `print("user", claims(token("&client_id=${info.automationAccount.userAssigned.clientId}"))["oid"])`,
      '',
    ].join('\n');
    await deploy('Py-Identity', script);
    const mark = f.sandbox.requests().at(-1)?.seq ?? 0;
    const secretsBefore = new Set(core.secrets.list().map((s) => s.value));
    const name = await start('Py-Identity');
    const { job } = await waitFor(jobPath(name));
    const output = (await arm(f.sandbox, 'GET', `${jobPath(name)}/output`, { apiVersion: V })).text;
    assert.equal(job.status, 'Completed', output);
    assert.match(output, new RegExp(`^system ${info.automationAccount.systemAssigned.principalId}$`, 'm'));
    assert.match(output, new RegExp(`^user ${info.automationAccount.userAssigned.principalId}$`, 'm'));

    // The job's header was recorded as a secret, differs from the sandbox-wide one, and no longer works.
    const jobHeaders = core.secrets.list().filter((s) => s.kind === 'identityHeader' && !secretsBefore.has(s.value));
    assert.equal(jobHeaders.length, 1);
    const jobHeader = (jobHeaders[0] as { value: string }).value;
    assert.notEqual(jobHeader, core.identityHeader);
    const afterwards = await fetch(`${info.managedIdentityEndpoint}?resource=https://management.azure.com/`, { headers: { 'X-IDENTITY-HEADER': jobHeader } });
    assert.equal(afterwards.status, 401, 'revoked when the job ended');

    // The log has the job's two identity calls, with the header redacted, and no secret anywhere.
    const logged = f.sandbox.requests(mark);
    const mi = logged.filter((r) => r.area === 'mi');
    assert.equal(mi.length, 3, 'two from the job, one from this test');
    assert.ok(mi.every((r) => r.headers['x-identity-header'] === '[redacted]'));
    const text = JSON.stringify(logged);
    for (const s of core.secrets.list()) assert.ok(!text.includes(s.value), `a ${s.kind} is in the request log`);
    assert.doesNotMatch(text, JWT);
    const streamText = JSON.stringify(await streams(jobPath(name)));
    assert.ok(!streamText.includes(jobHeader) && !JWT.test(streamText), 'nothing secret in the streams');
  });

  it('runs the generated Python runbook end to end: fails before consent in the customer tenant, lists its users after', async function () {
    const { info } = f.sandbox;
    const runbook = renderRunbook({
      template: 'python',
      appClientId: info.multiTenantApp.appId,
      appDisplayName: 'Contoso Multi-Tenant Reporter',
      homeTenantId: info.homeTenant.id,
      targetTenants: [info.customerTenant.domain],
      identity: { kind: 'userAssigned', clientId: info.automationAccount.userAssigned.clientId },
      cloud: { loginUrl: info.customCloud.loginUrl, graphUrl: info.customCloud.graphUrl, tokenExchangeAudience: info.customCloud.tokenExchangeAudience },
      generatedOn: '2025-06-01',
    });
    await deploy(runbook.runbookName, runbook.content);

    const before = await waitFor(jobPath(await start(runbook.runbookName)));
    assert.equal(before.job.status, 'Failed');
    assert.match(before.job.exception ?? '', /Every target tenant failed \(1 of 1\)\. \(exit code 1\)/);
    const failedName = (
      await arm(f.sandbox, 'GET', `${acct()}/jobs?$filter=${encodeURIComponent(`properties/runbook/name eq '${runbook.runbookName}'`)}`, { apiVersion: V })
    ).body.value as { name: string }[];
    const failedOutput = (await arm(f.sandbox, 'GET', `${jobPath((failedName[0] as { name: string }).name)}/output`, { apiVersion: V })).text;
    assert.match(failedOutput, /AADSTS700016/);

    const consent = await fetch(`${info.controlUrl}/consent`, {
      method: 'POST',
      headers: { 'X-Sandbox-Control-Key': info.controlKey, 'Content-Type': 'application/json' },
      body: JSON.stringify({ tenant: info.customerTenant.id, clientId: info.multiTenantApp.appId }),
    });
    assert.equal(consent.status, 200);
    const name = await start(runbook.runbookName);
    const after = await waitFor(jobPath(name));
    const output = (await arm(f.sandbox, 'GET', `${jobPath(name)}/output`, { apiVersion: V })).text;
    assert.equal(after.job.status, 'Completed', output);
    const customerUser = info.users.find((u) => u.tenantId === info.customerTenant.id);
    assert.ok(customerUser);
    assert.match(output, /^\[OK\] {5}/m);
    assert.ok(
      info.users.some((u) => u.tenantId === info.customerTenant.id && output.includes(`<${u.username}>`)),
      `a customer user is listed:\n${output}`,
    );
    assert.doesNotMatch(output, JWT);
  });
});
