// `npm run sandbox` — starts the sandbox and prints ONE JSON line (SandboxInfo) on stdout; Ctrl+C stops it.
// Flags: --seed N, --port N, --mi-port N, --apps N, --apps-with-credentials N, --managed-identities N,
//        --ca-dir PATH (reuse a CA), --info-file PATH (also write the JSON there, e.g. for FC_SANDBOX_INFO),
//        --device-code-interval N, --public-hosts (also answer as login.microsoftonline.com, graph.microsoft.com and
//        management.azure.com, for a client in a network namespace that resolves them to the sandbox).
import { writeFileSync } from 'node:fs';
import { startSandbox } from './index';

function parseArgs(argv: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (!a.startsWith('--')) throw new Error(`Unexpected argument ${a}`);
    const [k, inline] = a.slice(2).split('=', 2) as [string, string | undefined];
    const v = inline ?? argv[++i];
    if (v === undefined) throw new Error(`--${k} needs a value`);
    out.set(k, v);
  }
  return out;
}

function num(args: Map<string, string>, name: string): number | undefined {
  const v = args.get(name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer`);
  return n;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const known = new Set([
    'seed',
    'port',
    'mi-port',
    'apps',
    'apps-with-credentials',
    'managed-identities',
    'ca-dir',
    'info-file',
    'device-code-interval',
    'public-hosts',
  ]);
  for (const k of args.keys()) if (!known.has(k)) throw new Error(`Unknown option --${k}`);
  const sandbox = await startSandbox({
    seed: num(args, 'seed'),
    port: num(args, 'port'),
    managedIdentityPort: num(args, 'mi-port'),
    caDir: args.get('ca-dir'),
    deviceCodeIntervalSeconds: num(args, 'device-code-interval'),
    publicHosts: args.get('public-hosts') === 'true',
    size: { apps: num(args, 'apps'), appsWithCredentials: num(args, 'apps-with-credentials'), managedIdentities: num(args, 'managed-identities') },
  });
  const line = JSON.stringify(sandbox.info);
  const infoFile = args.get('info-file');
  if (infoFile) writeFileSync(infoFile, line + '\n', { mode: 0o600 });
  process.stdout.write(line + '\n');
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    sandbox.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`sandbox: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
