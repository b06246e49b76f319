// Loaded by VS Code as `extensionTestsPath` in the benchmark's test host (bench/hostActivation.ts):
// in this fresh extension host, activates our extension and a 5 KB baseline extension (the sandbox
// sign-in provider: VS Code's fixed cost of activating any extension) and prints what each cost.
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import { RESULT_PREFIX } from './protocol';

async function timeActivation(id: string): Promise<{ ms: number; wasActive: boolean; exports: unknown }> {
  const extension = vscode.extensions.getExtension(id);
  if (!extension) throw new Error(`${id} is not loaded.`);
  const wasActive = extension.isActive;
  const started = performance.now();
  const exports: unknown = await extension.activate();
  return { ms: performance.now() - started, wasActive, exports };
}

export async function run(): Promise<void> {
  // The driver alternates which goes first between runs (order.json beside this file).
  const { oursFirst } = JSON.parse(readFileSync(join(__dirname, 'order.json'), 'utf8')) as { oursFirst: boolean };
  const ours = () => timeActivation('federated-credentials.federated-credentials');
  const baselineRun = () => timeActivation('federated-credentials.fc-sandbox-sign-in');
  const [first, second] = oursFirst ? [await ours(), await baselineRun()] : [await baselineRun(), await ours()];
  const [extension, baseline] = oursFirst ? [first, second] : [second, first];
  const api = extension.exports as { testing?: { activateMs?: number } } | undefined;
  // The lazily loaded chunks are plain require()s of dist/chunks/*.js, so the module cache shows which ran.
  const chunksLoaded = Object.keys(require.cache)
    .filter((path) => /[\\/]dist[\\/]chunks[\\/]/.test(path))
    .map((path) => basename(path));
  console.log(
    `${RESULT_PREFIX}${JSON.stringify({
      oursFirst,
      wasActive: extension.wasActive || baseline.wasActive,
      activateCallMs: extension.ms,
      baselineCallMs: baseline.ms,
      activateMs: api?.testing?.activateMs,
      chunksLoaded,
    })}`,
  );
}
