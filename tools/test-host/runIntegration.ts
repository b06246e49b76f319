// Runs the integration suites inside real VS Code (code-server + headless Chromium, offline):
// first the suites that run in the extension host, then the UI suites that drive the workbench.
// Prints each test and a closing `N passed, M failed` line; exits non-zero on any failure,
// when VS Code fails to start, or when the run times out. Last comes one more check: no secret the
// sandbox issued (tokens, codes, assertions, client secrets, passwords, its keys) appears in anything the
// run captured: the runner's own output, the workbench's console and extension host log lines,
// code-server's output, logs and user data (the extension's output channel, globalStorage,
// workspaceStorage), the browser storage, the test workspace, and the telemetry the suites recorded.
//
// Options: --in-host-only   skip the UI suites
// Env:     FC_INTEGRATION_PATTERN  regexp of in-host suite files (default \.test\.js$)
//          FC_TEST_GREP             only tests whose full title matches
//          FC_INTEGRATION_TIMEOUT_MS  bound for the in-host run (default 600000)
import Mocha from 'mocha';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseResultLine } from '../../test/integration/protocol';
import { archiveCodeServerProfiles, startCodeServer, type RunningCodeServer } from './codeServer';
import { setHostFixture } from './fixture';
import { ensureTestHost } from './install';
import { checkForLeaks, type CapturedLines } from './leakCheck';
import { browserStorageSnapshot, captureWorkbenchLogs, grantAccountAccess, launchBrowser, newWorkbenchContext, openWorkbench } from './workbench';
import { autoAllowSignIn } from './autoAllow';
import { sandboxUserSettings } from './sandboxSettings';
import { collectFromEverySandbox, startSandbox, type IssuedSecrets, type Sandbox } from '../../sandbox';
import { readFileSync } from 'node:fs';

/** The consistency knob during the in-host suites (see sandbox/README.md, Control API: consistency). */
export const INTEGRATION_CONSISTENCY = { ficPropagationSeconds: 3, runbookPropagationMs: 1500 } as const;

const repoRoot = resolve(__dirname, '..', '..');
const inHostSuites = join(repoRoot, 'out', 'test', 'integration');

interface Tally {
  passed: number;
  failed: number;
  failures: string[];
}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function withTimeout<T>(promise: Promise<T>, ms: number, message: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message())), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Everything written to the runner's stdout and stderr from now on (for the leak check), still printed. */
function captureOutput(): { stdout: () => string; stderr: () => string } {
  const texts = { stdout: '', stderr: '' };
  for (const name of ['stdout', 'stderr'] as const) {
    const stream = process[name];
    const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      texts[name] += typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
      return write(chunk, ...rest);
    }) as typeof stream.write;
  }
  return { stdout: () => texts.stdout, stderr: () => texts.stderr };
}

/**
 * The final check, counted as a test: no issued secret in any captured line or file. It must have
 * something to look for (secrets issued) and must have seen the extension's output channel on disk.
 */
function checkNoSecretLeaked(secrets: IssuedSecrets, captures: CapturedLines[], roots: string[], tally: Tally): void {
  const issued = secrets.list();
  const result = checkForLeaks({ secrets: issued, captures, roots });
  const title = `no sandbox-issued token, assertion or secret in ${result.lines} captured lines and ${result.files.length} files (${issued.length} secrets issued)`;
  if (process.env.FC_TEST_VERBOSE) {
    say(`    secrets issued: ${JSON.stringify(secrets.counts())}`);
    for (const file of result.files) say(`    scanned ${file}`);
  }
  const problems: string[] = [];
  if (issued.length === 0) problems.push('The sandbox issued no secret: the scan had nothing to look for.');
  if (secrets.overflow > 0) problems.push(`${secrets.overflow} issued secrets were not recorded (over the limit): the scan is incomplete.`);
  if (result.channelLogs.length === 0) problems.push('No log file of the "Federated Credentials" output channel was found: the scan did not see the channel.');
  if (result.skipped > 0) problems.push(`${result.skipped} issued secrets are too short to search for.`);
  if (result.truncated.length > 0) problems.push(`Scanned only the start of: ${result.truncated.join(', ')}`);
  if (result.leaks.length > 0) {
    const shown = result.report.slice(0, 50);
    problems.push(
      `${result.leaks.length} leak(s) (secrets masked):\n${shown.join('\n')}${result.report.length > shown.length ? `\n… and ${result.report.length - shown.length} more` : ''}`,
    );
  }
  if (problems.length === 0) {
    tally.passed++;
    say(`  ✔ ${title}`);
  } else {
    tally.failed++;
    tally.failures.push(`${title}\n${problems.join('\n')}`);
    say(`  ✘ ${title}`);
  }
}

async function runInHostSuites(
  server: RunningCodeServer,
  browser: Awaited<ReturnType<typeof launchBrowser>>,
  workspace: string,
  sandbox: Sandbox,
  tally: Tally,
  captureDir: string,
): Promise<void> {
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
      if (result.kind === 'pass') {
        tally.passed++;
        say(`  ✔ ${result.title}`);
      } else if (result.kind === 'pending') say(`  - ${result.title} (pending)`);
      else if (result.kind === 'fail') {
        tally.failed++;
        tally.failures.push(`${result.title}\n${result.error}`);
        say(`  ✘ ${result.title}`);
      } else summarySeen = true;
    },
  });
  const timeoutMs = Number(process.env.FC_INTEGRATION_TIMEOUT_MS ?? 600_000);
  const stopAllowing = autoAllowSignIn(workbench.page);
  try {
    const code = await withTimeout(
      workbench.exitCode,
      timeoutMs,
      () =>
        `The in-host suites did not finish within ${timeoutMs / 1000}s: VS Code failed to start the extension tests or a test hangs.\n` +
        `Last log lines:\n${recent.join('\n')}\n--- code-server output ---\n${server.output().slice(-4000)}`,
    );
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
    // What VS Code for the web kept in the browser (globalState and workspaceState live there).
    await browserStorageSnapshot(workbench.page)
      .then((snapshot) => writeFileSync(join(captureDir, 'browser-storage-in-host.json'), snapshot))
      .catch((error: unknown) => writeFileSync(join(captureDir, 'browser-storage-in-host.error.txt'), String(error)));
    await workbench.close();
    await context.close();
  }
}

