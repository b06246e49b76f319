// Creating an app registration when Graph's answer is lost (a dropped connection on POST
// /applications): createAppOnce looks for the app before anything is tried again, and says plainly
// what exists. Against the in-process sandbox with the extension's GraphDirectory over the SDK client.
// "Created but the answer was lost" is the sandbox's `after` drop: the handler runs, then the
// connection drops.
import assert from 'node:assert/strict';
import { GraphDirectory } from '../../../src/graph/directory';
import { createAppOnce } from '../../../src/services/apps';
import { startSandbox, type Sandbox } from '../../../sandbox/index';
import { trustSandboxCa } from '../../../sandbox/trust';
import { DEFAULT_RETRY_POLICY } from '../../../src/http/retryPolicy';
import { sandboxGraph } from '../../support/sandboxSuite';

describe('createAppOnce: a create whose answer is lost is checked, never repeated blindly (sandbox)', () => {
  const f = {} as { sandbox: Sandbox };
  let untrust: (() => void) | undefined;
  let directory: GraphDirectory;

  before(async () => {
    f.sandbox = await startSandbox({ seed: 95, size: { apps: 20 } });
    untrust = trustSandboxCa(f.sandbox.caCertPem);
    ({ directory } = sandboxGraph(f.sandbox, { ...DEFAULT_RETRY_POLICY, maxAttempts: 3, baseDelayMs: 0, maxRetryAfterMs: 1000 }));
    await directory.organization.get();
  });
  after(async () => {
    untrust?.();
    await f.sandbox?.stop();
  });
  afterEach(() => f.sandbox.setFaults([]));

  const named = (name: string) => f.sandbox.core.state.applicationsOf(f.sandbox.info.homeTenant.id).filter((a) => a.displayName === name);
  const dropCreate = { kind: 'drop' as const, method: 'POST', pathPrefix: '/graph/v1.0/applications', count: 1 };
  const body = (displayName: string) => ({ displayName, signInAudience: 'AzureADMultipleOrgs' });

  it('answered: creates once, nothing looked up', async () => {
    const since = f.sandbox.core.log.last;
    const out = await createAppOnce(directory, body('fc-once-plain'));
    assert.equal(out.recovered, false);
    assert.equal(named('fc-once-plain').length, 1);
    assert.deepEqual(
      f.sandbox.requests(since).map((r) => r.method),
      ['POST'],
    );
  });

  it('answer lost, the app was created: it is found and used, not created a second time', async () => {
    // `after`: the sandbox creates the app, then drops the connection instead of answering.
    f.sandbox.setFaults([{ ...dropCreate, after: true }]);
    const since = f.sandbox.core.log.last;
    const out = await createAppOnce(directory, body('fc-once-lost'));
    assert.equal(out.recovered, true);
    assert.deepEqual(
      named('fc-once-lost').map((a) => a.id),
      [out.app.id],
      'exactly one app, the one returned',
    );
    assert.deepEqual(
      f.sandbox.requests(since).map((r) => `${r.method} ${r.status}`),
      ['POST 0', 'GET 200'],
      'the dropped POST, then one look-up; never a second POST',
    );
  });

  it('answer lost, no such app: "most likely not created", refresh before trying again', async () => {
    f.sandbox.setFaults([dropCreate]);
    await assert.rejects(
      createAppOnce(directory, body('fc-once-none')),
      /Could not reach Microsoft Graph.*No app registration named "fc-once-none" has appeared since, so it was most likely not created; .*refresh the App Registrations view before creating it again\./s,
    );
    assert.equal(named('fc-once-none').length, 0);
  });

  it('answer lost and two recent apps of that name: says it may be either, creates nothing', async () => {
    await directory.apps.createApp(body('fc-once-two'));
    await directory.apps.createApp(body('fc-once-two'));
    f.sandbox.setFaults([dropCreate]);
    await assert.rejects(
      createAppOnce(directory, body('fc-once-two')),
      /2 app registrations named "fc-once-two" were created in the last minutes, and one of them may be this one/,
    );
    assert.equal(named('fc-once-two').length, 2);
  });

  it('answer lost and the look-up fails too: "may have been created"', async () => {
    f.sandbox.setFaults([dropCreate, { kind: 'error', status: 500, method: 'GET', pathPrefix: '/graph/v1.0/applications' }]);
    await assert.rejects(
      createAppOnce(directory, body('fc-once-blind')),
      /The app registration "fc-once-blind" may have been created all the same, and checking failed too/,
    );
  });

  it('a refusal (4xx) is no lost answer: reported as it is, nothing looked up', async () => {
    f.sandbox.setFaults([{ kind: 'error', status: 403, method: 'POST', pathPrefix: '/graph/v1.0/applications', count: 1 }]);
    const since = f.sandbox.core.log.last;
    await assert.rejects(createAppOnce(directory, body('fc-once-403')), (error: Error) => !/created/.test(error.message));
    assert.deepEqual(
      f.sandbox.requests(since).map((r) => r.method),
      ['POST'],
    );
  });
});
