// What the Graph and ARM clients tell the log about each HTTP attempt: method, path and query, status,
// request id, duration, and for a failure its reason with secrets redacted. Never headers, bodies or
// the URL's origin (a URL could carry credentials).
import { redactSecrets } from '../domain/text';

export interface RequestLogEntry {
  readonly method: string;
  readonly url: string;
  readonly status: number | 'error';
  readonly requestId?: string;
  readonly durationMs: number;
  readonly error?: string;
}

export interface RequestLogger {
  /** One line per HTTP attempt. */
  request(entry: RequestLogEntry): void;
}

/** Strips the origin so logs show `/v1.0/applications?$top=100`. */
export function pathOf(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.pathname}${parsed.search}`;
  } catch {
    return url;
  }
}

/** A failure's reason as the log may show it. */
export function failureText(error: unknown): string {
  return redactSecrets(error instanceof Error ? error.message : String(error));
}

/** The log line of an entry (the output channel's format). */
export function formatRequest(e: RequestLogEntry): string {
  return `${e.method} ${e.url} → ${e.status}${e.requestId ? ` (request-id ${e.requestId})` : ''} ${e.durationMs} ms${e.error ? `: ${e.error}` : ''}`;
}

/** A dropped or refused connection (Node's fetch and undici codes): the request got no answer. */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const cause = (error as Error & { cause?: { code?: string } }).cause;
  const code = cause?.code ?? (error as Error & { code?: string }).code;
  return (
    (error.name === 'TypeError' && /fetch failed/i.test(error.message)) ||
    ['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED'].includes(code ?? '')
  );
}
