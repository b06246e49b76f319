// Builds the extension bundle as scripts/build.mjs does (same entry, format, target, minify,
// externals), with one addition for measurement only: every npm module records its package in
// globalThis.__fcEvaluatedPackages when its code is evaluated. esbuild wraps modules that are loaded
// lazily (`await import(...)`) or through require() in functions, so the record appears only when the
// module really runs: at activation or at the first Graph call.
import * as esbuild from 'esbuild';
import { readFile } from 'node:fs/promises';

const MARK = (pkg: string) => `;(globalThis.__fcEvaluatedPackages ??= new Set()).add(${JSON.stringify(pkg)});\n`;

export function packageOf(path: string): string | undefined {
  const at = path.replace(/\\/g, '/').lastIndexOf('node_modules/');
  if (at === -1) return undefined;
  const parts = path.replace(/\\/g, '/').slice(at + 'node_modules/'.length).split('/');
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

export async function buildInstrumented(outfile: string): Promise<void> {
  await esbuild.build({
    entryPoints: ['src/extension.ts'],
    bundle: true,
    outfile,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    external: ['vscode'],
    minify: true,
    logLevel: 'warning',
    plugins: [instrument],
  });
}
