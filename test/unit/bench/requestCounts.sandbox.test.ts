// Keeps the request counts of bench/run.ts from regressing (the counts, never the times): the same
// scenarios at a small size without added latency, through the code the views and commands use
// (GraphDirectory over the SDK client, PagedList, CredentialService's multi-app path), counted from
// the sandbox's request log. Items inside a $batch are not HTTP requests and are counted apart.
import assert from 'node:assert/strict';
import { resolveCloud } from '../../../src/domain/clouds';
import { buildManagedIdentityCredential } from '../../../src/domain/credentialKinds';
import { GraphDirectory } from '../../../src/graph/directory';
import { GRAPH_BATCH_LIMIT } from '../../../src/graph/batch';
import type { AppRegistration } from '../../../src/domain/model';
import { CredentialService } from '../../../src/services/credentialService';
import { PagedList } from '../../../src/services/pagedList';
import { TrustLookup } from '../../../src/services/trustLookup';
import { identityTrust } from '../../../src/domain/identityTrust';
import { startSandbox, type Sandbox } from '../../../sandbox/index';
import { trustSandboxCa } from '../../../sandbox/trust';
import { DEFAULT_RETRY_POLICY } from '../../../src/http/retryPolicy';
import { sandboxGraph } from '../../support/sandboxSuite';

