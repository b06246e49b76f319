// Graph client middleware of our own, in place of the SDK's RetryHandler: request logging (ids and
// timings, never headers or bodies) and the one retry policy (src/http/retryPolicy.ts) for every
// single Graph request. A `$batch` is sent once by this layer (NoRetry): the batch executor retries
// its items, each on its own budget, so nothing is retried twice over.
import type { Context, Middleware, MiddlewareOptions } from '@microsoft/microsoft-graph-client';
import { failureText, isConnectionError, pathOf, type RequestLogger } from '../http/requestLog';
import { decideRetry, DEFAULT_RETRY_POLICY, type AttemptOutcome, type RetryPolicy } from '../http/retryPolicy';
import { sleep, type Sleep } from '../util/cancellation';

export type { RequestLogger } from '../http/requestLog';

function describe(context: Context): { method: string; url: string } {
  const request = context.request;
  const method = (typeof request === 'string' ? context.options?.method : request.method) ?? 'GET';
  const url = typeof request === 'string' ? request : request.url;
  return { method: method.toUpperCase(), url };
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
      this.logger.request({ method, url: pathOf(url), status: 'error', durationMs: Date.now() - started, error: failureText(error) });
      throw error;
    }
  }

  setNext(next: Middleware): void {
    this.next = next;
  }
}

/** Per-request option: send once, whatever the answer (the batch executor counts its items' attempts itself). */
export class NoRetry implements MiddlewareOptions {}

/**
 * Sends a request again as the retry policy allows: a throttled answer (any method), a read's 5xx or
 * lost connection; at most `maxAttempts` sends, Retry-After honoured, within the time bound. The wait
 * ends at once when the request's signal fires. A write whose answer was a 5xx or was lost is never
 * sent again here: its caller looks first.
 */
export class RetryMiddleware implements Middleware {
  private next?: Middleware;

  constructor(
    private readonly policy: RetryPolicy = DEFAULT_RETRY_POLICY,
    private readonly wait: Sleep = sleep,
    private readonly now: () => number = Date.now,
  ) {}

  async execute(context: Context): Promise<void> {
    if (context.middlewareControl?.getMiddlewareOptions(NoRetry)) return this.next!.execute(context);
    const { method } = describe(context);
    const signal = (context.options as { signal?: AbortSignal } | undefined)?.signal;
    const startedAt = this.now();
    for (let attempts = 1; ; attempts++) {
      let outcome: AttemptOutcome;
      try {
        await this.next!.execute(context);
        outcome = { status: context.response?.status ?? 0, retryAfter: context.response?.headers.get('Retry-After') };
      } catch (error) {
        if (!isConnectionError(error)) throw error;
        const decision = decideRetry(this.policy, { method, attempts, startedAt, now: this.now(), outcome: { lost: true } });
        if (!decision.retry) throw error;
        await this.wait(decision.delayMs, signal);
        continue;
      }
      const decision = decideRetry(this.policy, { method, attempts, startedAt, now: this.now(), outcome });
      if (!decision.retry) return;
      await context.response?.arrayBuffer().catch(() => undefined); // drain the failed answer before asking again
      await this.wait(decision.delayMs, signal);
    }
  }

  setNext(next: Middleware): void {
    this.next = next;
  }
}
