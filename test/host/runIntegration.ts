// Runs the integration suites inside real VS Code (code-server + headless Chromium, offline):
// first the suites that run in the extension host, then the UI suites that drive the workbench.
// Prints each test and a closing `N passed, M failed` line; exits non-zero on any failure,
// when VS Code fails to start, or when the run times out.
//
// Options: --in-host-only   skip the UI suites
// Env:     FC_INTEGRATION_PATTERN  regexp of in-host suite files (default \.test\.js$)
//          FC_TEST_GREP             only tests whose full title matches
//          FC_INTEGRATION_TIMEOUT_MS  bound for the in-host run (default 600000)
import Mocha from 'mocha';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseResultLine } from '../integration/protocol';
import { startCodeServer, type RunningCodeServer } from './codeServer';
import { setHostFixture } from './fixture';
import { ensureTestHost } from './install';
import { grantAccountAccess, launchBrowser, newWorkbenchContext, openWorkbench } from './workbench';
import { autoAllowSignIn } from './autoAllow';
import { sandboxUserSettings } from './sandboxSettings';
import { startSandbox, type Sandbox } from '../sandbox';
import { readFileSync, writeFileSync } from 'node:fs';

const repoRoot = resolve(__dirname, '..', '..');
const inHostSuites = join(repoRoot, 'out', 'test', 'integration');

interface Tally { passed: number; failed: number; failures: string[] }

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function withTimeout<T>(promise: Promise<T>, ms: number, message: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(message())), ms); });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function runInHostSuites(server: RunningCodeServer, browser: Awaited<ReturnType<typeof launchBrowser>>, workspace: string, sandbox: Sandbox, tally: Tally): Promise<void> {
  say('Inside VS Code (extension host)');
  const context = await newWorkbenchContext(browser);
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { publisher: string; name: string; displayName: string };
  await grantAccountAccess(context, server, {
    providerId: 'fc-sandbox',
    accountLabel: sandbox.info.admins.home.username,
    extensionId: `${manifest.publisher}.${manifest.name}`,
    extensionName: manifest.displayName,
  });
  const recent: string[] = [];
  let summarySeen = false;
  const workbench = await openWorkbench(browser, {
    server,
    extensionDevelopmentPath: repoRoot,
    extensionTestsPath: inHostSuites,
    folder: workspace,
    context,
    onLog: (type, text) => {
      if (process.env.FC_TEST_VERBOSE) say(`    [${type}] ${text}`);
      const result = parseResultLine(text);
      if (!result) {
        recent.push(`${type}: ${text}`);
        if (recent.length > 40) recent.shift();
        return;
      }
      if (result.kind === 'pass') { tally.passed++; say(`  ✔ ${result.title}`); }
      else if (result.kind === 'pending') say(`  - ${result.title} (pending)`);
      else if (result.kind === 'fail') { tally.failed++; tally.failures.push(`${result.title}\n${result.error}`); say(`  ✘ ${result.title}`); }
      else summarySeen = true;
    },
  });
  const timeoutMs = Number(process.env.FC_INTEGRATION_TIMEOUT_MS ?? 600_000);
  const stopAllowing = autoAllowSignIn(workbench.page);
  try {
    const code = await withTimeout(workbench.exitCode, timeoutMs, () =>
      `The in-host suites did not finish within ${timeoutMs / 1000}s: VS Code failed to start the extension tests or a test hangs.\n` +
      `Last log lines:\n${recent.join('\n')}\n--- code-server output ---\n${server.output().slice(-4000)}`);
    if (code !== 0 && tally.failed === 0) {
      tally.failed++;
      tally.failures.push(`The extension test run exited with code ${code} before reporting a failure (did VS Code load the suites?)\n${recent.join('\n')}`);
      say(`  ✘ extension test run (exit code ${code})`);
    } else if (!summarySeen && tally.failed === 0) {
      tally.failed++;
      tally.failures.push('The extension test run ended without a summary line.');
    }
  } finally {
    stopAllowing();
    await workbench.close();
    await context.close();
  }
}

async function runUiSuites(tally: Tally): Promise<void> {
  say('In the browser (workbench UI)');
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, reporter: class {} as never });
  if (process.env.FC_TEST_GREP) mocha.grep(process.env.FC_TEST_GREP);
  const uiDirs = [join(repoRoot, 'test', 'ui'), join(repoRoot, 'test', 'host')];
  for (const dir of uiDirs) for (const name of readdirSync(dir).sort()) if (name.endsWith('.test.ts')) mocha.addFile(join(dir, name));
  await new Promise<void>((done) => {
    const runner = mocha.run(() => done());
    runner.on('pass', (test) => { tally.passed++; say(`  ✔ ${test.fullTitle()}`); });
    runner.on('fail', (test, error: Error) => { tally.failed++; tally.failures.push(`${test.fullTitle()}\n${error?.stack ?? error}`); say(`  ✘ ${test.fullTitle()}`); });
  });
}

async function main(): Promise<number> {
  const inHostOnly = process.argv.includes('--in-host-only');
  const host = ensureTestHost();
  const workspace = mkdtempSync(join(tmpdir(), 'fc-workspace-'));
  mkdirSync(workspace, { recursive: true });
  const tally: Tally = { passed: 0, failed: 0, failures: [] };
  let server: RunningCodeServer | undefined;
  let browser: Awaited<ReturnType<typeof launchBrowser>> | undefined;
  let sandbox: Sandbox | undefined;
  try {
    // The suites sign in to the sandbox tenant through the sandbox sign-in provider, on the Custom cloud.
    sandbox = await startSandbox({ seed: 1, deviceCodeIntervalSeconds: 1 });
    const infoPath = join(workspace, '..', `${workspace.split('/').pop()}-sandbox.json`);
    writeFileSync(infoPath, JSON.stringify(sandbox.info));
    server = await startCodeServer({
      bin: host.codeServerBin,
      env: {
        FC_RUNNING_TESTS: '1',
        FC_SANDBOX_INFO: infoPath,
        NODE_EXTRA_CA_CERTS: sandbox.caPath,
        // An `az` signed in to the sandbox, for the azureCli sign-in method.
        PATH: `${join(repoRoot, 'test', 'fixtures', 'az')}:${process.env.PATH ?? ''}`,
      },
      installedExtensions: [join(repoRoot, 'out', 'sandbox-sign-in')],
      userSettings: sandboxUserSettings(sandbox.info),
    });
    browser = await launchBrowser(host.chromiumBin);
    await runInHostSuites(server, browser, workspace, sandbox, tally);
    if (!inHostOnly) {
      setHostFixture({ browser, server, extensionPath: repoRoot, workspacePath: workspace, sandbox });
      await runUiSuites(tally);
    }
  } catch (error) {
    tally.failed++;
    tally.failures.push(error instanceof Error ? error.message : String(error));
    say(`  ✘ ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  } finally {
    setHostFixture(undefined);
    await browser?.close().catch(() => undefined);
    await server?.stop();
    await sandbox?.stop();
    rmSync(workspace, { recursive: true, force: true });
  }
  if (tally.failures.length > 0) {
    say('\nFailures:');
    tally.failures.forEach((failure, i) => say(`\n${i + 1}) ${failure}`));
  }
  say('');
  say(`${tally.passed} passed, ${tally.failed} failed`);
  return tally.failed === 0 && tally.passed > 0 ? 0 : 1;
}

main().then((code) => process.exit(code), (error) => {
  console.error(error);
  say('0 passed, 1 failed');
  process.exit(1);
});
