// Heap growth of the Managed Identities view's data. `expand`: the first page of identities, then `identities`
// of them expanded one after another with the view's TrustLookup (one subject filter each), every answer kept as
// the view keeps it. `listEverything`: the former trust index, every app with its credentials (999 per page)
// held, for comparison. Run by bench/run.ts as: node --expose-gc --require tsx/cjs bench/memory-child.ts
// (env: FC_BENCH_SANDBOX).
import { ClientSecretCredential } from '@azure/identity';
import { GraphDirectory } from '../src/graph/directory';
import type { AppRegistration } from '../src/domain/model';
import { TrustLookup, type TrustingApps } from '../src/services/trustLookup';
import { createGraphClient } from '../src/graph/graphClient';
import { trustSandboxCa } from '../sandbox/trust';

interface ChildInput {
  graphUrl: string;
  loginUrl: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  caPem: string;
  pageSize: number;
  mode: 'expand' | 'listEverything';
  identities: number;
}

async function main(): Promise<void> {
  const input = JSON.parse(process.env.FC_BENCH_SANDBOX ?? '{}') as ChildInput;
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  trustSandboxCa(input.caPem);
  const credential = new ClientSecretCredential(input.tenantId, input.clientId, input.clientSecret, {
    authorityHost: input.loginUrl,
    disableInstanceDiscovery: true,
  });
  const client = createGraphClient({ credential, baseUrl: input.graphUrl, scopes: [`${input.graphUrl}/.default`] });
  const directory = new GraphDirectory({ read: async () => client, write: async () => client });
  await directory.organization.get(); // token, TLS and SDK warmed up before the baseline
  const settle = () => {
    gc();
    gc();
    return process.memoryUsage().heapUsed;
  };
  const before = settle();
  const started = Date.now();
  let held: unknown;
  let identities = 0;
  let apps: number;
  let credentials = 0;
  let requests = 0;
  if (input.mode === 'expand') {
    const page = await directory.servicePrincipals.listManagedIdentities(input.pageSize);
    let listed = page.items;
    let next = page.nextLink;
    requests++;
    // Enough identities on screen to expand (the view's "Load more" pages), then each expanded once.
    while (listed.length < input.identities && next) {
      const more = await directory.nextPage<(typeof listed)[number]>(next);
      listed = [...listed, ...more.items];
      next = more.nextLink;
      requests++;
    }
    const lookup = new TrustLookup({ directory: () => directory });
    const answers: TrustingApps[] = [];
    for (const identity of listed.slice(0, input.identities)) {
      answers.push(await lookup.trustingApps(identity.id));
      requests++;
    }
    identities = answers.length;
    apps = answers.reduce((n, a) => n + a.apps.length, 0);
    held = { listed, lookup, answers };
  } else {
    const { PageIterator } = await import('../src/graph/graphClient');
    const all: AppRegistration[] = [];
    const first = await client.api('/applications?$select=id,appId,displayName,signInAudience&$expand=federatedIdentityCredentials&$top=999').get();
    let seen = 0;
    const iterator = new PageIterator(client, first, (app: AppRegistration) => {
      seen++;
      if ((app.federatedIdentityCredentials?.length ?? 0) > 0) all.push(app);
      return true;
    });
    await iterator.iterate();
    requests = Math.max(1, Math.ceil(seen / 999));
    apps = all.length;
    credentials = all.reduce((n, a) => n + (a.federatedIdentityCredentials?.length ?? 0), 0);
    held = all;
  }
  const elapsed = Date.now() - started;
  const after = settle();
  if (held === undefined) throw new Error('nothing held');
  process.stdout.write(
    `${JSON.stringify({ identities, apps, credentials, requests, elapsedMs: elapsed, heapBefore: before, heapAfter: after, growth: after - before })}\n`,
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
