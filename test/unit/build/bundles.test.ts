// The extension's bundle layout (scripts/bundles.mjs): heavy packages live in dist/chunks/ and load
// on first use; dist/extension.js holds none of them, and a static import of one fails the build.
import * as assert from 'node:assert/strict';
import * as esbuild from 'esbuild';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const repoRoot = resolve(__dirname, '..', '..', '..');

describe('Bundle layout (scripts/bundles.mjs)', function () {
  this.timeout(60_000);
  let bundles: typeof import('../../../scripts/bundles.mjs');
  let outdir: string;

  before(async () => {
    bundles = await import('../../../scripts/bundles.mjs');
    outdir = mkdtempSync(join(tmpdir(), 'fc-bundles-'));
  });
  after(() => rmSync(outdir, { recursive: true, force: true }));

  it('builds dist/extension.js without the heavy packages, which become chunks required where the code awaits them', async () => {
    const [main, chunks] = await Promise.all(
      bundles
        .extensionBuilds({ root: repoRoot, outdir })
        .map((options: esbuild.BuildOptions) => esbuild.build({ ...options, sourcemap: false, logLevel: 'silent' })),
    );
    const mainOut = Object.keys(main.metafile!.outputs).find((o) => o.endsWith('extension.js'))!;
    const mainInputs = Object.keys(main.metafile!.outputs[mainOut].inputs);
    for (const pkg of bundles.packagesOnlyInChunks) assert.ok(!mainInputs.some((p) => p.includes(`node_modules/${pkg}/`)), `${pkg} is in extension.js`);
    assert.doesNotThrow(() => bundles.checkMainBundle(main.metafile!, mainOut));
    // Each chunk file exists and holds its package; the main bundle requires it by relative path.
    const chunkOutputs = Object.keys(chunks.metafile!.outputs).filter((o) => o.endsWith('.js'));
    assert.deepEqual(chunkOutputs.map((o) => o.split('/').pop()).sort(), [
      'explainError.js',
      'graph.js',
      'identity.js',
      'identityCredentialCommands.js',
      'restPipeline.js',
      'runbookCommands.js',
      'telemetry.js',
    ]);
    // The commands off the activation path are not in the main bundle: only their chunk has them.
    for (const input of [
      'src/domain/errorExplanations.ts',
      'src/arm/automationJobs.ts',
      'src/commands/identityCredentials/identityCredentialCommands.ts',
      'src/commands/runbooks/deployer.ts',
      'src/runbooks/render.ts',
    ]) {
      assert.ok(!mainInputs.includes(input), `${input} is in extension.js`);
    }
    const identity = chunkOutputs.find((o) => o.endsWith('identity.js'))!;
    assert.ok(Object.keys(chunks.metafile!.outputs[identity].inputs).some((p) => p.includes('node_modules/@azure/msal-node/')));
    // Every require of a chunk is deferred (esbuild's form of `await import()`), none at the bundle's top level.
    const source = readFileSync(join(outdir, 'extension.js'), 'utf8');
    for (const name of ['identity', 'graph', 'restPipeline', 'telemetry', 'explainError', 'runbookCommands', 'identityCredentialCommands']) {
      const all = source.match(new RegExp(`require\\("\\./chunks/${name}\\.js"\\)`, 'g')) ?? [];
      const deferred = source.match(new RegExp(`Promise\\.resolve\\(\\)\\.then\\(\\(\\)=>\\w+\\(require\\("\\./chunks/${name}\\.js"\\)\\)\\)`, 'g')) ?? [];
      assert.ok(all.length > 0, `extension.js never requires chunks/${name}.js`);
      assert.equal(deferred.length, all.length, `chunks/${name}.js is required eagerly somewhere`);
    }
  });

  it('checkMainBundle names a heavy package that got into the main bundle', () => {
    const metafile = { outputs: { 'dist/extension.js': { inputs: { 'node_modules/@azure/identity/dist/index.js': {}, 'src/extension.ts': {} } } } };
    assert.throws(() => bundles.checkMainBundle(metafile, 'dist/extension.js'), /dist\/extension\.js includes @azure\/identity, which must load lazily/);
  });

  it('fails the build on a static import of a lazily loaded package, saying how to import it', async () => {
    const fixture = join(outdir, 'static-import.ts');
    writeFileSync(fixture, "import { DefaultAzureCredential } from '@azure/identity';\nexport const c = DefaultAzureCredential;\n");
    const [options] = bundles.extensionBuilds({ root: repoRoot, outdir: join(outdir, 'fixture') }) as esbuild.BuildOptions[];
    await assert.rejects(
      esbuild.build({ ...options, entryPoints: { extension: fixture }, nodePaths: [join(repoRoot, 'node_modules')], logLevel: 'silent' }),
      (error: Error) => /@azure\/identity loads lazily \(dist\/chunks\/identity\.js\): use `await import\('@azure\/identity'\)`/.test(error.message),
    );
  });
});
