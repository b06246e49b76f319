// Graph client middleware of our own: request logging (ids and timings, never headers or bodies)
// and a retry of reads after a dropped connection or a 500/502, which the SDK's RetryHandler does
// not cover (it retries 429/503/504 only, honouring Retry-After).
import type { Context, Middleware } from '@microsoft/microsoft-graph-client';
import { redactSecrets } from '../domain/text';
import { sleep } from '../util/cancellation';

export interface RequestLogger {
  /** One line per HTTP attempt: method, path and query, status, request id, duration. */
  request(entry: { method: string; url: string; status: number | 'error'; requestId?: string; durationMs: number; error?: string }): void;
}

function describe(context: Context): { method: string; url: string } {
  const request = context.request;
  const method = (typeof request === 'string' ? context.options?.method : request.method) ?? 'GET';
  const url = typeof request === 'string' ? request : request.url;
  return { method: method.toUpperCase(), url };
}

/** Strips the origin so logs show `/v1.0/applications?$top=100`, never credentials in a URL. */
function pathOf(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.pathname}${parsed.search}`;
  } catch {
    return url;
  }
}

export class LoggingMiddleware implements Middleware {
  private next?: Middleware;
  constructor(private readonly logger: RequestLogger) {}

  async execute(context: Context): Promise<void> {
    const { method, url } = describe(context);
    const started = Date.now();
    try {
      await this.next!.execute(context);
      const response = context.response;
      this.logger.request({
        method,
        url: pathOf(url),
        status: response?.status ?? 'error',
        requestId: response?.headers.get('request-id') ?? undefined,
        durationMs: Date.now() - started,
      });
    } catch (error) {
      this.logger.request({ method, url: pathOf(url), status: 'error', durationMs: Date.now() - started, error: redactSecrets(error instanceof Error ? error.message : String(error)) });
      throw error;
    }
  }

  setNext(next: Middleware): void {
    this.next = next;
  }
}

/** Server errors the SDK's RetryHandler leaves alone (it takes 429, 503 and 504); a read may simply be sent again. */
const READ_RETRY_STATUSES = [500, 502];

/**
 * Retries idempotent requests (GET/HEAD) whose connection dropped or that got a 500/502; writes
 * are never blindly replayed (a write that may have happened is checked by its caller).
 */
export class ReadConnectionRetryMiddleware implements Middleware {
  private next?: Middleware;
  constructor(private readonly maxRetries = 3, private readonly delayMs = 200) {}

  async execute(context: Context): Promise<void> {
    const { method } = describe(context);
    const idempotent = method === 'GET' || method === 'HEAD';
    for (let attempt = 0; ; attempt++) {
      try {
        await this.next!.execute(context);
        const status = context.response?.status ?? 0;
        if (!idempotent || attempt >= this.maxRetries || !READ_RETRY_STATUSES.includes(status)) return;
        await context.response?.arrayBuffer().catch(() => undefined); // drain the failed answer before asking again
      } catch (error) {
        if (!idempotent || attempt >= this.maxRetries || !isConnectionError(error)) throw error;
      }
      await sleep(this.delayMs * 2 ** attempt);
    }
  }

  setNext(next: Middleware): void {
    this.next = next;
  }
}

export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const cause = (error as Error & { cause?: { code?: string } }).cause;
  const code = cause?.code ?? (error as Error & { code?: string }).code;
  return (
    (error.name === 'TypeError' && /fetch failed/i.test(error.message)) ||
    ['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED'].includes(code ?? '')
  );
}
