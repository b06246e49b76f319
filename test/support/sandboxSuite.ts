// For suites that run real clients against an in-process sandbox: start one per suite (its CA
// trusted by this process), and count what a credential was asked for.
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../sandbox/index';
import { trustSandboxCa } from '../../sandbox/trust';

/** Registers before/after hooks that start a sandbox for the suite and stop it. */
export function useSandbox(options: SandboxOptions): { sandbox: Sandbox } {
  const f = {} as { sandbox: Sandbox };
  let untrust: (() => void) | undefined;
  before(async () => {
    f.sandbox = await startSandbox(options);
    untrust = trustSandboxCa(f.sandbox.caCertPem);
  });
  after(async () => {
    untrust?.();
    await f.sandbox?.stop();
  });
  return f;
}

/** Counts the credential's getToken calls, and how many asked for a fresh token (claims). */
export function countingCredential(inner: TokenCredential): TokenCredential & { calls: number; withClaims: number } {
  const c = {
    calls: 0,
    withClaims: 0,
    getToken: async (scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> => {
      c.calls++;
      if (options?.claims) c.withClaims++;
      return inner.getToken(scopes, options);
    },
  };
  return c;
}
