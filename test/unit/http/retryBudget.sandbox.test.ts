// The one retry budget, against the sandbox: an item Graph keeps throttling is sent at most 3 times
// in all (the first included), and the whole call ends within the policy's time bound, for single
// requests, batched reads and batched writes (the real SDK client chain, GraphDirectory and
// CredentialService). The sandbox's request log counts what was sent.
import assert from 'node:assert/strict';
import { resolveCloud } from '../../../src/domain/clouds';
import { buildManagedIdentityCredential } from '../../../src/domain/credentialKinds';
import type { AppRegistration } from '../../../src/domain/model';
import { GraphRequestError } from '../../../src/graph/errors';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../../../src/http/retryPolicy';
import { CredentialService } from '../../../src/services/credentialService';
import { sandboxGraph, useSandbox } from '../../support/sandboxSuite';

const ITEM = 'x-sandbox-batch-id';

describe('one retry budget: at most 3 sends per request or batch item, within the time bound (sandbox)', function () {
  this.timeout(30_000);
  const f = useSandbox({ seed: 77, size: { apps: 60, appsWithCredentials: 0, managedIdentities: 2 } });
  let apps: AppRegistration[];
  afterEach(() => f.sandbox.setFaults([]));

  function clients(policy: RetryPolicy) {
    const { info } = f.sandbox;
    const { directory } = sandboxGraph(f.sandbox, policy);
    const service = new CredentialService(directory, resolveCloud('Custom', info.customCloud), () => info.homeTenant.id, { policy });
    return { directory, service };
  }
  const quick: RetryPolicy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 5 };
  /** Retry-After 1 s on every answer, and 1.5 s in all: the second send is the last. */
  const bounded: RetryPolicy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 5, totalTimeMs: 1_500 };

  before(async () => {
    const { directory } = clients(quick);
    await directory.organization.get(); // the token, before any fault
    apps = (await directory.apps.listApps({ pageSize: 999 })).items.filter((a) => a.appId !== f.sandbox.info.multiTenantApp.appId);
  });

  /** A managed-identity credential named `name` (the spare identity), for the writes below. */
  const credentialNamed = (name: string) => ({
    ...buildManagedIdentityCredential({
      cloud: resolveCloud('Custom', f.sandbox.info.customCloud),
      tenantId: f.sandbox.info.homeTenant.id,
      objectId: f.sandbox.info.spareIdentity.principalId,
    }),
    name,
  });
  const sent = (since: number, method: string, path: string, batchItem: boolean) =>
    f.sandbox.requests(since).filter((r) => r.method === method && r.path === path && (r.headers[ITEM] !== undefined) === batchItem).length;
  const appPath = (app: AppRegistration) => `/graph/v1.0/applications/${app.id}`;

  it('decides from one pure policy (unit): 3 sends, Retry-After honoured, writes only after 429, the time bound', async () => {
    const { decideRetry } = await import('../../../src/http/retryPolicy');
    const at = (attempts: number, outcome: { status: number; retryAfter?: string } | { lost: true }, method = 'GET', now = 0) =>
      decideRetry(DEFAULT_RETRY_POLICY, { method, attempts, startedAt: 0, now, outcome });
    assert.deepEqual(at(1, { status: 429, retryAfter: '2' }), { retry: true, delayMs: 2_000 });
    assert.deepEqual(at(2, { status: 503 }), { retry: true, delayMs: 1_000 });
    assert.deepEqual(at(3, { status: 429 }), { retry: false, reason: 'budget' });
    assert.deepEqual(at(1, { status: 429, retryAfter: '31' }), { retry: false, reason: 'retryAfterTooLong' });
    assert.deepEqual(at(1, { status: 429 }, 'POST'), { retry: true, delayMs: 500 });
    assert.deepEqual(at(1, { status: 503 }, 'POST'), { retry: false, reason: 'notRetryable' });
    assert.deepEqual(at(1, { lost: true }, 'PATCH'), { retry: false, reason: 'notRetryable' });
    assert.deepEqual(at(1, { lost: true }), { retry: true, delayMs: 500 });
    assert.deepEqual(at(1, { status: 404 }), { retry: false, reason: 'notRetryable' });
    assert.deepEqual(at(1, { status: 200 }), { retry: false, reason: 'succeeded' });
    assert.deepEqual(at(2, { status: 429, retryAfter: '5' }, 'GET', 56_000), { retry: false, reason: 'timeBound' });
  });

  it('a single read Graph keeps throttling: 3 sends, then the throttling error', async () => {
    const { directory } = clients(quick);
    const since = f.sandbox.core.log.last;
    f.sandbox.setFaults([{ kind: 'throttle', retryAfterSeconds: 0, method: 'GET', pathPrefix: '/graph/v1.0/organization' }]);
    await assert.rejects(directory.organization.get(), (e: unknown) => e instanceof GraphRequestError && e.explained.kind === 'throttled');
    assert.equal(sent(since, 'GET', '/graph/v1.0/organization', false), 3);
  });

  it('a single write Graph keeps throttling: 3 sends (a 429 was not processed), then the throttling error', async () => {
    const { directory } = clients(quick);
    const app = apps[0]!;
    const values = credentialNamed('budget-single');
    const since = f.sandbox.core.log.last;
    f.sandbox.setFaults([{ kind: 'throttle', retryAfterSeconds: 0, method: 'POST', pathPrefix: `${appPath(app)}/federatedIdentityCredentials` }]);
    await assert.rejects(directory.apps.createCredential(app.id, values), (e: unknown) => e instanceof GraphRequestError && e.explained.kind === 'throttled');
    assert.equal(sent(since, 'POST', `${appPath(app)}/federatedIdentityCredentials`, false), 3);
  });

  it('a single read within the time bound: Retry-After 1 s each time, 1.5 s in all, so 2 sends and done in about 1 s', async () => {
    const { directory } = clients(bounded);
    const since = f.sandbox.core.log.last;
    f.sandbox.setFaults([{ kind: 'throttle', retryAfterSeconds: 1, method: 'GET', pathPrefix: '/graph/v1.0/organization' }]);
    const started = Date.now();
    await assert.rejects(directory.organization.get(), (e: unknown) => e instanceof GraphRequestError && e.explained.kind === 'throttled');
    const elapsed = Date.now() - started;
    assert.equal(sent(since, 'GET', '/graph/v1.0/organization', false), 2);
    assert.ok(elapsed < bounded.totalTimeMs, `ended after ${elapsed} ms`);
  });

  it('batched reads: the item Graph keeps throttling is sent 3 times, the other 24 once; it comes back failed', async () => {
    const { directory } = clients(quick);
    const ids = apps.slice(0, 25).map((a) => a.id);
    const target = apps[3]!;
    const since = f.sandbox.core.log.last;
    f.sandbox.setFaults([{ kind: 'throttle', retryAfterSeconds: 0, method: 'GET', pathPrefix: appPath(target) }]);
    const result = await directory.apps.getAppsWithCredentials(ids);
    assert.deepEqual(
      result.failed.map((x) => [x.id, x.error.explained.kind]),
      [[target.id, 'throttled']],
    );
    assert.equal(result.apps.length, 24);
    assert.equal(sent(since, 'GET', appPath(target), true), 3);
    for (const app of apps.slice(0, 25)) if (app.id !== target.id) assert.equal(sent(since, 'GET', appPath(app), true), 1, app.displayName);
  });

  it('batched reads within the time bound: Retry-After 1 s, 1.5 s in all: 2 sends of the throttled item', async () => {
    const { directory } = clients(bounded);
    const target = apps[5]!;
    const since = f.sandbox.core.log.last;
    f.sandbox.setFaults([{ kind: 'throttle', retryAfterSeconds: 1, method: 'GET', pathPrefix: appPath(target) }]);
    const started = Date.now();
    const result = await directory.apps.getAppsWithCredentials(apps.slice(0, 10).map((a) => a.id));
    assert.equal(result.failed.length, 1);
    assert.equal(sent(since, 'GET', appPath(target), true), 2);
    assert.ok(Date.now() - started < bounded.totalTimeMs);
  });

  it('batched writes (a multi-app add): the app Graph keeps throttling is written 3 times in all, the others once', async () => {
    const { service } = clients(quick);
    const values = credentialNamed('budget-batch');
    const targets = apps.slice(10, 35);
    const throttled = targets[7]!;
    const plan = await service.planCreateForApps(targets, () => values);
    const since = f.sandbox.core.log.last;
    f.sandbox.setFaults([{ kind: 'throttle', retryAfterSeconds: 0, method: 'POST', pathPrefix: `${appPath(throttled)}/federatedIdentityCredentials` }]);
    const result = await service.createForApps(plan);
    assert.deepEqual(
      result.failed.map((x) => [x.app.id, x.kind]),
      [[throttled.id, 'throttled']],
    );
    assert.equal(result.added.length, 24);
    assert.equal(sent(since, 'POST', `${appPath(throttled)}/federatedIdentityCredentials`, true), 3);
    for (const app of targets) if (app.id !== throttled.id) assert.equal(sent(since, 'POST', `${appPath(app)}/federatedIdentityCredentials`, true), 1);
  });

  it('batched writes: an item answered 500 and then throttled is looked up and written again, 3 sends in all', async () => {
    const { service } = clients(quick);
    const values = credentialNamed('budget-mixed');
    const targets = apps.slice(35, 40);
    const target = targets[2]!;
    const plan = await service.planCreateForApps(targets, () => values);
    const since = f.sandbox.core.log.last;
    const path = `${appPath(target)}/federatedIdentityCredentials`;
    f.sandbox.setFaults([
      { kind: 'error', status: 500, method: 'POST', pathPrefix: path, count: 1 },
      { kind: 'throttle', retryAfterSeconds: 0, method: 'POST', pathPrefix: path },
    ]);
    const result = await service.createForApps(plan);
    assert.deepEqual(
      result.failed.map((x) => x.app.id),
      [target.id],
    );
    assert.equal(sent(since, 'POST', path, true), 3, 'the 500, the write after the look-up found nothing, and one more after its 429');
    assert.equal(f.sandbox.core.state.applications.get(target.id)!.federatedIdentityCredentials.filter((c) => c.name === 'budget-mixed').length, 0);
  });

  it('batched writes within the time bound: Retry-After 1 s, 1.5 s in all: 2 sends of the throttled write', async () => {
    const { service } = clients(bounded);
    const values = credentialNamed('budget-bounded');
    const targets = apps.slice(40, 45);
    const throttled = targets[1]!;
    const plan = await service.planCreateForApps(targets, () => values);
    const since = f.sandbox.core.log.last;
    f.sandbox.setFaults([{ kind: 'throttle', retryAfterSeconds: 1, method: 'POST', pathPrefix: `${appPath(throttled)}/federatedIdentityCredentials` }]);
    const started = Date.now();
    const result = await service.createForApps(plan);
    assert.deepEqual(
      result.failed.map((x) => x.app.id),
      [throttled.id],
    );
    assert.equal(sent(since, 'POST', `${appPath(throttled)}/federatedIdentityCredentials`, true), 2);
    assert.ok(Date.now() - started < bounded.totalTimeMs + 500, `ended after ${Date.now() - started} ms`);
  });
});
