// Turns what the Graph SDK throws into one error shape whose message is already plain words.
import { explainGraphError, type ErrorContext, type ExplainedError } from '../domain/graphErrors';
import { redactSecrets } from '../domain/text';
import { classMark, isInstanceAcrossCopies } from '../util/sharedClass';

/** Instances of any copy of GraphRequestError (main bundle or a lazily loaded command chunk) pass `instanceof`. */
const GRAPH_REQUEST_ERROR_MARK = classMark('GraphRequestError');

export class GraphRequestError extends Error {
  readonly [GRAPH_REQUEST_ERROR_MARK] = true;

  static override [Symbol.hasInstance](value: unknown): boolean {
    return isInstanceAcrossCopies(this, GraphRequestError, GRAPH_REQUEST_ERROR_MARK, value);
  }

  constructor(
    readonly explained: ExplainedError,
    readonly requestId?: string,
    options?: { cause?: unknown },
  ) {
    super(explained.message, options);
    this.name = 'GraphRequestError';
  }
  get status(): number | undefined {
    return this.explained.status;
  }
}

interface SdkGraphError {
  statusCode?: number;
  code?: string | null;
  message?: string;
  body?: unknown;
  requestId?: string | null;
  headers?: { get(name: string): string | null };
}

/** Wraps an SDK failure (GraphError, network error) with context; passes other errors through unchanged. */
export function toGraphRequestError(error: unknown, context: ErrorContext = {}): Error {
  if (error instanceof GraphRequestError) return error;
  const e = error as SdkGraphError & Error;
  if (e && typeof e === 'object' && typeof e.statusCode === 'number' && e.statusCode > 0) {
    const body = typeof e.body === 'string' ? safeJson(e.body) : (e.body ?? { error: { code: e.code, message: e.message } });
    const explained = explainGraphError({ status: e.statusCode, body, retryAfter: e.headers?.get?.('Retry-After') }, context);
    return new GraphRequestError(explained, e.requestId ?? undefined, { cause: error });
  }
  if (e instanceof Error) {
    const message = redactSecrets(e.message);
    if (/fetch failed|ECONN|ETIMEDOUT|socket/i.test(`${message} ${String((e as { cause?: unknown }).cause ?? '')}`)) {
      return new GraphRequestError(
        { kind: 'unavailable', message: `Could not reach Microsoft Graph (${message}). Check the network and try again.`, retryable: true },
        undefined,
        { cause: error },
      );
    }
  }
  return error instanceof Error ? error : new Error(String(error));
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * A Graph v1.0 answer that broke off half-way: the app holds a flexible credential (beta only), whose null
 * subject v1.0 cannot serialise, so the 200 stream ends in an error object and is no JSON
 * (msgraph-sdk-python#1359). The SDK reports it as a GraphError with status 200 and code SyntaxError.
 */
export function isBrokenV1Answer(error: unknown): boolean {
  const e = error as SdkGraphError | undefined;
  if (!e || typeof e !== 'object') return false;
  return (e.statusCode === 200 && e.code === 'SyntaxError') || /subject\[Nullable=False\]/.test(String(e.message ?? ''));
}
