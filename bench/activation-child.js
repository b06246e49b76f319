// One activation in a fresh process: node bench/activation-child.js <bundle>. Prints one JSON line:
// how long requiring the bundle and running activate() took, and (for the instrumented bundle) which
// npm packages were evaluated by then. `vscode` is the stand-in from vscode-stub.js.
'use strict';
const { performance } = require('node:perf_hooks');
const stub = require('./vscode-stub.js');
stub.install();
process.on('unhandledRejection', () => undefined); // the stand-in cannot sign in; auth.restore() may fail after activate
const bundle = require('node:path').resolve(process.argv[2]);
const context = stub.extensionContext();
const t0 = performance.now();
const extension = require(bundle);
const t1 = performance.now();
const api = extension.activate(context);
const t2 = performance.now();
const evaluated = [...(globalThis.__fcEvaluatedPackages ?? [])].sort();
process.stdout.write(
  `${JSON.stringify({ requireMs: t1 - t0, activateMs: t2 - t1, apiVersion: api && api.apiVersion, subscriptions: context.subscriptions.length, evaluated, nodeBuiltins: Object.keys(require.cache).filter((k) => !k.startsWith('/')).length })}\n`,
);
setTimeout(() => process.exit(0), 50);
