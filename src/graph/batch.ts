// The one batch executor: Microsoft Graph JSON batching (`POST /$batch`, 20 requests each) for every
// batched read and write. Each item has its own budget under the one retry policy
// (src/http/retryPolicy.ts): a `$batch` is sent once by the HTTP layer (NoRetry) and its items are
// retried here, one send of the batch counting as one attempt for each item in it. So an item that
// Graph keeps throttling is sent at most `maxAttempts` times in all, however it fails.
// A read item (or a read batch that failed as a whole) is retried after a 5xx or a lost answer too;
// a write item only after 429: a write answered 5xx, or whose answer was lost, is reported as such
// (`lost`), and its caller looks before writing again.
// Cancellation: no batch is sent once the signal has fired; the items of a batch in flight come back
// `cancelled` with `inFlight`, the items not sent yet without.
import type { Client } from '@microsoft/microsoft-graph-client';
import { explainGraphError, type ErrorContext } from '../domain/graphErrors';
import { decideRetry, DEFAULT_RETRY_POLICY, type AttemptOutcome, type RetryPolicy } from '../http/retryPolicy';
import { raceAbort, sleep, sleepUnlessCancelled, throwIfCancelled, UserCancelledError, type Sleep } from '../util/cancellation';
import { GraphRequestError, toGraphRequestError } from './errors';
import { NoRetry } from './middleware';

/** Graph JSON batching takes at most 20 requests per `$batch`. */
export const GRAPH_BATCH_LIMIT = 20;

export interface BatchItem {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Relative to the version root, e.g. `/applications/{id}`. */
  readonly url: string;
  readonly body?: unknown;
  /** Sends this item already had in earlier calls (a write sent again after a look-up): they count against its budget. */
  readonly attemptsBefore?: number;
}

export type BatchItemResult =
  /** Graph's last answer for the item: a success, or a failure that is final or out of budget. */
  | { readonly kind: 'answered'; readonly status: number; readonly headers: Record<string, string>; readonly body: unknown; readonly attempts: number }
  /** No answer for the item: its batch failed as a whole, or the batch's answer did not include it. `lost`: a write may have been applied. */
  | { readonly kind: 'failed'; readonly error: GraphRequestError; readonly lost: boolean; readonly attempts: number }
  | { readonly kind: 'cancelled'; readonly inFlight: boolean; readonly attempts: number };

export interface BatchOptions {
  readonly context: ErrorContext;
  readonly signal?: AbortSignal;
  readonly policy?: RetryPolicy;
  readonly sleep?: Sleep;
  readonly now?: () => number;
}