describe('bench: request counts (no request per app)', () => {
  const f = {} as { sandbox: Sandbox };
  let untrust: (() => void) | undefined;
  let directory: GraphDirectory;
  let service: CredentialService;

  after(async () => {
    untrust?.();
    await f.sandbox?.stop();
  });

  before(async () => {
    f.sandbox = await startSandbox({ seed: 81, size: { apps: 1_200, appsWithCredentials: 200, managedIdentities: 20 } });
    untrust = trustSandboxCa(f.sandbox.caCertPem);
    const { info } = f.sandbox;
    ({ directory } = sandboxGraph(f.sandbox, { ...DEFAULT_RETRY_POLICY, maxAttempts: 3, baseDelayMs: 0, maxRetryAfterMs: 1000 }));
    service = new CredentialService(directory, resolveCloud('Custom', info.customCloud), () => info.homeTenant.id, {
      policy: { ...DEFAULT_RETRY_POLICY, baseDelayMs: 0 },
    });
    await directory.organization.get(); // the token request is not Graph's
  });

  /** Graph requests (and $batch items) made by `work`. */
  async function count<T>(work: () => Promise<T>): Promise<{ value: T; requests: number; batches: number; items: { GET: number; POST: number } }> {
    const before = f.sandbox.requests();
    const since = before.length ? before[before.length - 1].seq : 0;
    const value = await work();
    const log = f.sandbox.requests(since).filter((r) => r.area === 'graph');
    const top = log.filter((r) => r.headers['x-sandbox-batch-id'] === undefined);
    const items = log.filter((r) => r.headers['x-sandbox-batch-id'] !== undefined);
    return {
      value,
      requests: top.length,
      batches: top.filter((r) => /\/(\$|%24)batch$/i.test(r.path)).length,
      items: { GET: items.filter((r) => r.method === 'GET').length, POST: items.filter((r) => r.method === 'POST').length },
    };
  }

  const apps = () => f.sandbox.core.state.applicationsOf(f.sandbox.info.homeTenant.id);
  const cloud = () => resolveCloud('Custom', f.sandbox.info.customCloud);

  it('first page of App Registrations: 1 request, with every credential count', async () => {
    const list = new PagedList<AppRegistration>((next) => (next ? directory.nextPage<AppRegistration>(next) : directory.apps.listApps({ pageSize: 100 })));
    const r = await count(() => list.ensureLoaded());
    assert.equal(r.requests, 1);
    assert.equal(list.items.length, 100);
    assert.ok(
      list.items.every((a) => Array.isArray(a.federatedIdentityCredentials)),
      'credentials expanded: counts need no request per app',
    );
  });

  it('search across all apps: 1 request', async () => {
    const r = await count(() => directory.apps.listApps({ pageSize: 100, search: 'ledger' }));
    assert.equal(r.requests, 1);
    assert.equal(r.value.count, apps().filter((a) => a.displayName.toLowerCase().includes('ledger')).length);
  });

  it('Managed Identities: one request per expanded identity (the subject filter), none per app; one per expanded trusting app', async () => {
    const env = { directory: () => directory, cloud: () => cloud(), pageSize: () => 100, identityName: () => undefined };
    const lookup = new TrustLookup(env);
    const identities = (await directory.servicePrincipals.listManagedIdentities(999)).items;
    assert.ok(apps().length > 999 && identities.length >= 20);
    let links = 0;
    for (const identity of identities) {
      const r = await count(() => lookup.trustingApps(identity.id));
      assert.equal(r.requests, 1, identity.displayName);
      const expected = apps().filter((a) => a.federatedIdentityCredentials.some((c) => c.subject === identity.id));
      assert.deepEqual(r.value.apps.map((a) => a.id).sort(), expected.map((a) => a.id).sort());
      assert.equal(r.value.count, expected.length);
      links += expected.length;
    }
    assert.ok(links > 50, `${links} apps name an identity`);
    const again = await count(() => lookup.trustingApps(identities[0].id));
    assert.equal(again.requests, 0, 'kept until invalidated');
    lookup.invalidate();
    assert.equal((await count(() => lookup.trustingApps(identities[0].id))).requests, 1);
    // Each app under it: its credentials naming the identity, one request, with whether Entra trusts the identity through them.
    const subject = f.sandbox.info.automationAccount.userAssigned.principalId;
    const trusting = apps().filter((a) => a.federatedIdentityCredentials.some((c) => c.subject === subject));
    const credentials = await count(() => directory.apps.listCredentials(trusting[0].id));
    assert.equal(credentials.requests, 1);
    const naming = credentials.value.filter((c) => c.subject === subject);
    assert.ok(naming.length > 0 && naming.every((c) => identityTrust(c, subject, cloud(), f.sandbox.info.homeTenant.id).trusts));
  });

  it('the same managed-identity credential on 50 apps: ceil(50/20) = 3 write batches, no request per app', async () => {
    const { info } = f.sandbox;
    const listed = (await directory.apps.listApps({ pageSize: 999 })).items.slice(0, 50);
    const cloud = resolveCloud('Custom', info.customCloud);
    const values = { ...buildManagedIdentityCredential({ cloud, tenantId: info.homeTenant.id, objectId: info.spareIdentity.principalId }), name: 'msi-bulk' };
    const r = await count(async () => service.createForApps(await service.planCreateForApps(listed, () => values)));
    assert.equal(r.value.added.length, 50, JSON.stringify(r.value.failed));
    assert.equal(r.value.failed.length, 0);
    assert.equal(r.batches, Math.ceil(50 / GRAPH_BATCH_LIMIT));
    assert.equal(r.items.POST, 50);
    assert.equal(r.requests, 1 + 3, 'one identity lookup and three $batch writes');
    for (const app of listed) assert.ok(f.sandbox.core.state.applications.get(app.id)?.federatedIdentityCredentials.some((c) => c.name === 'msi-bulk'));
  });

  it('by ids (credentials not listed): 3 read batches more; apps refused by the rules or by Graph are reported, throttled items retried, a 500 looked up before it is written again', async () => {
    const { info } = f.sandbox;
    const cloud = resolveCloud('Custom', info.customCloud);
    const ids = (await directory.apps.listApps({ pageSize: 999 })).items.slice(100, 150).map((a) => a.id);
    const [throttled, lost, failing] = [ids[3], ids[27], ids[40]];
    f.sandbox.setFaults([
      { kind: 'throttle', method: 'POST', pathPrefix: `/graph/v1.0/applications/${throttled}/federatedIdentityCredentials`, count: 1, retryAfterSeconds: 0 },
      { kind: 'error', status: 500, method: 'POST', pathPrefix: `/graph/v1.0/applications/${lost}/federatedIdentityCredentials`, count: 1 },
      { kind: 'error', status: 400, method: 'POST', pathPrefix: `/graph/v1.0/applications/${failing}/federatedIdentityCredentials` },
    ]);
    try {
      const values = {
        ...buildManagedIdentityCredential({ cloud, tenantId: info.homeTenant.id, objectId: info.automationAccount.userAssigned.principalId }),
        name: 'msi-bulk-ids',
      };
      const stubs = ids.map((id) => ({ id, appId: id, displayName: id, signInAudience: 'AzureADMultipleOrgs' }));
      const r = await count(async () =>
        service.createForApps(
          await service.planCreateForApps(stubs, (_app, existing) => ({
            ...values,
            name: existing.some((c) => c.name === values.name) ? 'other' : values.name,
          })),
        ),
      );
      assert.equal(r.items.GET, 50 + 1, 'the 50 apps, and one look-up of the write whose answer was a 500');
      const already = r.value.failed.filter((x) => x.status === undefined);
      // Seeded apps that already trust this identity are refused before any write (issuer and subject pair).
      assert.ok(already.every((x) => /already has this issuer and subject/.test(x.message)));
      const byGraph = r.value.failed.filter((x) => x.status !== undefined);
      assert.deepEqual(
        byGraph.map((x) => [x.app.id, x.status, x.retryable]),
        [[failing, 400, false]],
      );
      assert.equal(r.value.added.length, 50 - already.length - 1);
      assert.ok(
        r.value.added.some((a) => a.app.id === throttled),
        'the throttled item was sent again',
      );
      assert.ok(
        r.value.added.some((a) => a.app.id === lost),
        'the item answered 500 was looked up, found missing and written again',
      );
      assert.equal(f.sandbox.core.state.applications.get(lost)?.federatedIdentityCredentials.filter((c) => c.name === 'msi-bulk-ids').length, 1);
      const writes = Math.ceil((50 - already.length) / GRAPH_BATCH_LIMIT);
      assert.equal(r.batches, 3 + writes + 1 + 1 + 1, 'read batches, write batches, one batch for the throttled item, one look-up, one write again');
      assert.equal(r.requests, r.batches + 1, 'plus one identity lookup; nothing per app');
    } finally {
      f.sandbox.setFaults([]);
    }
  });
});
