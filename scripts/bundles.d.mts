// Types for scripts/bundles.mjs (a plain ESM build script), for the benchmark and the tests.
import type { BuildOptions, Metafile } from 'esbuild';

export declare const lazyChunks: ReadonlyArray<{ readonly name: string; readonly entry: string; readonly specifier?: string }>;
export declare const packagesOnlyInChunks: readonly string[];
export declare function extensionBuilds(options?: {
  root?: string;
  outdir?: string;
  production?: boolean;
  plugins?: NonNullable<BuildOptions['plugins']>;
}): [BuildOptions, BuildOptions];
export declare function checkMainBundle(
  metafile: Pick<Metafile, 'outputs'> | { outputs: Record<string, { inputs: Record<string, unknown> }> },
  outfile: string,
): void;