interface BatchResponseItem {
  id: string;
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

function headerOf(headers: Record<string, string> | undefined, name: string): string | undefined {
  const key = Object.keys(headers ?? {}).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : headers?.[key];
}

/** An answered item's failure, in plain words. */
export function itemError(result: { status: number; headers?: Record<string, string>; body?: unknown }, context: ErrorContext): GraphRequestError {
  return new GraphRequestError(explainGraphError({ status: result.status, body: result.body, retryAfter: headerOf(result.headers, 'Retry-After') }, context));
}

export async function runBatch(client: () => Promise<Client>, items: readonly BatchItem[], options: BatchOptions): Promise<BatchItemResult[]> {
  const policy = options.policy ?? DEFAULT_RETRY_POLICY;
  const wait = options.sleep ?? sleep;
  const now = options.now ?? Date.now;
  const { signal } = options;
  const results: Array<BatchItemResult | undefined> = items.map(() => undefined);
  const attempts = items.map((item) => item.attemptsBefore ?? 0);
  const startedAt = now();
  const cancelRest = (inFlight: readonly number[]) => {
    items.forEach((_, i) => {
      results[i] ??= { kind: 'cancelled', inFlight: inFlight.includes(i), attempts: attempts[i]! };
    });
  };
  const settle = (i: number, outcome: AttemptOutcome, final: () => BatchItemResult): number | undefined => {
    const decision = decideRetry(policy, { method: items[i]!.method, attempts: attempts[i]!, startedAt, now: now(), outcome });
    if (decision.retry) return decision.delayMs;
    results[i] = final();
    return undefined;
  };

  let pending = items.map((_, i) => i);
  while (pending.length > 0) {
    const again: number[] = [];
    let delayMs = 0;
    for (let start = 0; start < pending.length; start += GRAPH_BATCH_LIMIT) {
      const chunk = pending.slice(start, start + GRAPH_BATCH_LIMIT);
      if (signal?.aborted) {
        cancelRest([]);
        return results as BatchItemResult[];
      }
      for (const i of chunk) attempts[i]!++;
      const requests = chunk.map((i) => ({
        id: String(i + 1),
        method: items[i]!.method,
        url: items[i]!.url,
        ...(items[i]!.body === undefined ? {} : { headers: { 'Content-Type': 'application/json' }, body: items[i]!.body }),
      }));
      let answer: { responses?: BatchResponseItem[] };
      try {
        answer = await send(client, requests, options);
      } catch (error) {
        if (error instanceof UserCancelledError) {
          cancelRest(error.inFlight ? chunk : []);
          return results as BatchItemResult[];
        }
        if (!(error instanceof GraphRequestError)) throw error;
        // The batch failed as a whole: each of its items spent an attempt on it.
        const outcome: AttemptOutcome =
          error.status === undefined
            ? { lost: true }
            : { status: error.status, retryAfter: error.explained.retryAfterSeconds === undefined ? undefined : String(error.explained.retryAfterSeconds) };
        const lost = error.status === undefined || error.status >= 500;
        for (const i of chunk) {
          const delay = settle(i, outcome, () => ({ kind: 'failed', error, lost, attempts: attempts[i]! }));
          if (delay !== undefined) {
            again.push(i);
            delayMs = Math.max(delayMs, delay);
          }
        }
        continue;
      }
      const byId = new Map((answer.responses ?? []).map((r) => [r.id, r]));
      for (const i of chunk) {
        const response = byId.get(String(i + 1));
        const outcome: AttemptOutcome = response ? { status: response.status, retryAfter: headerOf(response.headers, 'Retry-After') } : { lost: true };
        const delay = settle(i, outcome, () =>
          response
            ? { kind: 'answered', status: response.status, headers: response.headers ?? {}, body: response.body, attempts: attempts[i]! }
            : {
                kind: 'failed',
                error: new GraphRequestError({
                  kind: 'unavailable',
                  message: 'Microsoft Graph gave no answer for this item of the batch; try again.',
                  retryable: true,
                }),
                lost: true,
                attempts: attempts[i]!,
              },
        );
        if (delay !== undefined) {
          again.push(i);
          delayMs = Math.max(delayMs, delay);
        }
      }
    }
    pending = again;
    if (pending.length > 0) {
      try {
        await sleepUnlessCancelled(delayMs, signal, wait);
      } catch (error) {
        if (!(error instanceof UserCancelledError)) throw error;
        cancelRest([]);
        return results as BatchItemResult[];
      }
    }
  }
  return results as BatchItemResult[];
}

/** One `POST /$batch`, sent once (its items are retried by runBatch), with its errors in plain words. */
async function send(client: () => Promise<Client>, requests: unknown[], options: BatchOptions): Promise<{ responses?: BatchResponseItem[] }> {
  const { signal } = options;
  throwIfCancelled(signal);
  try {
    const request = (await client()).api('/$batch').middlewareOptions([new NoRetry()]);
    return await raceAbort<{ responses?: BatchResponseItem[] }>((signal ? request.option('signal', signal) : request).post({ requests }), signal);
  } catch (error) {
    if (error instanceof UserCancelledError) throw error;
    if (signal?.aborted) throw UserCancelledError.request(true);
    throw toGraphRequestError(error, options.context);
  }
}
