// Cancellation of Graph writes, against the in-process sandbox with added latency: the extension's
// GraphDirectory over the real SDK client and CredentialService, unchanged. A cancel stops before
// the next $batch, aborts the request in flight, starts no request afterwards (the sandbox's request
// log), and the outcome lists are exact: added / in flight (may have been applied) / not attempted.
import assert from 'node:assert/strict';
import { resolveCloud } from '../../../src/domain/clouds';
import { buildManagedIdentityCredential } from '../../../src/domain/credentialKinds';
import { GraphDirectory } from '../../../src/graph/directory';
import type { AppRegistration } from '../../../src/domain/model';
import { CredentialService, type MultiAppPlan } from '../../../src/services/credentialService';
import { describeCancelledMultiApp } from '../../../src/services/outcomes';
import { UserCancelledError } from '../../../src/util/cancellation';
import { startSandbox, type Sandbox } from '../../../sandbox/index';
import type { LoggedRequest } from '../../../sandbox/requestLog';
import { trustSandboxCa } from '../../../sandbox/trust';
import { DEFAULT_RETRY_POLICY } from '../../../src/http/retryPolicy';
import { sandboxGraph } from '../../support/sandboxSuite';

const BATCH = '/graph/v1.0/$batch';
const isTopLevel = (r: LoggedRequest) => r.headers['x-sandbox-batch-id'] === undefined;
const isBatchWrite = (r: LoggedRequest) => isTopLevel(r) && r.method === 'POST' && /\/(\$|%24)batch$/i.test(r.path);

