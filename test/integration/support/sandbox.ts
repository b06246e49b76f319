// The in-host suites' view of the sandbox: its connection file (written by the runner) and its
// control API (request log, fault knobs, reset), reached over HTTPS like any other client.
import { readFileSync } from 'node:fs';
import type { FaultRule, LoggedRequest, SandboxInfo } from '../../../sandbox';

export function sandboxInfo(): SandboxInfo {
  const path = process.env.FC_SANDBOX_INFO;
  if (!path) throw new Error('FC_SANDBOX_INFO is not set: run the suites through tools/test-host/runIntegration.ts.');
  return JSON.parse(readFileSync(path, 'utf8')) as SandboxInfo;
}

async function control<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const info = sandboxInfo();
  const response = await fetch(`${info.controlUrl}${path}`, {
    method,
    headers: { 'X-Sandbox-Control-Key': info.controlKey, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  }).catch((error: Error & { cause?: unknown }) => {
    throw new Error(`sandbox control ${method} ${path}: ${error.message} (${String(error.cause)})`);
  });
  if (!response.ok) throw new Error(`sandbox control ${method} ${path}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

export const sandbox = {
  info: sandboxInfo,
  /** Requests served after `since` (a sequence number from `mark()`). */
  requests: async (since = 0) => (await control<{ requests: LoggedRequest[] }>('GET', `/requests?since=${since}`)).requests,
  /** The current end of the request log; pass it to requests() to see only what follows. */
  mark: async () => (await control<{ last: number }>('GET', '/requests?since=999999999')).last,
  setFaults: (rules: FaultRule[]) => control('POST', '/faults', { rules }),
  clearFaults: () => control('DELETE', '/faults'),
  /** Pending device-code sign-ins (their user codes), as the user would read them off the prompt. */
  deviceCodes: async () => (await control<{ pending: Array<{ userCode: string; clientId: string }> }>('GET', '/device-codes')).pending,
  completeDeviceCode: (userCode: string, username: string, password: string) => control('POST', '/device-codes/complete', { userCode, username, password }),
  /** A token minted by the sandbox for test set-up (never used by the code under test). */
  mintToken: async (body: Record<string, unknown>) => (await control<{ access_token: string }>('POST', '/tokens', body)).access_token,
  /** Tenant-wide consent for a client, as an admin would grant it. */
  consent: (body: { tenant: string; clientId: string; scope?: string }) => control('POST', '/consent', body),
  reset: (seed?: number) => control<SandboxInfo>('POST', '/reset', seed === undefined ? {} : { seed }),
  /**
   * Graph and ARM refuse every access token issued so far as expired (with `forSeconds`, also those issued
   * in the next seconds), as if their lifetime had ended now. `liftTokenExpiry()` ends it; so does reset.
   */
  expireTokens: (forSeconds = 0) => control<{ expiredBefore: string }>('POST', '/tokens/expire', { forSeconds }),
  liftTokenExpiry: () => control<{ expiredBefore: null }>('DELETE', '/tokens/expire'),
};
