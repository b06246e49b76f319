// Properties of where a runbook may be written and of the runbook commands' argument parsers:
// resolveOutputPath never answers with a path outside the workspace folder (or a name Windows cannot
// hold); checkRealPathInside never accepts a path whose real location, symbolic links followed, is
// outside; the parsers refuse with an Error that names the argument and never throw anything else.
import * as assert from 'node:assert/strict';
import { posix } from 'node:path';
import fc from 'fast-check';
import {
  parseDeployArgs,
  parseIdentityArg,
  parseScaffoldArgs,
  parseTenantList,
  checkTenantEntry,
  SCAFFOLD_KEYS,
  DEPLOY_KEYS,
} from '../../../../src/commands/runbooks/args';
import { checkRealPathInside, isInside, resolveOutputPath, segmentProblem, toUriPath, type LinkFs } from '../../../../src/commands/runbooks/paths';

const ROOT = '/home/me/project';
const segment = fc.oneof(
  fc.constantFrom('..', '.', '', 'runbooks', 'ops', 'CON', 'nul.ps1', 'a<b', 'dir.', 'x.ps1', '~', 'C:', '%2e%2e', '\\..'),
  fc.stringMatching(/^[A-Za-z0-9._ -]{1,12}$/),
  fc.string({ unit: 'binary', maxLength: 8 }),
);
const pathLike = fc
  .tuple(
    fc.constantFrom('', '/', '\\', 'C:\\', 'c:/', '/home/me/', `${ROOT}/`, '//server/share/'),
    fc.array(segment, { maxLength: 7 }),
    fc.constantFrom('/', '\\'),
    fc.constantFrom('', '/', '\\', '.ps1', '/x.ps1'),
  )
  .map(([start, parts, sep, end]) => `${start}${parts.join(sep)}${end}`);

/** Where a path really is: `..` and `.` resolved textually, the way the file system would. */
const lexical = (path: string) => posix.normalize(path);

