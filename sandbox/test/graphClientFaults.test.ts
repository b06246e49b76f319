// The Graph SDK client (@microsoft/microsoft-graph-client, unchanged) against the fault knobs it has not met in
// the other suites: injected 5xx (RetryHandler retries 503, not 500) and dropped connections; and what the
// request log records for a Graph write made through it.
import assert from 'node:assert/strict';
import { GraphError } from '@microsoft/microsoft-graph-client';
import { useSandbox } from './helpers';
import { sdkClient, staticCredential, userToken } from './graph.support';

describe('sandbox graph: SDK client against injected 5xx and dropped connections; request log of a write', () => {
  const f = useSandbox({ seed: 53, size: { apps: 10, appsWithCredentials: 2 } });
  const client = () => sdkClient(f.sandbox, staticCredential(userToken(f.sandbox, f.sandbox.core.info.users.homeDeveloper.id)));
  const organizationStatuses = (since: number) =>
    f.sandbox
      .requests(since)
      .filter((r) => r.path === '/graph/v1.0/organization')
      .map((r) => r.status);
  afterEach(() => f.sandbox.setFaults([]));

  it('RetryHandler retries an injected 503 (Retry-After 0) and succeeds; a 500 is not retried and surfaces as GraphError', async () => {
    const since = f.sandbox.core.log.last;
    f.sandbox.setFaults([{ kind: 'error', status: 503, pathPrefix: '/graph/v1.0/organization', count: 1, retryAfterSeconds: 0 }]);
    const org = (await client().api('/organization').get()) as { value: { id: string }[] };
    assert.equal(org.value[0]?.id, f.sandbox.info.homeTenant.id);
    assert.deepEqual(organizationStatuses(since), [503, 200]);

    const since500 = f.sandbox.core.log.last;
    f.sandbox.setFaults([{ kind: 'error', status: 500, pathPrefix: '/graph/v1.0/organization', count: 1 }]);
    await assert.rejects(client().api('/organization').get(), (e: unknown) => e instanceof GraphError && e.statusCode === 500 && e.code === 'generalException');
    assert.deepEqual(organizationStatuses(since500), [500]);
  });

  it('a dropped connection rejects with a GraphError (no status) and is logged as a drop; the next call goes through', async () => {
    const since = f.sandbox.core.log.last;
    f.sandbox.setFaults([{ kind: 'drop', pathPrefix: '/graph/v1.0/organization', count: 1 }]);
    await assert.rejects(client().api('/organization').get(), (e: unknown) => e instanceof GraphError && e.statusCode === -1);
    const dropped = f.sandbox.requests(since).filter((r) => r.path === '/graph/v1.0/organization');
    assert.deepEqual(
      dropped.map((r) => [r.status, r.fault]),
      [[0, 'drop']],
    );
    const org = (await client().api('/organization').get()) as { value: unknown[] };
    assert.equal(org.value.length, 1);
  });

  it('records a Graph write: method, path, query, content-type, the body as sent, the caller from the token, the status; never the token', async () => {
    const dev = f.sandbox.core.info.users.homeDeveloper;
    const token = userToken(f.sandbox, dev.id, ['Application.ReadWrite.All']);
    const c = sdkClient(f.sandbox, staticCredential(token));
    const app = (await c.api('/applications').post({ displayName: 'logged-write' })) as { id: string };
    const since = f.sandbox.core.log.last;
    const fic = {
      name: 'logged-fic',
      issuer: f.sandbox.info.homeTenant.issuer,
      subject: 'logged-subject',
      audiences: ['api://AzureADTokenExchange'],
      description: 'from the request-log test',
    };
    await c.api(`/applications/${app.id}/federatedIdentityCredentials`).query({ 'client-tag': 'x' }).post(fic);
    const entries = f.sandbox.requests(since);
    assert.equal(entries.length, 1, JSON.stringify(entries));
    const e = entries[0];
    assert.ok(e);
    assert.equal(e.area, 'graph');
    assert.equal(e.method, 'POST');
    assert.equal(e.path, `/graph/v1.0/applications/${app.id}/federatedIdentityCredentials`);
    assert.deepEqual(e.query, { 'client-tag': 'x' });
    assert.match(e.headers['content-type'] ?? '', /^application\/json/);
    assert.match(e.headers['client-request-id'] ?? '', /^[0-9a-f-]{36}$/, 'the SDK sends a client-request-id');
    assert.equal(e.headers.authorization, undefined);
    assert.deepEqual(e.body, fic);
    assert.deepEqual(e.caller, {
      oid: dev.id,
      appid: f.sandbox.info.publicClientId,
      tid: f.sandbox.info.homeTenant.id,
      idtyp: 'user',
      scp: 'Application.ReadWrite.All',
      roles: undefined,
    });
    assert.equal(e.status, 201);
    assert.equal(typeof e.durationMs, 'number');
    assert.equal(e.fault, undefined);
    assert.ok(!JSON.stringify(entries).includes(token.split('.')[2] as string), 'the token leaked into the log');
  });
});
