import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { lstat, realpath } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { checkRealPathInside, isInside, resolveOutputPath, toUriPath } from '../../../../src/commands/runbooks/paths';

const base = { root: '/home/me/project', folder: 'runbooks', fileName: 'Invoke-FederatedGraph.ps1', extension: '.ps1' };

function ok(input: Parameters<typeof resolveOutputPath>[0]): string {
  const r = resolveOutputPath(input);
  if (!r.ok) assert.fail(r.reason);
  return r.path;
}
function refused(input: Parameters<typeof resolveOutputPath>[0]): string {
  const r = resolveOutputPath(input);
  if (r.ok) assert.fail(`expected a refusal, got ${r.path}`);
  return r.reason;
}

describe('runbook output paths', () => {
  it('defaults to the runbooks folder setting inside the workspace folder', () => {
    assert.deepEqual(resolveOutputPath(base), {
      ok: true,
      path: '/home/me/project/runbooks/Invoke-FederatedGraph.ps1',
      relative: 'runbooks/Invoke-FederatedGraph.ps1',
    });
    assert.equal(ok({ ...base, folder: '' }), '/home/me/project/Invoke-FederatedGraph.ps1');
    assert.equal(ok({ ...base, folder: 'ops/automation/' }), '/home/me/project/ops/automation/Invoke-FederatedGraph.ps1');
  });

  it('takes outputPath as a file, or as a folder when it ends with a slash', () => {
    assert.equal(ok({ ...base, outputPath: 'scripts/mine.ps1' }), '/home/me/project/scripts/mine.ps1');
    assert.equal(ok({ ...base, outputPath: 'scripts/' }), '/home/me/project/scripts/Invoke-FederatedGraph.ps1');
    assert.equal(ok({ ...base, outputPath: 'scripts\\win.ps1' }), '/home/me/project/scripts/win.ps1');
    assert.equal(ok({ ...base, outputPath: '/home/me/project/abs/in.ps1' }), '/home/me/project/abs/in.ps1');
    assert.equal(ok({ ...base, outputPath: 'a/../b/./c.ps1' }), '/home/me/project/b/c.ps1');
    assert.equal(ok({ ...base, outputPath: '.' }), '/home/me/project/Invoke-FederatedGraph.ps1');
  });

  it('refuses every path outside the workspace folder', () => {
    for (const outputPath of [
      '../x.ps1',
      '../../etc/x.ps1',
      'a/../../x.ps1',
      '/etc/x.ps1',
      '/home/me/project-evil/x.ps1',
      '/home/me/x.ps1',
      '..',
      'C:\\Windows\\x.ps1',
      '\\\\server\\share\\x.ps1',
    ]) {
      assert.match(refused({ ...base, outputPath }), /outside the workspace folder/, outputPath);
    }
    assert.match(refused({ ...base, folder: '../elsewhere' }), /federatedCredentials\.runbooks\.folder "\.\.\/elsewhere" is outside/);
    assert.match(refused({ ...base, folder: '/tmp' }), /outside the workspace folder/);
  });

  it("keeps the template's file extension and refuses control characters", () => {
    assert.match(refused({ ...base, outputPath: 'x.py' }), /must name a \.ps1 file/);
    assert.match(refused({ ...base, outputPath: 'x' }), /must name a \.ps1 file/);
    assert.match(refused({ ...base, outputPath: 'runbooks/.ps1' }), /must name a \.ps1 file/);
    assert.match(refused({ ...base, outputPath: 'a\nb.ps1' }), /control character/);
    assert.equal(ok({ ...base, outputPath: 'X.PS1' }), '/home/me/project/X.PS1');
  });

  it('handles Windows drive paths, case-insensitively where the file system is', () => {
    const win = { ...base, root: '/c:/Users/me/proj', caseInsensitive: true };
    assert.equal(toUriPath('C:\\Users\\me'), '/c:/Users/me');
    assert.equal(ok({ ...win, outputPath: 'C:\\Users\\ME\\Proj\\x.ps1' }), '/c:/Users/ME/Proj/x.ps1');
    assert.match(refused({ ...win, outputPath: 'D:\\x.ps1' }), /outside/);
    assert.equal(isInside('/a/b', '/A/B/c', false), false);
    assert.equal(isInside('/a/b', '/A/B/c', true), true);
  });

  describe('symbolic links (real file system)', () => {
    let dir: string;
    beforeEach(() => {
      dir = realpathSync(mkdtempSync(join(tmpdir(), 'fc-paths-')));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    const check = (root: string, target: string) =>
      checkRealPathInside(root, target, {
        realpath: (p) => realpath(p),
        isSymbolicLink: (p) =>
          lstat(p).then(
            (s) => s.isSymbolicLink(),
            () => false,
          ),
        parent: (p) => dirname(p),
      });

    it('accepts a new file in a new folder inside the root', async () => {
      mkdirSync(join(dir, 'ws'));
      assert.equal(await check(join(dir, 'ws'), join(dir, 'ws', 'runbooks', 'deep', 'x.ps1')), undefined);
    });

    it('refuses a folder symlink that leads outside', async () => {
      mkdirSync(join(dir, 'ws'));
      mkdirSync(join(dir, 'outside'));
      symlinkSync(join(dir, 'outside'), join(dir, 'ws', 'runbooks'));
      assert.match((await check(join(dir, 'ws'), join(dir, 'ws', 'runbooks', 'x.ps1')))!, /symbolic link .*outside the workspace folder/);
    });

    it('refuses a file symlink that points outside', async () => {
      mkdirSync(join(dir, 'ws'));
      symlinkSync(join(dir, 'secret.ps1'), join(dir, 'ws', 'x.ps1'));
      // A dangling link: the file it points to does not exist yet; writing would create it outside.
      assert.match((await check(join(dir, 'ws'), join(dir, 'ws', 'x.ps1')))!, /symbolic link to something that does not exist/);
      writeFileSync(join(dir, 'secret.ps1'), 'x');
      assert.match((await check(join(dir, 'ws'), join(dir, 'ws', 'x.ps1')))!, /outside the workspace folder/);
    });

    it('accepts a symlink that stays inside, and a workspace that is itself reached through a link', async () => {
      mkdirSync(join(dir, 'ws', 'real'), { recursive: true });
      symlinkSync(join(dir, 'ws', 'real'), join(dir, 'ws', 'runbooks'));
      assert.equal(await check(join(dir, 'ws'), join(dir, 'ws', 'runbooks', 'x.ps1')), undefined);
      symlinkSync(join(dir, 'ws'), join(dir, 'link-to-ws'));
      assert.equal(await check(join(dir, 'link-to-ws'), join(dir, 'link-to-ws', 'runbooks', 'x.ps1')), undefined);
    });
  });
});
