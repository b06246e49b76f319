// Fault rules with `after: true`: the request is handled (a write is applied) and only the answer is lost
// (drop) or replaced (error), the ambiguous case a client must check before writing again. Also inside $batch.
import assert from 'node:assert/strict';
import { useSandbox } from './helpers';
import { call, userToken } from './graph.support';

describe('sandbox faults: after (applied, then the answer is lost)', () => {
  const f = useSandbox({ seed: 57, size: { apps: 4, appsWithCredentials: 0 } });
  const token = () => userToken(f.sandbox, f.sandbox.core.info.users.homeAdmin.id, ['Application.ReadWrite.All']);
  const credentialNames = (appId: string) => (f.sandbox.core.state.applications.get(appId)?.federatedIdentityCredentials ?? []).map((c) => c.name);
  const fic = (name: string) => ({ name, issuer: f.sandbox.info.homeTenant.issuer, subject: `subject-${name}`, audiences: ['api://AzureADTokenExchange'] });
  const apps = () => f.sandbox.core.state.applicationsOf(f.sandbox.info.homeTenant.id);
  afterEach(() => f.sandbox.setFaults([]));

  it('a drop after the handler: the client sees a network error, the write was applied, the log says drop', async () => {
    const app = apps()[0]!;
    const before = credentialNames(app.id);
    const since = f.sandbox.core.log.last;
    f.sandbox.setFaults([{ kind: 'drop', after: true, method: 'POST', pathPrefix: '/graph/v1.0/applications', count: 1 }]);
    await assert.rejects(
      call(f.sandbox, 'POST', `/applications/${app.id}/federatedIdentityCredentials`, token(), { body: fic('dropped-after') }),
      /fetch failed|socket|ECONNRESET/i,
    );
    assert.deepEqual(credentialNames(app.id), [...before, 'dropped-after']);
    assert.deepEqual(
      f.sandbox.requests(since).map((r) => [r.method, r.status, r.fault]),
      [['POST', 0, 'drop']],
    );
  });

  it('a drop before the handler (the default) applies nothing', async () => {
    const app = apps()[1]!;
    const before = credentialNames(app.id);
    f.sandbox.setFaults([{ kind: 'drop', method: 'POST', pathPrefix: '/graph/v1.0/applications', count: 1 }]);
    await assert.rejects(call(f.sandbox, 'POST', `/applications/${app.id}/federatedIdentityCredentials`, token(), { body: fic('dropped-before') }));
    assert.deepEqual(credentialNames(app.id), before);
  });

  it('an error after the handler answers the 5xx although the write was applied', async () => {
    const app = apps()[2]!;
    const before = credentialNames(app.id);
    f.sandbox.setFaults([{ kind: 'error', status: 504, after: true, method: 'POST', pathPrefix: '/graph/v1.0/applications', count: 1 }]);
    const r = await call(f.sandbox, 'POST', `/applications/${app.id}/federatedIdentityCredentials`, token(), { body: fic('error-after') });
    assert.equal(r.status, 504);
    assert.deepEqual(credentialNames(app.id), [...before, 'error-after']);
  });

  it('inside $batch: an item under an after rule is applied and answered 5xx (a drop: 504); others are untouched', async () => {
    const [a, b] = [apps()[3]!, apps()[0]!];
    f.sandbox.setFaults([
      { kind: 'drop', after: true, method: 'POST', pathPrefix: `/graph/v1.0/applications/${a.id}/`, count: 1 },
      { kind: 'error', status: 503, after: true, retryAfterSeconds: 0, method: 'POST', pathPrefix: `/graph/v1.0/applications/${b.id}/`, count: 1 },
    ]);
    const item = (id: string, appId: string, name: string) => ({
      id,
      method: 'POST',
      url: `/applications/${appId}/federatedIdentityCredentials`,
      headers: { 'Content-Type': 'application/json' },
      body: fic(name),
    });
    const r = await call(f.sandbox, 'POST', '/$batch', token(), { body: { requests: [item('1', a.id, 'batch-after-a'), item('2', b.id, 'batch-after-b')] } });
    assert.equal(r.status, 200);
    const responses = (r.body.responses as Array<{ id: string; status: number; headers: Record<string, string>; body: { error: { code: string } } }>).sort(
      (x, y) => x.id.localeCompare(y.id),
    );
    assert.deepEqual(
      responses.map((x) => [x.id, x.status, x.body.error.code]),
      [
        ['1', 504, 'gatewayTimeout'],
        ['2', 503, 'serviceNotAvailable'],
      ],
    );
    assert.equal(responses[1]!.headers['Retry-After'], '0');
    assert.ok(credentialNames(a.id).includes('batch-after-a'));
    assert.ok(credentialNames(b.id).includes('batch-after-b'));
  });

  it('refuses after on throttle and latency rules, and a non-boolean after', () => {
    assert.throws(() => f.sandbox.setFaults([{ kind: 'throttle', after: true }]), /after applies to error and drop rules only/);
    assert.throws(() => f.sandbox.setFaults([{ kind: 'latency', latencyMs: 1, after: true }]), /after applies/);
    assert.throws(() => f.sandbox.setFaults([{ kind: 'error', after: 'yes' as unknown as boolean }]), /after must be true or false/);
  });
});
