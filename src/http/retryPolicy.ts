// The one retry policy for Microsoft Graph and Azure Resource Manager: every single request and every
// item of a `$batch` gets one budget: at most `maxAttempts` sends in all (the first included), waits
// that honour Retry-After, and a total time bound. What may be sent again:
// - a throttled answer (429): the service did not process it, so any method;
// - for reads (GET/HEAD), also 500/502/503/504 and a lost connection;
// - never a write whose answer was a 5xx or was lost: it may have been applied. The caller looks
//   first (CredentialService, createAppOnce, the deployer) and sends it again only when it is not there.
// Pure: no I/O, no timers; the HTTP layers ask `decideRetry` and wait themselves.

export interface RetryPolicy {
  /** Sends in all for one request or batch item, the first included. */
  readonly maxAttempts: number;
  /** The wait before the second attempt when the service gives no Retry-After; doubled each time. */
  readonly baseDelayMs: number;
  /** A Retry-After longer than this ends the retries (the answer is returned as it is). */
  readonly maxRetryAfterMs: number;
  /** No retry starts later than this after the first attempt began: the whole call stays bounded. */
  readonly totalTimeMs: number;
}

/** Three sends at most, 0.5 s then 1 s apart unless the service asks for longer (up to 30 s), all within 60 s. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 500, maxRetryAfterMs: 30_000, totalTimeMs: 60_000 };

/** What came back from one attempt: a status (with its Retry-After, if any) or a lost connection. */
export type AttemptOutcome = { readonly status: number; readonly retryAfter?: string | null } | { readonly lost: true };

export interface RetryQuestion {
  readonly method: string;
  /** Attempts made so far for this request or item (1 after the first). */
  readonly attempts: number;
  /** When the first attempt began (ms, the same clock as `now`). */
  readonly startedAt: number;
  readonly now: number;
  readonly outcome: AttemptOutcome;
}

export type RetryDecision =
  | { readonly retry: false; readonly reason: 'succeeded' | 'final' | 'notRetryable' | 'budget' | 'retryAfterTooLong' | 'timeBound' }
  | { readonly retry: true; readonly delayMs: number };

const READ_RETRY_STATUSES = new Set([500, 502, 503, 504]);

function isIdempotentRead(method: string): boolean {
  const m = method.toUpperCase();
  return m === 'GET' || m === 'HEAD';
}

/** Whether this outcome may be sent again at all, whatever the budget. */
function isRetryableOutcome(method: string, outcome: AttemptOutcome): boolean {
  if ('lost' in outcome) return isIdempotentRead(method);
  if (outcome.status === 429) return true;
  return isIdempotentRead(method) && READ_RETRY_STATUSES.has(outcome.status);
}

/** Retry-After in ms: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(value: string | null | undefined, now = Date.now()): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export function decideRetry(policy: RetryPolicy, question: RetryQuestion): RetryDecision {
  const { outcome } = question;
  if (!('lost' in outcome) && outcome.status < 400) return { retry: false, reason: 'succeeded' };
  if (!isRetryableOutcome(question.method, outcome)) return { retry: false, reason: 'notRetryable' };
  if (question.attempts >= policy.maxAttempts) return { retry: false, reason: 'budget' };
  const asked = 'lost' in outcome ? undefined : retryAfterMs(outcome.retryAfter, question.now);
  if (asked !== undefined && asked > policy.maxRetryAfterMs) return { retry: false, reason: 'retryAfterTooLong' };
  const delayMs = asked ?? policy.baseDelayMs * 2 ** (question.attempts - 1);
  if (question.now + delayMs - question.startedAt > policy.totalTimeMs) return { retry: false, reason: 'timeBound' };
  return { retry: true, delayMs };
}
