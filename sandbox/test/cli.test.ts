// `npm run sandbox`, as a user runs it: one JSON line on stdout (with `--silent`, npm adds no banner), endpoints
// that answer, and Ctrl+C (SIGINT to the whole process group, as a terminal sends it) stops it, closing its
// ports and removing its temporary CA folder.
import assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { SandboxInfo } from '../index';
import { trustSandboxCa } from '../trust';

const ROOT = join(__dirname, '..', '..');

function run(args: readonly string[]): {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
} {
  // detached: its own process group, so the test can signal the group like a terminal's Ctrl+C does.
  const child = spawn('npm', ['run', '--silent', 'sandbox', '--', ...args], { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString('utf8')));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, stdout: () => out, stderr: () => err, exited };
}

async function firstLine(p: ReturnType<typeof run>, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (!p.stdout().includes('\n')) {
    if (p.child.exitCode !== null) throw new Error(`sandbox exited early (${p.child.exitCode}): ${p.stderr()}`);
    if (Date.now() > deadline) throw new Error(`no line after ${timeoutMs} ms; stderr: ${p.stderr()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return p.stdout();
}

function portRefuses(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED'));
  });
}

describe('sandbox: npm run sandbox', () => {
  let main: ReturnType<typeof run> | undefined;
  let dir = '';
  after(() => {
    if (main?.child.pid && main.child.exitCode === null && main.child.signalCode === null) process.kill(-main.child.pid, 'SIGKILL');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('prints one JSON line whose endpoints answer; Ctrl+C stops it, closes its ports and removes its CA folder; bad flags exit 1', async function () {
    this.timeout(60000);
    dir = mkdtempSync(join(tmpdir(), 'fc-sandbox-cli-'));
    const infoFile = join(dir, 'info.json');
    main = run(['--seed', '7', '--apps', '12', '--apps-with-credentials', '3', '--info-file', infoFile]);
    const bad = run(['--nope', '1']);

    const out = await firstLine(main, 45000);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(main.stdout(), out, 'nothing after the line');
    const lines = out.split('\n');
    assert.deepEqual(lines.slice(1), [''], 'exactly one line');
    const info = JSON.parse(lines[0] as string) as SandboxInfo;
    assert.equal(readFileSync(infoFile, 'utf8'), out, '--info-file holds the same line');
    assert.equal(info.seed, 7);
    for (const k of ['loginUrl', 'graphUrl', 'armUrl', 'managedIdentityEndpoint', 'identityHeader', 'controlUrl', 'controlKey', 'caPath'] as const)
      assert.equal(typeof info[k], 'string', k);
    assert.ok(info.homeTenant.id && info.customerTenant.id && info.admins.home.password && info.confidentialClient.clientSecret);

    const untrust = trustSandboxCa(readFileSync(info.caPath, 'utf8'));
    try {
      const discovery = await fetch(`${info.loginUrl}/${info.homeTenant.id}/v2.0/.well-known/openid-configuration`);
      assert.equal(discovery.status, 200);
      const token = async (scope: string) => {
        const r = await fetch(`${info.loginUrl}/${info.homeTenant.id}/oauth2/v2.0/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            grant_type: 'client_credentials',
            client_id: info.confidentialClient.clientId,
            client_secret: info.confidentialClient.clientSecret,
            scope,
          }),
        });
        assert.equal(r.status, 200);
        return ((await r.json()) as { access_token: string }).access_token;
      };
      const apps = await fetch(`${info.graphUrl}/v1.0/applications/$count`, {
        headers: { authorization: `Bearer ${await token('https://graph.microsoft.com/.default')}`, ConsistencyLevel: 'eventual' },
      });
      assert.equal(apps.status, 200);
      assert.ok(Number(await apps.text()) >= 12, '--apps reached the seed');
      const subs = await fetch(`${info.armUrl}/subscriptions?api-version=2022-12-01`, {
        headers: { authorization: `Bearer ${await token('https://management.azure.com/.default')}` },
      });
      assert.deepEqual(
        ((await subs.json()) as { value: { subscriptionId: string }[] }).value.map((s) => s.subscriptionId),
        [info.subscriptions.home],
      );
      const mi = await fetch(`${info.managedIdentityEndpoint}?api-version=2019-08-01&resource=${encodeURIComponent('api://AzureADTokenExchange')}`, {
        headers: { 'X-IDENTITY-HEADER': info.identityHeader },
      });
      assert.equal(mi.status, 200);
      const control = await fetch(`${info.controlUrl}/info`, { headers: { 'x-sandbox-control-key': info.controlKey } });
      assert.equal(((await control.json()) as SandboxInfo).controlKey, info.controlKey);
    } finally {
      untrust();
    }

    const ports = [Number(new URL(info.loginUrl).port), Number(new URL(info.managedIdentityEndpoint).port)];
    assert.ok(existsSync(dirname(info.caPath)));
    process.kill(-(main.child.pid as number), 'SIGINT');
    const stopped = await main.exited;
    // npm re-raises the signal its script ended on; the sandbox under it exits 0 (stop() ran: see the CA folder).
    assert.ok(stopped.code === 0 || stopped.signal === 'SIGINT', `exit ${JSON.stringify(stopped)}`);
    assert.equal(main.stderr(), '');
    for (const port of ports) assert.ok(await portRefuses(port), `port ${port} still open`);
    assert.ok(!existsSync(dirname(info.caPath)), 'the temporary CA folder is removed on stop');

    const failed = await bad.exited;
    assert.equal(failed.code, 1);
    assert.equal(bad.stdout(), '');
    assert.match(bad.stderr(), /^sandbox: Unknown option --nope$/m);
  });
});
