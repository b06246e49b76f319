// Builds the extension as scripts/build.mjs does (the same shared options from scripts/bundles.mjs:
// main bundle plus lazily loaded chunks), with one addition for measurement only: every npm module
// records its package in globalThis.__fcEvaluatedPackages when its code is evaluated. esbuild wraps
// modules that are loaded lazily or through require() in functions, so the record appears only when
// the module really runs: at activation or at the first Graph call.
import * as esbuild from 'esbuild';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { extensionBuilds } from '../scripts/bundles.mjs';

const MARK = (pkg: string) => `;(globalThis.__fcEvaluatedPackages ??= new Set()).add(${JSON.stringify(pkg)});\n`;

export function packageOf(path: string): string | undefined {
  const at = path.replace(/\\/g, '/').lastIndexOf('node_modules/');
  if (at === -1) return undefined;
  const parts = path
    .replace(/\\/g, '/')
    .slice(at + 'node_modules/'.length)
    .split('/');
  return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
}

const instrument: esbuild.Plugin = {
  name: 'record-evaluated-packages',
  setup(build) {
    build.onLoad({ filter: /[\\/]node_modules[\\/].*\.(c|m)?js$/ }, async (args) => {
      const pkg = packageOf(args.path);
      const source = await readFile(args.path, 'utf8');
      if (!pkg) return undefined;
      // After a shebang and the directive prologue ('use strict'), so strictness is unchanged.
      const m = /^(#![^\n]*\n)?((?:\s*(?:\/\/[^\n]*\n|\/\*[\s\S]*?\*\/)|\s*(['"])use strict\3;?)*)/.exec(source);
      const head = m ? m[0] : '';
      return { contents: `${head}${MARK(pkg)}${source.slice(head.length)}`, loader: 'js' };
    });
  },
};

/** Builds into `outdir` (extension.js and chunks/); returns the path of extension.js. */
export async function buildInstrumented(outdir: string): Promise<string> {
  const builds = extensionBuilds({ outdir, plugins: [instrument] });
  await Promise.all(builds.map((options) => esbuild.build({ ...options, logLevel: 'warning' })));
  return join(outdir, 'extension.js');
}
