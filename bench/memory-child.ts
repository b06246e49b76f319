// Heap growth after paging through every app registration with the extension's paging code
// (PagedList over GraphDirectory.listApps/nextPage, page size 100 as the view uses by default).
// Run by bench/run.ts as: node --expose-gc --require tsx/cjs bench/memory-child.ts (env: FC_BENCH_SANDBOX).
import { ClientSecretCredential } from '@azure/identity';
import { GraphDirectory } from '../src/graph/directory';
import type { AppRegistration } from '../src/domain/model';
import { createGraphClient } from '../src/graph/graphClient';
import { PagedList } from '../src/services/pagedList';
import { trustSandboxCa } from '../sandbox/trust';

interface ChildInput {
  graphUrl: string;
  loginUrl: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  caPem: string;
  pageSize: number;
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
  const list = new PagedList<AppRegistration>((next) =>
    next ? directory.nextPage<AppRegistration>(next, {}, { operation: 'listApps' }) : directory.apps.listApps({ pageSize: input.pageSize }),
  );
  const started = Date.now();
  await list.ensureLoaded();
  let pages = 1;
  while (list.hasMore) {
    await list.loadMore();
    pages++;
    if (list.error) throw list.error;
  }
  const elapsed = Date.now() - started;
  const after = settle();
  const credentials = list.items.reduce((n, a) => n + (a.federatedIdentityCredentials?.length ?? 0), 0);
  process.stdout.write(
    `${JSON.stringify({ apps: list.items.length, credentials, pages, elapsedMs: elapsed, heapBefore: before, heapAfter: after, growth: after - before })}\n`,
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
