// Bundles the extension (and the integration suites that run inside VS Code) with esbuild.
// Usage: node scripts/build.mjs [--watch] [--production] [--tests] [--metafile]
import * as esbuild from 'esbuild';
import { copyFileSync, readdirSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { checkMainBundle, extensionBuilds } from './bundles.mjs';

const args = new Set(process.argv.slice(2));
const production = args.has('--production');

const extension = extensionBuilds({ production });

function findTests(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? findTests(path) : /\.ts$/.test(name) ? [path] : [];
  });
}

// The suites run in the extension host; mocha and the sandbox stay external and load from node_modules/.
const tests = {
  entryPoints: findTests('test/integration'),
  bundle: true,
  outdir: 'out/test/integration',
  outbase: 'test/integration',
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external: ['vscode', 'mocha', 'playwright-core'],
  sourcemap: 'inline',
  logLevel: 'warning',
};

// The sandbox sign-in provider: a tiny second extension that tests and `npm start` load beside ours.
const sandboxSignIn = {
  entryPoints: ['sandbox-sign-in/extension.ts'],
  bundle: true,
  outfile: 'out/sandbox-sign-in/extension.js',
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external: ['vscode'],
  logLevel: 'warning',
};

const withTests = args.has('--tests') || args.has('--sandbox');
const builds = [...extension, ...(args.has('--tests') ? [tests] : []), ...(withTests ? [sandboxSignIn] : [])];
if (withTests) {
  mkdirSync('out/sandbox-sign-in', { recursive: true });
  copyFileSync('sandbox-sign-in/package.json', 'out/sandbox-sign-in/package.json');
}
if (args.has('--watch')) {
  for (const options of builds) await (await esbuild.context(options)).watch();
} else {
  const [main, chunks] = await Promise.all(builds.map((options) => esbuild.build(options)));
  checkMainBundle(main.metafile, 'dist/extension.js');
  if (args.has('--metafile')) {
    mkdirSync('out', { recursive: true });
    writeFileSync('out/extension.meta.json', JSON.stringify(main.metafile));
    writeFileSync('out/chunks.meta.json', JSON.stringify(chunks.metafile));
  }
}
