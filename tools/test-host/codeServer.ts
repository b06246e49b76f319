// Starts code-server (VS Code's server build) on loopback with throw-away profile folders.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let archiveRoot: string | undefined;
let archived = 0;

/**
 * From now on, every server's stop() first copies its user-data folder (logs with the extension host's and
 * the output channels' files, globalStorage, workspaceStorage) and everything it printed into a new folder
 * under `root`: the integration runner scans them for leaked secrets after the whole run. `undefined` ends it.
 */
export function archiveCodeServerProfiles(root: string | undefined): void {
  archiveRoot = root;
}

export interface RunningCodeServer {
  /** e.g. http://127.0.0.1:40123/ */
  readonly url: string;
  /** host:port, used to build vscode-remote:// URIs. */
  readonly authority: string;
  /** Everything code-server printed, for diagnostics when VS Code fails to start. */
  output(): string;
  stop(): Promise<void>;
}

export interface CodeServerOptions {
  readonly bin: string;
  /** Extra environment for the server and so for the extension host (e.g. NODE_EXTRA_CA_CERTS). */
  readonly env?: NodeJS.ProcessEnv;
  readonly startTimeoutMs?: number;
  /** Extension folders (with package.json) installed beside the one under development, e.g. the sandbox sign-in provider. */
  readonly installedExtensions?: readonly string[];
  /** User settings written before start (for example the sandbox cloud and sign-in provider). */
  readonly userSettings?: Record<string, unknown>;
  /** Port to listen on; default any free port. */
  readonly port?: number;
}

export async function startCodeServer(options: CodeServerOptions): Promise<RunningCodeServer> {
  const profile = mkdtempSync(join(tmpdir(), 'fc-code-server-'));
  mkdirSync(join(profile, 'user-data', 'User'), { recursive: true });
  writeFileSync(
    join(profile, 'user-data', 'User', 'settings.json'),
    JSON.stringify(
      {
        'workbench.startupEditor': 'none',
        'telemetry.telemetryLevel': 'off',
        'extensions.autoUpdate': false,
        ...options.userSettings,
      },
      null,
      2,
    ),
  );
  for (const folder of options.installedExtensions ?? []) {
    const manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as { publisher: string; name: string; version: string };
    cpSync(folder, join(profile, 'extensions', `${manifest.publisher}.${manifest.name}-${manifest.version}`), { recursive: true });
  }
  const args = [
    '--auth',
    'none',
    '--bind-addr',
    `127.0.0.1:${options.port ?? 0}`,
    '--user-data-dir',
    join(profile, 'user-data'),
    '--extensions-dir',
    join(profile, 'extensions'),
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
  ];
  const child: ChildProcess = spawn(options.bin, args, {
    // VSCODE_CLI=1: the server skips resolving a login shell's environment for the extension host,
    // so the host gets exactly this environment (PATH included), the same on every machine.
    env: { ...process.env, ...options.env, VSCODE_CLI: '1', XDG_CONFIG_HOME: join(profile, 'config') },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so stop() ends the extension host too
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);

  const stop = async () => {
    if (child.exitCode === null && child.pid !== undefined) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          /* gone */
        }
      }, 5000);
      await exited;
      clearTimeout(timer);
    }
    if (archiveRoot) {
      const into = join(archiveRoot, `code-server-${++archived}`);
      // Files and folders only: the server leaves IPC sockets in there, which cannot be copied.
      const copyable = (path: string) => {
        const stat = lstatSync(path);
        return stat.isFile() || stat.isDirectory();
      };
      cpSync(join(profile, 'user-data'), join(into, 'user-data'), { recursive: true, filter: copyable });
      writeFileSync(join(into, 'output.log'), output);
    }
    rmSync(profile, { recursive: true, force: true });
  };

  const timeoutMs = options.startTimeoutMs ?? 60_000;
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`code-server did not start within ${timeoutMs / 1000}s`)), timeoutMs);
    const onData = () => {
      const match = /HTTP server listening on (http:\/\/127\.0\.0\.1:\d+\/?)/.exec(output);
      if (match) done(undefined, match[1].endsWith('/') ? match[1] : `${match[1]}/`);
    };
    const onExit = (code: number | null) => done(new Error(`code-server exited (code ${code}) before it was ready`));
    function done(error?: Error, value?: string) {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      if (error) reject(new Error(`${error.message}\n--- code-server output ---\n${output}`));
      else resolve(value!);
    }
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
  }).catch(async (error) => {
    await stop();
    throw error;
  });

  return { url, authority: new URL(url).host, output: () => output, stop };
}
