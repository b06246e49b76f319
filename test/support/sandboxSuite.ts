// For suites that run real clients against an in-process sandbox: start one per suite (its CA
// trusted by this process), and count what a credential was asked for.
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';
import { ClientSecretCredential } from '@azure/identity';
import type { Client } from '@microsoft/microsoft-graph-client';
import { GraphDirectory } from '../../src/graph/directory';
import { createGraphClient } from '../../src/graph/graphClient';
import type { RetryPolicy } from '../../src/http/retryPolicy';
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

/**
 * The extension's Graph client chain, unchanged, signed in to the sandbox's home tenant as its
 * confidential client (application permissions): the SDK client and a GraphDirectory over it.
 */
export function sandboxGraph(sandbox: Sandbox, policy?: RetryPolicy): { client: Client; directory: GraphDirectory } {
  const { info } = sandbox;
  const credential = new ClientSecretCredential(info.homeTenant.id, info.confidentialClient.clientId, info.confidentialClient.clientSecret, {
    authorityHost: info.loginUrl,
    disableInstanceDiscovery: true,
  });
  const client = createGraphClient({ credential, baseUrl: info.graphUrl, scopes: [`${info.graphUrl}/.default`], retry: policy });
  return { client, directory: new GraphDirectory({ read: async () => client, write: async () => client }, { policy }) };
}