describe('runbook paths and arguments (properties)', () => {
  it('resolveOutputPath never throws, and an accepted path is inside the workspace folder, ends with the extension and has only portable names', () => {
    fc.assert(
      fc.property(
        fc.oneof(pathLike, fc.string({ unit: 'binary', maxLength: 40 })),
        fc.oneof(pathLike, fc.constantFrom('runbooks', '', '.')),
        fc.boolean(),
        (outputPath, folder, useOutput) => {
          const r = resolveOutputPath({ root: ROOT, folder, fileName: 'Invoke-FederatedGraph.ps1', extension: '.ps1', ...(useOutput ? { outputPath } : {}) });
          if (!r.ok) {
            assert.ok(r.reason.length > 0 && r.reason.length <= 400, r.reason);
            return;
          }
          assert.equal(lexical(r.path), r.path, 'already normalised');
          assert.ok(r.path.startsWith(`${ROOT}/`), r.path);
          assert.ok(isInside(ROOT, r.path));
          assert.ok(r.path.toLowerCase().endsWith('.ps1'));
          assert.equal(`${ROOT}/${r.relative}`, r.path);
          for (const part of r.relative.split('/')) assert.equal(segmentProblem(part), undefined, part);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('a path with a "..", a backslash "..", or an absolute path outside is refused, not rewritten into the folder', () => {
    fc.assert(
      fc.property(
        fc.array(fc.stringMatching(/^[a-z]{1,6}$/), { maxLength: 3 }),
        fc.integer({ min: 1, max: 4 }),
        fc.constantFrom('/', '\\'),
        (inner, ups, sep) => {
          // Climb above the root by one more level than the path went down.
          const climb = [...inner, ...Array.from({ length: inner.length + ups }, () => '..'), 'x.ps1'].join(sep);
          const r = resolveOutputPath({ root: ROOT, folder: 'runbooks', fileName: 'F.ps1', extension: '.ps1', outputPath: climb });
          const target = lexical(`${ROOT}/${climb.replace(/\\/g, '/')}`);
          assert.equal(r.ok, target.startsWith(`${ROOT}/`), `${climb} -> ${target}`);
        },
      ),
    );
  });

  it('toUriPath is idempotent and isInside agrees with a textual prefix check on normalised paths', () => {
    fc.assert(
      fc.property(pathLike, pathLike, (a, b) => {
        assert.equal(toUriPath(toUriPath(a)), toUriPath(a));
        const root = lexical(`/${toUriPath(a)}`).replace(/\/+$/, '') || '/';
        const child = lexical(`/${toUriPath(b)}`);
        fc.pre(!child.includes('/../') && !child.endsWith('/..'));
        const prefix = root === '/' ? true : child === root || child.startsWith(`${root}/`);
        assert.equal(isInside(root, child), prefix, `${root} ⊇ ${child}`);
      }),
    );
  });

  it('checkRealPathInside never accepts a target whose real location, every symbolic link followed, is outside the folder', async () => {
    // A small file system: folders, and symbolic links to absolute targets (which may not exist).
    const names = fc.constantFrom('a', 'b', 'c', 'ws', 'out');
    const model = fc.record({
      dirs: fc.uniqueArray(
        fc.array(names, { minLength: 1, maxLength: 3 }).map((p) => `/${p.join('/')}`),
        { maxLength: 8 },
      ),
      links: fc.array(
        fc.tuple(
          fc.array(names, { minLength: 1, maxLength: 3 }).map((p) => `/${p.join('/')}`),
          fc.array(names, { minLength: 1, maxLength: 3 }).map((p) => `/${p.join('/')}`),
        ),
        { maxLength: 4 },
      ),
      target: fc.array(names, { minLength: 1, maxLength: 4 }).map((p) => `/ws/${p.join('/')}`),
    });
    await fc.assert(
      fc.asyncProperty(model, async ({ dirs, links, target }) => {
        const dirSet = new Set([
          '/',
          '/ws',
          ...dirs.flatMap((d) =>
            d
              .split('/')
              .slice(1)
              .map((_, i, parts) => `/${parts.slice(0, i + 1).join('/')}`),
          ),
        ]);
        const linkMap = new Map(links.filter(([from]) => from !== '/ws' && !dirSet.has(from)));
        const resolve = (path: string, depth = 0): string => {
          if (depth > 20) throw Object.assign(new Error('ELOOP'), { code: 'ELOOP' });
          let current = '/';
          for (const part of path.split('/').filter((p) => p !== '')) {
            const next = current === '/' ? `/${part}` : `${current}/${part}`;
            const link = linkMap.get(next);
            if (link !== undefined) current = resolve(link, depth + 1);
            else if (dirSet.has(next)) current = next;
            else throw Object.assign(new Error(`ENOENT ${next}`), { code: 'ENOENT' });
          }
          return current;
        };
        const fs: LinkFs = { realpath: async (p) => resolve(p), isSymbolicLink: async (p) => linkMap.has(p), parent: (p) => posix.dirname(p) };
        let verdict: string | undefined;
        try {
          verdict = await checkRealPathInside('/ws', target, fs);
        } catch (error) {
          assert.equal((error as { code?: string }).code, 'ELOOP');
          return;
        }
        if (verdict !== undefined) return;
        // Accepted: walk up to the nearest existing ancestor; it must resolve inside the real root, with no link on the way that dangles.
        let current = target;
        for (;;) {
          let real: string | undefined;
          try {
            real = resolve(current);
          } catch {
            real = undefined;
          }
          if (real !== undefined) {
            assert.ok(isInside(resolve('/ws'), real), `${target}: ${current} -> ${real}`);
            break;
          }
          assert.ok(!linkMap.has(current), `${current} is a dangling link`);
          current = posix.dirname(current);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('the scaffold and deploy argument parsers refuse anything malformed with an Error naming the argument, never another exception', () => {
    const value = fc.oneof(fc.anything(), fc.string({ unit: 'binary', maxLength: 20 }), fc.uuid(), fc.array(fc.string(), { maxLength: 3 }));
    const keys = [...SCAFFOLD_KEYS, ...DEPLOY_KEYS, 'colour', '__proto__x'];
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...keys), value, { maxKeys: 5 }), (arg) => {
        for (const parse of [parseScaffoldArgs, parseDeployArgs]) {
          try {
            const parsed = parse(arg);
            for (const [k, v] of Object.entries(parsed)) {
              assert.ok(k in arg, `${k} came from the arguments`);
              if (typeof v === 'string') assert.ok(v === v.trim() && v !== '', `${k} is trimmed and not empty`);
            }
          } catch (error) {
            assert.ok(error instanceof Error && !(error instanceof TypeError), String(error));
            assert.match(error.message, /^(Argument "\w+"|Unknown argument|The [\w-]+ template runs on)/, error.message);
            assert.ok(error.message.length <= 400, error.message);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('parseTenantList: no error means every tenant passes checkTenantEntry, without duplicates', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.uuid(), fc.domain(), fc.constantFrom('common', 'Organizations', "x'y", 'a;b', '')), { maxLength: 5 }),
        fc.constantFrom(',', ';', ' ', ', '),
        (entries, sep) => {
          const { tenants, error } = parseTenantList(entries.join(sep));
          if (error) return;
          for (const t of tenants) assert.equal(checkTenantEntry(t), undefined, t);
          assert.equal(new Set(tenants.map((t) => t.toLowerCase())).size, tenants.length);
        },
      ),
    );
  });

  it('parseIdentityArg: accepted identities hold lower-case GUIDs only', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything(),
          fc.uuid(),
          fc.record({ kind: fc.constantFrom('userAssigned', 'systemAssigned', 'x'), clientId: fc.oneof(fc.uuid(), fc.string()) }, { requiredKeys: ['kind'] }),
        ),
        (value) => {
          let identity;
          try {
            identity = parseIdentityArg(value);
          } catch (error) {
            assert.match(String(error), /Argument "identity" must be/);
            return;
          }
          if (identity === undefined) return assert.equal(value, undefined);
          if (identity.kind === 'userAssigned') assert.match(identity.clientId, /^[0-9a-f-]{36}$/);
          if (identity.kind === 'objectId') assert.match(identity.objectId, /^[0-9a-f-]{36}$/);
        },
      ),
    );
  });
});
