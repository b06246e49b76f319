// The real Azure CLI against the sandbox, unchanged: Debian's `azure-cli` runs in a network namespace of
// this test's own whose hosts file sends login.microsoftonline.com, graph.microsoft.com and
// management.azure.com to the sandbox, which listens there on 443 and answers those hosts at their roots
// (server.ts PUBLIC_HOSTS; its certificate names them, signed by the sandbox CA that REQUESTS_CA_BUNDLE
// trusts). The CLI thus talks to the public cloud as it ships, with no custom cloud and no patch; nothing
// leaves the namespace. Needs root (network namespaces) and installs Debian's azure-cli when it is missing.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'azure-cli'], { stdio: 'ignore', env });
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
  private readonly scratch = mkdtempSync(join(tmpdir(), 'fc-azcli-'));
  readonly namespace = `fc-az-${process.pid}`;
  info!: SandboxInfo;

  async start(): Promise<void> {
    const ns = this.namespace;
    execFileSync('ip', ['netns', 'add', ns]);
    execFileSync('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up']);
    // `ip netns exec` mounts /etc/netns/{ns}/hosts over /etc/hosts for the commands it runs.
    mkdirSync(`/etc/netns/${ns}`, { recursive: true });
    writeFileSync(`/etc/netns/${ns}/hosts`, `127.0.0.1 localhost\n127.0.0.1 ${HOSTS.join(' ')}\n`);
    const infoFile = join(this.scratch, 'sandbox.json');
    const tsx = join(repoRoot, 'node_modules', '.bin', 'tsx');
    this.sandbox = spawn('ip', ['netns', 'exec', ns, tsx, join(repoRoot, 'sandbox', 'cli.ts'), '--port', '443', '--info-file', infoFile, '--seed', '3'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    this.sandbox.stderr?.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const started = Date.now();
    while (!existsSync(infoFile)) {
      if (Date.now() - started > 60_000 || this.sandbox.exitCode !== null) throw new Error(`The sandbox did not start in the namespace: ${stderr}`);
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
