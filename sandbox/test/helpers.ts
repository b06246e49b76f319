// Shared test helpers: start a sandbox per suite and trust its CA in this process.
import { Sandbox, SandboxOptions, startSandbox } from '../index';
import { trustSandboxCa } from '../trust';

export interface Fixture {
  sandbox: Sandbox;
}

/** Registers before/after hooks that start a sandbox (trusted by this process) and stop it. */
export function useSandbox(options: SandboxOptions = {}): Fixture {
  const fixture = {} as Fixture;
  let untrust: (() => void) | undefined;
  before(async () => {
    fixture.sandbox = await startSandbox({ deviceCodeIntervalSeconds: 1, ...options });
    untrust = trustSandboxCa(fixture.sandbox.caCertPem);
  });
  after(async () => {
    untrust?.();
    await fixture.sandbox?.stop();
  });
  return fixture;
}

export function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

export async function postForm(
  url: string,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields),
    redirect: 'manual',
  });
  const text = await res.text();
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { text };
  }
  return { status: res.status, body, headers: res.headers };
}

export async function getJson(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(url, { headers });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, headers: res.headers };
}

/** The token endpoint of a tenant. */
export function tokenUrl(sandbox: Sandbox, tenant: string): string {
  return `${sandbox.urls.login}/${tenant}/oauth2/v2.0/token`;
}

/** Asserts an Entra error body shape and returns its AADSTS code. */
export function aadsts(body: Record<string, unknown>): number {
  const codes = body.error_codes as number[] | undefined;
  if (!Array.isArray(codes) || typeof body.error_description !== 'string') throw new Error(`not an Entra error body: ${JSON.stringify(body)}`);
  const m = /^AADSTS(\d+): [\s\S]*\r\nTrace ID: [0-9a-f-]{36}\r\nCorrelation ID: [0-9a-f-]{36}\r\nTimestamp: \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/.exec(
    body.error_description,
  );
  if (!m) throw new Error(`error_description has not Entra's shape: ${JSON.stringify(body.error_description)}`);
  if (Number(m[1]) !== codes[0]) throw new Error('error_codes does not match the description');
  for (const k of ['timestamp', 'trace_id', 'correlation_id']) if (typeof body[k] !== 'string') throw new Error(`missing ${k}`);
  return codes[0] as number;
}

/** An MI token from the sandbox's managed-identity endpoint. */
export async function miToken(
  sandbox: Sandbox,
  query: Record<string, string>,
  header = sandbox.info.identityHeader,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const url = new URL(sandbox.info.managedIdentityEndpoint);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  const res = await fetch(url, { headers: { 'X-IDENTITY-HEADER': header, Metadata: 'true' } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
