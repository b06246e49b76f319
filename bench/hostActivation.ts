// Activation in the VS Code test host (code-server + headless Chromium, as the integration tests
// run): each run opens a new workbench window, so a new extension host process loads and activates
// the extension from dist/ once. Reports the extension's own `activate()` time, the time
// `Extension.activate()` took as seen by another module in the host (VS Code loading the bundle
// plus activate()), and which lazily loaded chunks had run by then.
import * as esbuild from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startCodeServer } from '../tools/test-host/codeServer';
import { ensureTestHost } from '../tools/test-host/install';
import { launchBrowser, openWorkbench } from '../tools/test-host/workbench';
import { RESULT_PREFIX } from './host/protocol';

export interface HostActivationRun {
  readonly oursFirst: boolean;
  readonly wasActive: boolean;
  readonly activateCallMs: number;
  /** Extension.activate() of the 5 KB sandbox sign-in extension in the same host: VS Code's fixed cost. */
  readonly baselineCallMs: number;
  readonly activateMs: number;
  readonly chunksLoaded: string[];
}

const repoRoot = resolve(__dirname, '..');

export async function measureActivationInHost(runs: number, log: (line: string) => void = () => undefined): Promise<HostActivationRun[]> {
  const suiteDir = join(repoRoot, 'out', 'bench', 'host');
  execFileSync(process.execPath, [join(repoRoot, 'scripts', 'build.mjs'), '--sandbox'], { cwd: repoRoot, stdio: 'ignore' });
  await esbuild.build({
    entryPoints: [join(repoRoot, 'bench', 'host', 'index.ts')],
    bundle: true,
    outfile: join(suiteDir, 'index.js'),
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    external: ['vscode'],
    logLevel: 'warning',
  });
  const host = ensureTestHost();
  const workspace = mkdtempSync(join(tmpdir(), 'fc-bench-workspace-'));
  // FC_RUNNING_TESTS: the extension reports its own activate() time through its test seam.
  const server = await startCodeServer({
    bin: host.codeServerBin,
    env: { FC_RUNNING_TESTS: '1' },
    installedExtensions: [join(repoRoot, 'out', 'sandbox-sign-in')],
  });
  const browser = await launchBrowser(host.chromiumBin);
  const results: HostActivationRun[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      let result: HostActivationRun | undefined;
      // Which extension activates first alternates, so neither always pays the host's first-activation costs.
      writeFileSync(join(suiteDir, 'order.json'), JSON.stringify({ oursFirst: i % 2 === 0 }));
      const workbench = await openWorkbench(browser, {
        server,
        extensionDevelopmentPath: repoRoot,
        extensionTestsPath: suiteDir,
        folder: workspace,
        onLog: (_type, text) => {
          if (text.startsWith(RESULT_PREFIX)) result = JSON.parse(text.slice(RESULT_PREFIX.length)) as HostActivationRun;
        },
      });
      try {
        const code = await Promise.race([
          workbench.exitCode,
          new Promise<number>((_, reject) => setTimeout(() => reject(new Error('the activation run did not finish within 120 s')), 120_000)),
        ]);
        if (code !== 0 || !result)
          throw new Error(`activation run ${i + 1} failed (exit code ${code}, result ${result ? 'seen' : 'missing'})\n${server.output().slice(-2000)}`);
        log(
          `  run ${i + 1}: activate() ${result.activateMs.toFixed(2)} ms, Extension.activate() ${result.activateCallMs.toFixed(1)} ms, baseline extension ${result.baselineCallMs.toFixed(1)} ms${result.wasActive ? ' (already active!)' : ''}`,
        );
        results.push(result);
      } finally {
        await workbench.close();
      }
    }
  } finally {
    await browser.close().catch(() => undefined);
    await server.stop();
    rmSync(workspace, { recursive: true, force: true });
  }
  return results;
}
