// writeFileAtomically (the runbook scaffold's file write) on a real temporary folder through node:fs,
// with failures injected at each point: during the temporary write (half the bytes written), between
// the temporary write and the rename, and the host closing there (no clean-up at all). The target is
// always absent, the old file or the complete new file; no temporary file is left behind for long;
// an existing file is replaced only with `overwrite: true`.
import assert from 'node:assert/strict';
import { link, mkdtemp, readdir, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isTempFileOf, writeFileAtomically, type AtomicWriteFs } from '../../../../src/commands/runbooks/atomicWrite';

/** node:fs with workspace.fs's rename contract: without overwrite an existing target is refused (link: atomic, no clobber). */
function nodeFs(over: Partial<AtomicWriteFs<string>> = {}): AtomicWriteFs<string> {
  return {
    writeFile: (path, content) => writeFile(path, content),
    rename: async (from, to, options) => {
      if (options.overwrite) return rename(from, to);
      await link(from, to);
      await unlink(from);
    },
    delete: (path) => rm(path),
    readDirectory: (folder) => readdir(folder),
    join: (folder, name) => join(folder, name),
    ...over,
  };
}

const NEW = new TextEncoder().encode(`${'# generated runbook\n'.repeat(2_000)}Write-Output 'done'\n`);

describe('runbook files are written atomically and never over a file without consent', () => {
  let folder: string;
  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'fc-atomic-'));
  });
  afterEach(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  const target = () => ({ folder, name: 'Invoke-FederatedGraph.ps1' });
  const path = () => join(folder, 'Invoke-FederatedGraph.ps1');
  const names = () => readdir(folder);
  const content = () => readFile(path(), 'utf8').catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? undefined : Promise.reject(e)));

  it('writes the complete file and leaves nothing else', async () => {
    await writeFileAtomically(nodeFs(), target(), NEW, { overwrite: false });
    assert.equal(await content(), new TextDecoder().decode(NEW));
    assert.deepEqual(await names(), ['Invoke-FederatedGraph.ps1']);
  });

  it('without consent an existing file is refused and untouched, even one that appeared after the check', async () => {
    await writeFile(path(), '# my edits\n');
    await assert.rejects(writeFileAtomically(nodeFs(), target(), NEW, { overwrite: false }), { code: 'EEXIST' });
    assert.equal(await content(), '# my edits\n');
    assert.deepEqual(await names(), ['Invoke-FederatedGraph.ps1'], 'no temporary file left');
  });

  it('with consent the existing file is replaced whole', async () => {
    await writeFile(path(), '# my edits\n');
    await writeFileAtomically(nodeFs(), target(), NEW, { overwrite: true });
    assert.equal(await content(), new TextDecoder().decode(NEW));
    assert.deepEqual(await names(), ['Invoke-FederatedGraph.ps1']);
  });

  for (const existing of [undefined, '# my edits\n']) {
    const before = existing === undefined ? 'no file' : 'the old file';

    it(`a failure half-way through writing (disk full) leaves ${before}, never a truncated one, and no temporary file`, async () => {
      if (existing !== undefined) await writeFile(path(), existing);
      const failing = nodeFs({
        writeFile: async (p, c) => {
          await writeFile(p, c.subarray(0, c.length / 2));
          throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
        },
      });
      await assert.rejects(writeFileAtomically(failing, target(), NEW, { overwrite: true }), /ENOSPC/);
      assert.equal(await content(), existing);
      assert.deepEqual(await names(), existing === undefined ? [] : ['Invoke-FederatedGraph.ps1']);
    });

    it(`a failure between the temporary write and the rename leaves ${before} and no temporary file`, async () => {
      if (existing !== undefined) await writeFile(path(), existing);
      const failing = nodeFs({
        rename: async () => {
          throw Object.assign(new Error('EIO: i/o error, rename'), { code: 'EIO' });
        },
      });
      await assert.rejects(writeFileAtomically(failing, target(), NEW, { overwrite: true }), /EIO/);
      assert.equal(await content(), existing);
      assert.deepEqual(await names(), existing === undefined ? [] : ['Invoke-FederatedGraph.ps1']);
    });

    it(`the host closing between the two steps (no clean-up runs) leaves ${before}; the next write removes the leftover`, async () => {
      if (existing !== undefined) await writeFile(path(), existing);
      // The process is gone: the rename never happens and neither does the delete.
      const gone = nodeFs({
        rename: async () => {
          throw new Error('extension host closed');
        },
        delete: async () => {
          throw new Error('extension host closed');
        },
      });
      await assert.rejects(writeFileAtomically(gone, target(), NEW, { overwrite: true, random: () => 'crash1' }), /closed/);
      assert.equal(await content(), existing, 'the target is intact');
      const left = (await names()).filter((n) => isTempFileOf('Invoke-FederatedGraph.ps1', n));
      assert.deepEqual(left, ['.Invoke-FederatedGraph.ps1.fc-tmp-crash1']);
      assert.equal(await readFile(join(folder, left[0]!), 'utf8'), new TextDecoder().decode(NEW), 'only the temporary file holds the new content');

      await writeFileAtomically(nodeFs(), target(), NEW, { overwrite: true });
      assert.equal(await content(), new TextDecoder().decode(NEW));
      assert.deepEqual(await names(), ['Invoke-FederatedGraph.ps1']);
    });
  }

  it("leaves other files alone, including other runbooks' temporary files", async () => {
    await writeFile(join(folder, '.Other.ps1.fc-tmp-abc'), 'x');
    await writeFile(join(folder, 'notes.txt'), 'y');
    await writeFileAtomically(nodeFs(), target(), NEW, { overwrite: false });
    assert.deepEqual((await names()).sort(), ['.Other.ps1.fc-tmp-abc', 'Invoke-FederatedGraph.ps1', 'notes.txt']);
  });
});
