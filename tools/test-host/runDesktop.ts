// Runs the same in-host suites on a desktop VS Code through @vscode/test-electron (where a VS Code
// build can be downloaded). The offline code-server host (runIntegration.ts) is what CI uses here.
import { runTests } from '@vscode/test-electron';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

async function main() {
  const repoRoot = resolve(__dirname, '..', '..');
  const workspace = mkdtempSync(join(tmpdir(), 'fc-workspace-'));
  await runTests({
    version: process.env.FC_VSCODE_VERSION ?? '1.100.3',
    extensionDevelopmentPath: repoRoot,
    extensionTestsPath: join(repoRoot, 'out', 'test', 'integration'),
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
    extensionTestsEnv: { FC_RUNNING_TESTS: '1' },
  });
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