async function runUiSuites(tally: Tally): Promise<void> {
  say('In the browser (workbench UI)');
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, reporter: class {} as never });
  if (process.env.FC_TEST_GREP) mocha.grep(process.env.FC_TEST_GREP);
  // The workbench suites, and the runner's own tests (tools/test-host/test/*.ui.test.ts; its other tests are plain mocha).
  const uiSuites = [
    { dir: join(repoRoot, 'test', 'ui'), suffix: '.test.ts' },
    { dir: join(repoRoot, 'tools', 'test-host', 'test'), suffix: '.ui.test.ts' },
  ];
  for (const { dir, suffix } of uiSuites) for (const name of readdirSync(dir).sort()) if (name.endsWith(suffix)) mocha.addFile(join(dir, name));
  await new Promise<void>((done) => {
    const runner = mocha.run(() => done());
    runner.on('pass', (test) => {
      tally.passed++;
      say(`  ✔ ${test.fullTitle()}`);
    });
    runner.on('fail', (test, error: Error) => {
      tally.failed++;
      tally.failures.push(`${test.fullTitle()}\n${error?.stack ?? error}`);
      say(`  ✘ ${test.fullTitle()}`);
    });
  });
}

async function main(): Promise<number> {
  const inHostOnly = process.argv.includes('--in-host-only');
  const output = captureOutput();
  // Every sandbox this process starts (the suites' and npm start's in the UI suites) records what it issues.
  const secrets = collectFromEverySandbox();
  const workbenchLines: string[] = [];
  captureWorkbenchLogs((source, text) => workbenchLines.push(`${source}: ${text}`));
  const captureDir = mkdtempSync(join(tmpdir(), 'fc-capture-'));
  const extensionHostCapture = join(captureDir, 'extension-host');
  mkdirSync(extensionHostCapture);
  archiveCodeServerProfiles(join(captureDir, 'code-servers'));
  const host = ensureTestHost();
  const workspace = mkdtempSync(join(tmpdir(), 'fc-workspace-'));
  mkdirSync(workspace, { recursive: true });
  const infoPath = join(workspace, '..', `${workspace.split('/').pop()}-sandbox.json`);
  const tally: Tally = { passed: 0, failed: 0, failures: [] };
  let server: RunningCodeServer | undefined;
  let browser: Awaited<ReturnType<typeof launchBrowser>> | undefined;
  let sandbox: Sandbox | undefined;
  try {
    // The suites sign in to the sandbox tenant through the sandbox sign-in provider, on the Custom cloud.
    // Azure's eventual consistency is on, with short delays: a new federated credential propagates for a
    // few seconds (AADSTS70021) and a new runbook answers 404 for a moment; the suites must still succeed.
    sandbox = await startSandbox({ seed: 1, deviceCodeIntervalSeconds: 1, consistency: INTEGRATION_CONSISTENCY });
    writeFileSync(infoPath, JSON.stringify(sandbox.info), { mode: 0o600 });
    server = await startCodeServer({
      bin: host.codeServerBin,
      env: {
        FC_RUNNING_TESTS: '1',
        FC_SANDBOX_INFO: infoPath,
        // Where in-host suites put what they record (telemetry payloads) for the leak check.
        FC_CAPTURE_DIR: extensionHostCapture,
        NODE_EXTRA_CA_CERTS: sandbox.caPath,
        // An `az` signed in to the sandbox, for the azureCli sign-in method.
        PATH: `${join(repoRoot, 'test', 'fixtures', 'az')}:${process.env.PATH ?? ''}`,
      },
      installedExtensions: [join(repoRoot, 'out', 'sandbox-sign-in')],
      userSettings: sandboxUserSettings(sandbox.info),
    });
    browser = await launchBrowser(host.chromiumBin);
    await runInHostSuites(server, browser, workspace, sandbox, tally, captureDir);
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
    await server?.stop(); // archives its logs and user data into captureDir
    await sandbox?.stop();
    captureWorkbenchLogs(undefined);
    archiveCodeServerProfiles(undefined);
    // After every suite, before the workspace and the archives go. Nothing to look at when no test ran.
    if (tally.passed > 0) {
      checkNoSecretLeaked(
        secrets,
        [
          { name: 'runner stdout', lines: output.stdout().split('\n') },
          { name: 'runner stderr', lines: output.stderr().split('\n') },
          { name: 'workbench', lines: workbenchLines },
        ],
        [captureDir, workspace],
        tally,
      );
    } else {
      say('  - no sandbox-issued token, assertion or secret leaked (not checked: no test passed)');
    }
    rmSync(workspace, { recursive: true, force: true });
    rmSync(captureDir, { recursive: true, force: true });
    rmSync(infoPath, { force: true }); // it holds the sandbox's passwords and keys
  }
  if (tally.failures.length > 0) {
    say('\nFailures:');
    tally.failures.forEach((failure, i) => say(`\n${i + 1}) ${failure}`));
  }
  say('');
  say(`${tally.passed} passed, ${tally.failed} failed`);
  return tally.failed === 0 && tally.passed > 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    say('0 passed, 1 failed');
    process.exit(1);
  },
);
