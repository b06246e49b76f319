// Graph's `federatedIdentityCredentials/any(f:f/subject eq '…')` on /applications, answered from the state's
// subject index rather than a scan of every app (what lets a 100,000-app tenant answer it at the latency a
// client sees); the index follows every credential write (create, upsert, subject change, delete, app delete).
import assert from 'node:assert/strict';
import { useSandbox } from './helpers';
import { appToken, call, userToken, values, type Answer } from './graph.support';

const EVENTUAL = { ConsistencyLevel: 'eventual' };

describe('sandbox graph: the credential-subject filter reads an index', () => {
  const f = useSandbox({ seed: 57, size: { apps: 400, appsWithCredentials: 300, managedIdentities: 6 } });
  const tenant = () => f.sandbox.info.homeTenant.id;
  const reader = () => appToken(f.sandbox, ['Application.Read.All']);
  const developer = () => userToken(f.sandbox, f.sandbox.core.info.users.homeDeveloper.id);
  const bySubject = (subject: string, extra = '') =>
    call(
      f.sandbox,
      'GET',
      `/applications?$count=true&$top=999&$select=id&$filter=${encodeURIComponent(`federatedIdentityCredentials/any(f:f/subject eq '${subject}')${extra}`)}`,
      reader(),
      { headers: EVENTUAL },
    );
  const ids = (a: Answer) =>
    values<{ id: string }>(a)
      .map((x) => x.id)
      .sort();
  const scan = (subject: string) =>
    f.sandbox.core.state
      .applicationsOf(tenant())
      .filter((a) => a.federatedIdentityCredentials.some((c) => c.subject?.toLowerCase() === subject.toLowerCase()))
      .map((a) => a.id)
      .sort();

  /** Runs `work` with the state's app collection refusing to be iterated: a request that scans every app fails. */
  async function withoutScans<T>(work: () => Promise<T>): Promise<T> {
    const apps = f.sandbox.core.state.applications;
    const values = apps.values;
    apps.values = () => {
      throw new Error('scanned every app');
    };
    try {
      return await work();
    } finally {
      apps.values = values;
    }
  }

  it('answers every seeded identity without iterating the apps, the same apps a scan finds, with @odata.count', async () => {
    const identities = f.sandbox.core.state.servicePrincipalsOf(tenant()).filter((s) => s.servicePrincipalType === 'ManagedIdentity');
    assert.ok(identities.length >= 8);
    let named = 0;
    for (const identity of identities) {
      const answer = await withoutScans(() => bySubject(identity.id));
      assert.equal(answer.status, 200, answer.text);
      assert.deepEqual(ids(answer), scan(identity.id), identity.displayName);
      assert.equal(answer.body['@odata.count'], scan(identity.id).length);
      if (scan(identity.id).length > 0) named++;
    }
    assert.ok(named >= 5, 'most identities are named by some app');
    const upper = await withoutScans(() => bySubject(identities[0].id.toUpperCase()));
    assert.deepEqual(ids(upper), scan(identities[0].id), 'any case, as the scan compares');
    const withName = await withoutScans(() => bySubject(identities[0].id, " and startswith(displayName,'zzz-none')"));
    assert.deepEqual(ids(withName), [], 'the rest of the filter still applies to the candidates');
    // The check itself works: a filter the index cannot answer scans, and fails under withoutScans.
    const byName = () =>
      call(f.sandbox, 'GET', `/applications?$count=true&$filter=${encodeURIComponent("federatedIdentityCredentials/any(f:f/name eq 'mi-1')")}`, reader(), {
        headers: EVENTUAL,
      });
    assert.equal((await byName()).status, 200);
    const scanned = await withoutScans(byName).then(
      (a) => a.status,
      () => 'rejected',
    );
    assert.ok(scanned === 500 || scanned === 'rejected', String(scanned));
  });

  it('follows writes: create, upsert, a subject changed by PATCH, delete, and the app deleted', async () => {
    const s1 = '0f0f0f0f-1111-4222-8333-444455556666';
    const s2 = '0f0f0f0f-7777-4888-8999-aaaabbbbcccc';
    const app = await call(f.sandbox, 'POST', '/applications', developer(), { body: { displayName: 'subject-index' } });
    assert.equal(app.status, 201, app.text);
    const appId = String(app.body.id);
    const issuer = `${f.sandbox.info.loginUrl}/${tenant()}/v2.0`;
    const fic = (name: string, subject: string, iss = issuer) => ({ name, issuer: iss, subject, audiences: ['api://AzureADTokenExchange'] });
    const base = `/applications/${appId}/federatedIdentityCredentials`;
    assert.equal((await call(f.sandbox, 'POST', base, developer(), { body: fic('one', s1) })).status, 201);
    assert.deepEqual(ids(await withoutScans(() => bySubject(s1))), [appId]);
    const upsert = await call(f.sandbox, 'PATCH', `${base}(name='two')`, developer(), {
      body: fic('two', s1, 'https://issuer.example.com'),
      headers: { Prefer: 'create-if-missing' },
    });
    assert.equal(upsert.status, 201, upsert.text);
    assert.deepEqual(ids(await withoutScans(() => bySubject(s1))), [appId], 'the app once, with two credentials naming it');
    assert.equal((await call(f.sandbox, 'PATCH', `${base}/one`, developer(), { body: { subject: s2 } })).status, 204);
    assert.deepEqual(ids(await withoutScans(() => bySubject(s2))), [appId]);
    assert.deepEqual(ids(await withoutScans(() => bySubject(s1))), [appId], "'two' still names s1");
    assert.equal((await call(f.sandbox, 'DELETE', `${base}/two`, developer())).status, 204);
    assert.deepEqual(ids(await withoutScans(() => bySubject(s1))), []);
    assert.equal((await call(f.sandbox, 'DELETE', `/applications/${appId}`, developer())).status, 204);
    assert.deepEqual(ids(await withoutScans(() => bySubject(s2))), []);
    assert.deepEqual(scan(s2), []);
  });

  it('keeps the latency a client sees: the index answers after the injected delay, like any request', async () => {
    const subject = f.sandbox.info.automationAccount.userAssigned.principalId;
    f.sandbox.setFaults([{ kind: 'latency', latencyMs: 200, pathPrefix: '/graph/v1.0/applications' }]);
    try {
      const started = Date.now();
      const answer = await bySubject(subject);
      assert.equal(answer.status, 200);
      assert.ok(Date.now() - started >= 190, `${Date.now() - started} ms`);
      assert.deepEqual(ids(answer), scan(subject));
    } finally {
      f.sandbox.setFaults([]);
    }
  });
});