describe('cancellation: Graph writes stop on the signal (sandbox)', () => {
  const f = {} as { sandbox: Sandbox };
  let untrust: (() => void) | undefined;
  let directory: GraphDirectory;
  let service: CredentialService;
  let listed: AppRegistration[];
  let run = 0;

  before(async () => {
    f.sandbox = await startSandbox({ seed: 93, size: { apps: 200, appsWithCredentials: 0, managedIdentities: 2 } });
    untrust = trustSandboxCa(f.sandbox.caCertPem);
    const { info } = f.sandbox;
    ({ directory } = sandboxGraph(f.sandbox, { ...DEFAULT_RETRY_POLICY, maxAttempts: 3, baseDelayMs: 0, maxRetryAfterMs: 10000 }));
    service = new CredentialService(directory, resolveCloud('Custom', info.customCloud), () => info.homeTenant.id);
    listed = (await directory.apps.listApps({ pageSize: 200 })).items.filter((a) => a.appId !== info.multiTenantApp.appId);
  });
  after(async () => {
    untrust?.();
    await f.sandbox?.stop();
  });
  afterEach(() => f.sandbox.setFaults([]));

  /** A plan that adds a fresh credential name to `apps` (each test its own name, so runs never collide). */
  async function planFor(apps: AppRegistration[]): Promise<{ plan: MultiAppPlan; name: string }> {
    const { info } = f.sandbox;
    const name = `msi-cancel-${++run}`;
    const values = {
      ...buildManagedIdentityCredential({
        cloud: resolveCloud('Custom', info.customCloud),
        tenantId: info.homeTenant.id,
        objectId: info.spareIdentity.principalId,
      }),
      name,
    };
    // Each test uses apps none of the earlier ones touched: issuer+subject must be unique per app.
    const plan = await service.planCreateForApps(apps, () => values);
    assert.equal(plan.items.length, apps.length, JSON.stringify(plan.rejected));
    return { plan, name };
  }

  const stored = (app: AppRegistration, name: string) =>
    f.sandbox.core.state.applications.get(app.id)!.federatedIdentityCredentials.some((c) => c.name === name);

  /** Resolves when the request log holds `count` entries matching `match` after `since`. */
  async function waitForRequests(since: number, match: (r: LoggedRequest) => boolean, count: number): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (f.sandbox.requests(since).filter(match).length < count) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${count} requests`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  it('50 apps: a cancel during the second $batch adds 20, leaves 20 in flight and 10 not attempted, and sends nothing more', async () => {
    const apps = listed.slice(0, 50);
    const { plan, name } = await planFor(apps);
    f.sandbox.setFaults([{ kind: 'latency', method: 'POST', pathPrefix: BATCH, latencyMs: 600 }]);
    const since = f.sandbox.core.log.last;
    const controller = new AbortController();
    const started = Date.now();
    const running = service.createForApps(plan, controller.signal);
    await waitForRequests(since, isBatchWrite, 2);
    const cancelledAt = f.sandbox.core.log.last;
    controller.abort();
    const result = await running;
    assert.ok(Date.now() - started < 600 + 600, 'the in-flight batch is not waited for');

    assert.deepEqual(
      result.added.map((a) => a.app.id),
      apps.slice(0, 20).map((a) => a.id),
    );
    assert.deepEqual(
      result.cancelled?.inFlight.map((a) => a.id),
      apps.slice(20, 40).map((a) => a.id),
    );
    assert.deepEqual(
      result.cancelled?.notAttempted.map((a) => a.id),
      apps.slice(40).map((a) => a.id),
    );
    assert.deepEqual(result.failed, []);

    // Let the in-flight batch land in the sandbox, then look at everything it saw.
    await new Promise((r) => setTimeout(r, 900));
    assert.equal(f.sandbox.requests(since).filter(isBatchWrite).length, 2, 'exactly two $batch writes reached Graph');
    assert.deepEqual(f.sandbox.requests(cancelledAt).filter(isTopLevel), [], 'no request started after the cancel');
    assert.ok(apps.slice(0, 20).every((a) => stored(a, name)));
    assert.ok(
      apps.slice(40).every((a) => !stored(a, name)),
      'apps never attempted have no credential',
    );
    // "May have been applied": the sandbox applied the batch that was in flight, and the next read shows it.
    const reread = await directory.apps.getAppsWithCredentials(apps.slice(20, 40).map((a) => a.id));
    assert.deepEqual(
      reread.apps.map((a) => a.federatedIdentityCredentials?.some((c) => c.name === name)),
      apps.slice(20, 40).map((a) => stored(a, name)),
    );

    assert.equal(
      describeCancelledMultiApp(name, result, 50),
      `Cancelled: the credential "${name}" was added to 20 of 50 apps. 20 more apps may have it: the write was in flight when you cancelled, and the refreshed view shows whether it was applied (${apps
        .slice(20, 25)
        .map((a) => a.displayName)
        .join(', ')} and 15 more). Not attempted: 10 apps (${apps
        .slice(40, 45)
        .map((a) => a.displayName)
        .join(', ')} and 5 more).`,
    );
  });

  it('a cancel while throttled items wait for Retry-After ends the wait at once; they are not sent again', async () => {
    const apps = listed.slice(90, 100);
    const { plan, name } = await planFor(apps);
    const throttled = apps.slice(0, 3);
    f.sandbox.setFaults(
      throttled.map((a) => ({
        kind: 'throttle' as const,
        method: 'POST',
        pathPrefix: `/graph/v1.0/applications/${a.id}/federatedIdentityCredentials`,
        retryAfterSeconds: 5,
      })),
    );
    const since = f.sandbox.core.log.last;
    const controller = new AbortController();
    const started = Date.now();
    const running = service.createForApps(plan, controller.signal);
    await waitForRequests(since, isBatchWrite, 1);
    await waitForRequests(since, (r) => isBatchWrite(r) && r.status === 200, 1);
    await new Promise((r) => setTimeout(r, 300)); // the answer is in: 7 created, 3 throttled for 5 s
    controller.abort();
    const result = await running;
    assert.ok(Date.now() - started < 2_000, 'the 5 s Retry-After is not waited out');
    assert.deepEqual(
      result.added.map((a) => a.app.id).sort(),
      apps
        .slice(3)
        .map((a) => a.id)
        .sort(),
    );
    assert.deepEqual(result.cancelled?.inFlight, []);
    assert.deepEqual(
      result.cancelled?.notAttempted.map((a) => a.id),
      throttled.map((a) => a.id),
      'a throttled item was not processed (429)',
    );
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(f.sandbox.requests(since).filter(isBatchWrite).length, 1);
    assert.ok(throttled.every((a) => !stored(a, name)));
  });

  it('a signal that fired before the run sends nothing', async () => {
    const apps = listed.slice(100, 125);
    const { plan, name } = await planFor(apps);
    const since = f.sandbox.core.log.last;
    const controller = new AbortController();
    controller.abort();
    const result = await service.createForApps(plan, controller.signal);
    assert.deepEqual(result.added, []);
    assert.deepEqual(result.cancelled?.inFlight, []);
    assert.deepEqual(
      result.cancelled?.notAttempted.map((a) => a.id),
      apps.map((a) => a.id),
    );
    assert.deepEqual(f.sandbox.requests(since), []);
    assert.ok(apps.every((a) => !stored(a, name)));
  });

  it('one write: a cancel in flight rejects at once as "in flight"; the sandbox saw one request', async () => {
    const [app] = listed.slice(125, 126);
    const plan = (await planFor([app!])).plan.items[0]!;
    f.sandbox.setFaults([{ kind: 'latency', method: 'POST', pathPrefix: `/graph/v1.0/applications/${app!.id}/federatedIdentityCredentials`, latencyMs: 800 }]);
    const since = f.sandbox.core.log.last;
    const controller = new AbortController();
    const running = service.create(plan, controller.signal);
    await waitForRequests(since, (r) => r.method === 'POST', 1);
    const started = Date.now();
    controller.abort();
    await assert.rejects(running, (error: unknown) => error instanceof UserCancelledError && error.inFlight && error.name === 'UserCancelledError');
    assert.ok(Date.now() - started < 400);
    await new Promise((r) => setTimeout(r, 1_000));
    assert.deepEqual(
      f.sandbox
        .requests(since)
        .filter((r) => r.method === 'POST')
        .map((r) => r.path),
      [`/graph/v1.0/applications/${app!.id}/federatedIdentityCredentials`],
      'no retry and no check after the cancel',
    );
    assert.deepEqual(
      f.sandbox.requests(since).filter((r) => r.method === 'GET'),
      [],
      'no check read either',
    );
  });

  it("one write: a cancel during the SDK's Retry-After wait rejects at once and the retry is never sent", async () => {
    const [app] = listed.slice(126, 127);
    const plan = (await planFor([app!])).plan.items[0]!;
    f.sandbox.setFaults([
      { kind: 'throttle', method: 'POST', pathPrefix: `/graph/v1.0/applications/${app!.id}/federatedIdentityCredentials`, retryAfterSeconds: 2 },
    ]);
    const since = f.sandbox.core.log.last;
    const controller = new AbortController();
    const running = service.create(plan, controller.signal);
    await waitForRequests(since, (r) => r.method === 'POST' && r.status === 429, 1);
    const started = Date.now();
    controller.abort();
    await assert.rejects(running, { name: 'UserCancelledError' });
    assert.ok(Date.now() - started < 500, 'the 2 s Retry-After is not waited out');
    await new Promise((r) => setTimeout(r, 2_500));
    assert.equal(f.sandbox.requests(since).filter((r) => r.method === 'POST').length, 1, 'the throttled request was not sent again');
  });
});
