// Making THIS process trust the sandbox CA (for tests that run real clients in-process).
// NODE_EXTRA_CA_CERTS is read only at process start, and Node 20 has no tls.setDefaultCACertificates.
// Both HTTP stacks a test meets build their TLS contexts through tls.createSecureContext:
//  - node:https (what @azure/identity / @azure/core-rest-pipeline use, each with its own https.Agent), and
//  - global fetch (undici bundled in Node; what @microsoft/microsoft-graph-client uses).
// So we wrap tls.createSecureContext: contexts built without an explicit `ca` get the sandbox CA added to the
// default roots. Explicit `ca` options are left alone. Child processes: pass NODE_EXTRA_CA_CERTS=<caPath>.
import tls from 'node:tls';

type CreateSecureContext = typeof tls.createSecureContext;

const extra: string[] = [];
let original: CreateSecureContext | undefined;

/**
 * Trusts `caPem` in this process until the returned function is called. Calls nest (each adds its CA).
 */
export function trustSandboxCa(caPem: string): () => void {
  extra.push(caPem);
  if (!original) {
    const base = tls.createSecureContext;
    original = base;
    const patched: CreateSecureContext = (options) => {
      const context = base(options);
      if (!options?.ca && extra.length > 0) {
        // SecureContext.context.addCACert is what the `ca` option itself uses; with no `ca` the context
        // starts from the default root store, so this adds to it instead of replacing it.
        const native = (context as unknown as { context: { addCACert(pem: string): void } }).context;
        for (const pem of extra) native.addCACert(pem);
      }
      return context;
    };
    (tls as { createSecureContext: CreateSecureContext }).createSecureContext = patched;
  }
  let undone = false;
  return () => {
    if (undone) return;
    undone = true;
    const i = extra.indexOf(caPem);
    if (i >= 0) extra.splice(i, 1);
    if (extra.length === 0 && original) {
      (tls as { createSecureContext: CreateSecureContext }).createSecureContext = original;
      original = undefined;
    }
  };
}
