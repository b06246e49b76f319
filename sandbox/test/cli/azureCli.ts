// The real Azure CLI against the sandbox, unchanged: Debian's `azure-cli` runs in a network namespace of
// this test's own whose hosts file sends login.microsoftonline.com, graph.microsoft.com and
// management.azure.com to the sandbox, which listens there on 443 and answers those hosts at their roots
// (router.ts PUBLIC_HOST; its certificate names them, signed by the sandbox CA that REQUESTS_CA_BUNDLE
// trusts). The CLI thus talks to the public cloud as it ships, with no custom cloud and no patch; nothing
// leaves the namespace. Needs root (network namespaces) and installs Debian's azure-cli when it is missing.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { SandboxInfo } from '../../index';

const repoRoot = resolve(__dirname, '..', '..', '..');
const HOSTS = ['login.microsoftonline.com', 'graph.microsoft.com', 'management.azure.com'];

export function canRunAzureCli(): { ok: true } | { ok: false; why: string } {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return { ok: false, why: 'network namespaces need root' };
  if (!existsSync('/usr/sbin/ip') && !existsSync('/sbin/ip') && !existsSync('/usr/bin/ip')) return { ok: false, why: 'iproute2 (ip) is not installed' };
  return { ok: true };
}

/** Debian's azure-cli, installed once (about a minute); the project's own set-up, not a step by hand. */
export function ensureAzureCli(): void {
  if (existsSync('/usr/bin/az')) return;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // Bounded: apt waits at most a minute for its lock, and the whole install at most five.
  const lock = ['-o', 'DPkg::Lock::Timeout=60'];
  execFileSync('apt-get', [...lock, 'update', '-qq'], { stdio: 'ignore', env, timeout: 300_000 });
  execFileSync('apt-get', [...lock, 'install', '-y', '-qq', '--no-install-recommends', 'azure-cli'], { stdio: 'ignore', env, timeout: 300_000 });
}

/** Namespaces (and their hosts files) that earlier runs left behind when their process was killed. */
function removeStaleNamespaces(): void {
  const listed = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '';
  for (const name of listed.split('\n').map((l) => l.split(' ')[0] ?? '')) {
    const pid = /^fc-az-(\d+)$/.exec(name)?.[1];
    if (!pid || isAlive(Number(pid))) continue;
    removeNamespace(name);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Ends every process in the namespace (SIGKILL: the sandbox in it is a test's own), then the namespace and its hosts file. */
function removeNamespace(name: string): void {
  const pids = (spawnSync('ip', ['netns', 'pids', name], { encoding: 'utf8' }).stdout ?? '').split(/\s+/).filter(Boolean);
  for (const pid of pids) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      /* gone already */
    }
  }
  spawnSync('ip', ['netns', 'del', name]);
  rmSync(`/etc/netns/${name}`, { recursive: true, force: true });
}

export interface AzResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout parsed as JSON, when it is JSON. */
  readonly json: unknown;
}

export class AzureCliWorld {
  private sandbox?: ChildProcess;
  private scratch = '';
  readonly namespace = `fc-az-${process.pid}`;
  info!: SandboxInfo;
  private readonly onExit = () => this.stop();

  async start(): Promise<void> {
    removeStaleNamespaces();
    this.scratch = mkdtempSync(join(tmpdir(), 'fc-azcli-'));
    // Whatever ends this process, the namespace, its hosts file and the sandbox in it go too.
    process.once('exit', this.onExit);
    const ns = this.namespace;
    execFileSync('ip', ['netns', 'add', ns]);
    execFileSync('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up']);
    // `ip netns exec` mounts /etc/netns/{ns}/hosts over /etc/hosts for the commands it runs.
    mkdirSync(`/etc/netns/${ns}`, { recursive: true });
    writeFileSync(`/etc/netns/${ns}/hosts`, `127.0.0.1 localhost\n127.0.0.1 ${HOSTS.join(' ')}\n`);
    const infoFile = join(this.scratch, 'sandbox.json');
    const tsx = join(repoRoot, 'node_modules', '.bin', 'tsx');
    // Its output goes to a file: a pipe nobody reads while az runs (spawnSync) could stall it.
    const log = join(this.scratch, 'sandbox.log');
    const out = openSync(log, 'a');
    this.sandbox = spawn(
      'ip',
      ['netns', 'exec', ns, tsx, join(repoRoot, 'sandbox', 'cli.ts'), '--port', '443', '--info-file', infoFile, '--seed', '3', '--public-hosts', 'true'],
      { stdio: ['ignore', out, out] },
    );
    closeSync(out);
    const started = Date.now();
    while (!existsSync(infoFile)) {
      if (Date.now() - started > 60_000 || this.sandbox.exitCode !== null)
        throw new Error(`The sandbox did not start in the namespace: ${readFileSync(log, 'utf8')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    this.info = JSON.parse(readFileSync(infoFile, 'utf8')) as SandboxInfo;
  }

  /** `az …` in the namespace, with its own configuration folder (`profile`: one per signed-in identity). */
  az(args: readonly string[], profile = 'default'): AzResult {
    const config = join(this.scratch, `az-${profile}`);
    mkdirSync(config, { recursive: true });
    const r = spawnSync('ip', ['netns', 'exec', this.namespace, 'az', ...args], {
      encoding: 'utf8',
      timeout: 120_000,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: this.scratch,
        AZURE_CONFIG_DIR: config,
        REQUESTS_CA_BUNDLE: this.info.caPath,
        AZURE_CORE_COLLECT_TELEMETRY: 'false',
        AZURE_CORE_NO_COLOR: 'true',
        AZURE_CORE_SURVEY_MESSAGE: 'false',
        AZURE_CORE_ONLY_SHOW_ERRORS: 'true',
      },
    });
    let json: unknown;
    try {
      json = r.stdout.trim() ? JSON.parse(r.stdout) : undefined;
    } catch {
      json = undefined;
    }
    return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, json };
  }

  stop(): void {
    this.sandbox?.kill();
    spawnSync('ip', ['netns', 'pids', this.namespace])
      .stdout?.toString()
      .split(/\s+/)
      .filter(Boolean)
      .forEach((pid) => {
        try {
          process.kill(Number(pid));
        } catch {
          /* gone already */
        }
      });
    spawnSync('ip', ['netns', 'del', this.namespace]);
    rmSync(`/etc/netns/${this.namespace}`, { recursive: true, force: true });
    rmSync(this.scratch, { recursive: true, force: true });
  }
}
