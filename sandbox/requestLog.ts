// Every request the sandbox served, readable by tests: method, path, query, selected headers and the parsed
// body, with secrets redacted. Authorization headers are never recorded; instead `caller` carries the
// (unverified) identity claims of the bearer token, which is what tests usually want to assert.
import type { Area } from './router';

export interface LoggedRequest {
  readonly seq: number;
  readonly time: string;
  readonly area: Area;
  readonly method: string;
  /** Full path as received (area prefix included), without the query. */
  readonly path: string;
  readonly query: Record<string, string>;
  readonly headers: Record<string, string>;
  readonly body: unknown;
  /** Who called, from the bearer token's claims (never the token). */
  readonly caller?: {
    readonly oid?: string;
    readonly appid?: string;
    readonly tid?: string;
    readonly idtyp?: string;
    readonly scp?: string;
    readonly roles?: readonly string[];
  };
  status?: number;
  durationMs?: number;
  /** Set when a fault rule acted on the request. */
  fault?: string;
}

/** Header names worth recording (lower case). Everything else is left out. */
const KEPT_HEADERS = new Set([
  'content-type',
  'accept',
  'consistencylevel',
  'prefer',
  'if-match',
  'client-request-id',
  'x-ms-client-request-id',
  'return-client-request-id',
  'x-client-sku',
  'x-client-ver',
  'x-ms-lib-capability',
  'user-agent',
  'metadata',
  'x-identity-header',
  'x-sandbox-control-key',
]);

/** Keys whose values are secrets wherever they appear (body fields, query parameters, nested JSON). */
const SECRET_KEYS = new Set([
  'client_secret',
  'client_assertion',
  'assertion',
  'password',
  'refresh_token',
  'access_token',
  'id_token',
  'device_code',
  'code',
  'secrettext',
  'x-identity-header',
  'x-sandbox-control-key',
  'key',
  'value_secret',
  'code_verifier',
]);

export const REDACTED = '[redacted]';

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 8) return REDACTED;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEYS.has(k.toLowerCase()) ? REDACTED : redact(v, depth + 1);
    return out;
  }
  if (typeof value === 'string' && /^eyJ[\w-]+\.[\w-]+\.[\w-]*$/.test(value)) return REDACTED; // a JWT in any field
  return value;
}

export function selectHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (!KEPT_HEADERS.has(k)) continue;
    out[k] = SECRET_KEYS.has(k) ? REDACTED : v;
  }
  return out;
}

export class RequestLog {
  private entries: LoggedRequest[] = [];
  private seq = 0;

  constructor(private readonly limit = 50_000) {}

  add(entry: Omit<LoggedRequest, 'seq'>): LoggedRequest {
    const e: LoggedRequest = { ...entry, seq: ++this.seq };
    this.entries.push(e);
    if (this.entries.length > this.limit) this.entries.splice(0, this.entries.length - this.limit);
    return e;
  }

  /** Entries with seq > since (all when omitted). */
  list(since = 0): LoggedRequest[] {
    return this.entries.filter((e) => e.seq > since);
  }

  /** Sequence number of the latest entry (0 when none). Use it as `since` for the next read. */
  get last(): number {
    return this.seq;
  }

  clear(): void {
    this.entries = [];
  }
}
