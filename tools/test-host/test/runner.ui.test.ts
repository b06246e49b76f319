// The runner itself: a failing suite must fail the run, and a hung run must time out clearly.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const repoRoot = join(__dirname, '..', '..', '..');

function runRunner(env: Record<string, string>) {
  const result = spawnSync(
    process.execPath,
    [join(repoRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(__dirname, '..', 'runIntegration.ts'), '--in-host-only'],
    {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      encoding: 'utf8',
      timeout: 180_000,
    },
  );
  return { status: result.status, output: `${result.stdout}\n${result.stderr}` };
}

describe('Integration runner', function () {
  this.timeout(200_000);

  it('fails the run when a suite fails, naming the test', () => {
    const { status, output } = runRunner({ FC_INTEGRATION_PATTERN: 'fixtures[\\\\/]failing\\.fixture\\.js$' });
    assert.equal(status, 1, output);
    assert.match(output, /✘ fixture: a failing suite fails on purpose/);
    assert.match(output, /this assertion fails on purpose/);
    assert.match(output, /^0 passed, 1 failed$/m);
  });

  it('fails with a clear message when the run does not finish in time', () => {
    const { status, output } = runRunner({ FC_INTEGRATION_TIMEOUT_MS: '1' });
    assert.equal(status, 1, output);
    assert.match(output, /did not finish within 0\.001s/);
    assert.match(output, /^0 passed, 1 failed$/m);
  });
});
