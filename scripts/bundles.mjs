// The extension's esbuild configuration, shared by scripts/build.mjs and the benchmark's
// instrumented build (bench/instrument.ts), so both produce the same files.
//
// The heavy packages are separate files that load on first use: VS Code parses and evaluates
// all of dist/extension.js when it activates the extension, so everything in it costs activation
// time whether it runs or not. A dynamic `import()` of one of the modules below becomes a
// `require('./chunks/<name>.js')` at the point of use; a static import of one is a build error.
import { join, resolve } from 'node:path';

/** Modules that load lazily, each built into dist/chunks/<name>.js. */
export const lazyChunks = [
  { name: 'identity', entry: 'src/chunks/identity.ts', specifier: '@azure/identity' },
  { name: 'restPipeline', entry: 'src/chunks/restPipeline.ts', specifier: '@azure/core-rest-pipeline' },
  { name: 'telemetry', entry: 'src/chunks/telemetry.ts', specifier: '@vscode/extension-telemetry' },
  // The Graph SDK with our middleware chain: imported as './graphClient' by src/graph/connection.ts.
  { name: 'graph', entry: 'src/graph/graphClient.ts' },
  // Commands off the activation path, imported by src/commands/registerCommands.ts on first use. What they share
  // with the main bundle is in both files: none of it may keep state in its module.
  { name: 'explainError', entry: 'src/commands/diagnostics/explainError.ts' },
  { name: 'runbookCommands', entry: 'src/commands/runbooks/runbookCommands.ts' },
  { name: 'identityCredentialCommands', entry: 'src/commands/identityCredentials/identityCredentialCommands.ts' },
];

/** npm packages that must never be in dist/extension.js itself (they live in a chunk). */
export const packagesOnlyInChunks = [
  '@azure/identity',
  '@azure/msal-node',
  '@azure/msal-common',
  '@azure/core-rest-pipeline',
  '@microsoft/microsoft-graph-client',
  '@vscode/extension-telemetry',
  '@microsoft/applicationinsights-common',
  '@microsoft/1ds-core-js',
];

/** Redirects dynamic imports of the lazy modules to their chunk file; rejects static imports of them. */
function lazyChunksPlugin(root) {
  const byEntry = new Map(lazyChunks.map((c) => [resolve(root, c.entry), c]));
  const bySpecifier = new Map(lazyChunks.filter((c) => c.specifier).map((c) => [c.specifier, c]));
  return {
    name: 'lazy-chunks',
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) => {
        if (args.kind !== 'import-statement' && args.kind !== 'dynamic-import') return undefined;
        if (byEntry.has(args.importer)) return undefined; // inside a chunk's own entry
        const chunk = bySpecifier.get(args.path) ?? (args.path.startsWith('.') ? byEntry.get(resolve(args.resolveDir, `${args.path}.ts`)) : undefined);
        if (!chunk) return undefined;
        if (args.kind !== 'dynamic-import') {
          return {
            errors: [
              {
                text: `${args.path} loads lazily (dist/chunks/${chunk.name}.js): use \`await import('${args.path}')\` or \`import type\`, not a static import.`,
              },
            ],
          };
        }
        return { path: `./chunks/${chunk.name}.js`, external: true };
      });
    },
  };
}

/**
 * esbuild options for the extension: the main bundle and one build for the chunks (entry names
 * give the file names). `outdir` is where extension.js goes; chunks go to `outdir/chunks`.
 */
export function extensionBuilds({ root = process.cwd(), outdir = 'dist', production = false, plugins = [] } = {}) {
  const common = {
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    external: ['vscode'],
    minify: true,
    sourcemap: true,
    sourcesContent: !production,
    metafile: true,
    logLevel: 'warning',
    absWorkingDir: root,
  };
  return [
    // `dynamic-import: false`: esbuild turns `import()` into a deferred `require()`, so chunks load through
    // Node's CommonJS loader, where VS Code resolves their `require('vscode')`.
    {
      ...common,
      entryPoints: { extension: 'src/extension.ts' },
      outdir,
      supported: { 'dynamic-import': false },
      plugins: [lazyChunksPlugin(root), ...plugins],
      logLevel: 'info',
    },
    { ...common, entryPoints: Object.fromEntries(lazyChunks.map((c) => [c.name, c.entry])), outdir: join(outdir, 'chunks'), plugins },
  ];
}

/** Throws if the main bundle's metafile shows a package that belongs in a chunk. */
export function checkMainBundle(metafile, outfile) {
  const inputs = Object.keys(metafile.outputs[outfile]?.inputs ?? {});
  const leaked = packagesOnlyInChunks.filter((pkg) => inputs.some((p) => p.includes(`node_modules/${pkg}/`)));
  if (leaked.length > 0) throw new Error(`${outfile} includes ${leaked.join(', ')}, which must load lazily (see scripts/bundles.mjs).`);
}
