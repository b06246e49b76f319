// The manifest and the .vsix: what the marketplace and VS Code read.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const repoRoot = join(__dirname, '..', '..');
const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));

describe('Extension manifest', () => {
  it('keeps activation lazy (never "*")', () => {
    assert.ok(!(manifest.activationEvents ?? []).includes('*'));
    assert.ok(!(manifest.activationEvents ?? []).includes('onStartupFinished'));
  });

  it('prefixes every command and setting with federatedCredentials.', () => {
    for (const { command } of manifest.contributes.commands) assert.match(command, /^federatedCredentials\./);
    for (const key of Object.keys(manifest.contributes.configuration.properties ?? {})) assert.match(key, /^federatedCredentials\./);
  });

  it('targets VS Code 1.100 with matching typings', () => {
    assert.equal(manifest.engines.vscode, '^1.100.0');
    assert.equal(manifest.devDependencies['@types/vscode'], '1.100.0');
  });

  it('points at icons that exist', () => {
    assert.ok(existsSync(join(repoRoot, manifest.icon)));
    for (const container of manifest.contributes.viewsContainers.activitybar) assert.ok(existsSync(join(repoRoot, container.icon)));
  });
});

describe('npm run package', function () {
  this.timeout(120_000);

  it('produces a .vsix with the bundle, media, walkthrough, nls files, l10n bundle and docs, and no sources, tests or node_modules', () => {
    execFileSync('npm', ['run', '--silent', 'package'], { cwd: repoRoot, stdio: 'pipe' });
    const listing = execFileSync(
      'python3',
      ['-c', 'import sys, zipfile; print("\\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))', join(repoRoot, 'dist', 'federated-credentials.vsix')],
      { encoding: 'utf8' },
    )
      .split('\n')
      .filter(Boolean);
    for (const required of [
      'extension/dist/extension.js',
      'extension/dist/chunks/identity.js',
      'extension/dist/chunks/graph.js',
      'extension/dist/chunks/restPipeline.js',
      'extension/dist/chunks/telemetry.js',
      'extension/media/icon.png',
      'extension/media/activitybar.svg',
      'extension/readme.md',
      'extension/changelog.md',
      'extension/LICENSE.txt',
      'extension/package.json',
    ]) {
      assert.ok(listing.includes(required), `${required} missing from the .vsix:\n${listing.join('\n')}`);
    }
    // The walkthrough (its media), the manifest's strings and the runtime l10n bundle.
    const manifestNow = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
    const media = (manifestNow.contributes.walkthroughs as Array<{ steps: Array<{ media: Record<string, string> }> }>).flatMap((w) =>
      w.steps.map((s) => s.media.markdown ?? s.media.svg ?? s.media.image),
    );
    for (const required of ['extension/package.nls.json', 'extension/l10n/bundle.l10n.json', ...media.map((m) => `extension/${m}`)]) {
      assert.ok(listing.includes(required), `${required} missing from the .vsix:\n${listing.join('\n')}`);
    }
    const forbidden = listing.filter((entry) => /^extension\/(src|test|node_modules|out|scripts)\//.test(entry) || /\.map$|\.ts$/.test(entry));
    assert.deepEqual(forbidden, []);
  });
});
