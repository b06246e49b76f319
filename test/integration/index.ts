// Entry point that VS Code loads as `extensionTestsPath` inside the extension host.
// Runs the mocha suites next to it and reports each result on a line the runner parses.
import Mocha from 'mocha';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { formatResultLine, type SuiteSummary } from './protocol';

function findSuites(dir: string, pattern: RegExp): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return findSuites(path, pattern);
    return pattern.test(path) ? [path] : [];
  });
}

export async function run(): Promise<void> {
  // FC_INTEGRATION_PATTERN lets the runner's own test load a deliberately failing fixture suite.
  const pattern = new RegExp(process.env.FC_INTEGRATION_PATTERN ?? '\\.test\\.js$');
  const mocha = new Mocha({ ui: 'bdd', timeout: Number(process.env.FC_TEST_TIMEOUT_MS ?? 30_000), color: false, reporter: class {} as never });
  if (process.env.FC_TEST_GREP) mocha.grep(process.env.FC_TEST_GREP);
  for (const file of findSuites(__dirname, pattern).sort()) mocha.addFile(file);

  const summary: SuiteSummary = { passed: 0, failed: 0, pending: 0 };
  await new Promise<void>((resolve) => {
    const runner = mocha.run(() => resolve());
    runner.on('pass', (test) => {
      summary.passed++;
      console.log(formatResultLine({ kind: 'pass', title: test.fullTitle() }));
    });
    runner.on('pending', (test) => {
      summary.pending++;
      console.log(formatResultLine({ kind: 'pending', title: test.fullTitle() }));
    });
    runner.on('fail', (test, error: Error) => {
      summary.failed++;
      console.log(formatResultLine({ kind: 'fail', title: test.fullTitle(), error: error?.stack ?? String(error) }));
    });
  });
  console.log(formatResultLine({ kind: 'summary', summary }));
  if (summary.failed > 0) throw new Error(`${summary.failed} integration test(s) failed`);
}
