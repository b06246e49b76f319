// `npm start`: the extension in VS Code against the built-in sandbox tenant, no Azure account needed.
// Builds the extension, starts the sandbox (Entra, Graph, ARM emulator), and serves VS Code
// (code-server) on loopback with the extension and the sandbox sign-in provider installed.
// Ctrl+C stops everything. Options (env): FC_PORT (VS Code's port, default any free port),
// FC_SANDBOX_SEED, FC_SANDBOX_APPS (number of extra seeded app registrations).
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startSandbox, type Sandbox } from '../sandbox';
import { startCodeServer } from '../tools/test-host/codeServer';
import { ensureTestHost } from '../tools/test-host/install';
import { sandboxUserSettings } from '../tools/test-host/sandboxSettings';

const repoRoot = resolve(__dirname, '..');

/** The files a .vsix would hold, as an installed extension folder. */
function stageExtension(into: string): string {
  const folder = join(into, 'federated-credentials');
  mkdirSync(folder, { recursive: true });
  for (const item of ['package.json', 'package.nls.json', 'l10n', 'dist', 'media', 'snippets', 'README.md', 'CHANGELOG.md', 'LICENSE']) {
    cpSync(join(repoRoot, item), join(folder, item), { recursive: true });
  }
  return folder;
}

export interface StartedEnvironment {
  readonly url: string;
  readonly workspace: string;
  /** The running sandbox (in this process): its seeded tenant, for tests and the screenshot script. */
  readonly sandbox: Sandbox;
  stop(): Promise<void>;
}

export async function startEnvironment(options: { port?: number; seed?: number; log?: (line: string) => void } = {}): Promise<StartedEnvironment> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  execFileSync(process.execPath, [join(repoRoot, 'scripts', 'build.mjs'), '--sandbox'], { cwd: repoRoot, stdio: 'ignore' });
  const host = ensureTestHost();
  const scratch = mkdtempSync(join(tmpdir(), 'fc-start-'));
  const workspace = join(scratch, 'workspace');
  mkdirSync(workspace);
  const sandbox = await startSandbox({
    seed: options.seed ?? 1,
    size: process.env.FC_SANDBOX_APPS ? { apps: Number(process.env.FC_SANDBOX_APPS) } : undefined,
    // Azure's eventual consistency, with short realistic delays: a new federated credential answers AADSTS70021
    // for 20 s, a consented app AADSTS700016 in the customer tenant for 10 s, a new runbook 404 for 3 s.
    // FC_SANDBOX_CONSISTENCY=off turns them off.
    consistency:
      process.env.FC_SANDBOX_CONSISTENCY === 'off' ? {} : { ficPropagationSeconds: 20, servicePrincipalPropagationSeconds: 10, runbookPropagationMs: 3000 },
  });
  const infoPath = join(scratch, 'sandbox.json');
  writeFileSync(infoPath, JSON.stringify(sandbox.info));
  const server = await startCodeServer({
    bin: host.codeServerBin,
    port: options.port,
    env: { FC_SANDBOX_INFO: infoPath, FC_SANDBOX_SIGNED_IN: '1', NODE_EXTRA_CA_CERTS: sandbox.caPath },
    installedExtensions: [stageExtension(join(scratch, 'staged')), join(repoRoot, 'out', 'sandbox-sign-in')],
    userSettings: sandboxUserSettings(sandbox.info),
  });
  const url = `${server.url}?folder=${encodeURIComponent(workspace)}`;
  log(`Sandbox tenant: ${sandbox.info.homeTenant.displayName} (${sandbox.info.homeTenant.id}), signed in as ${sandbox.info.admins.home.username}`);
  log(`Customer tenant admin (for the admin-consent page): ${sandbox.info.admins.customer.username} / ${sandbox.info.admins.customer.password}`);
  log(`VS Code with Federated Credentials: ${url}`);
  return {
    url,
    workspace,
    sandbox,
    stop: async () => {
      await server.stop();
      await sandbox.stop();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}

if (require.main === module) {
  startEnvironment({
    port: process.env.FC_PORT ? Number(process.env.FC_PORT) : undefined,
    seed: process.env.FC_SANDBOX_SEED ? Number(process.env.FC_SANDBOX_SEED) : undefined,
  })
    .then((environment) => {
      process.stdout.write('Press Ctrl+C to stop.\n');
      let stopping = false;
      const stop = () => {
        if (stopping) return;
        stopping = true;
        environment.stop().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    })
    .catch((error) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    });
}
