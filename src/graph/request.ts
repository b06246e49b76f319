// The plumbing every Graph resource client shares: the read and write SDK clients (reads never ask
// for write consent), one page of a collection, one operation with its errors in plain words and
// cancellation, and batched reads through the batch executor (src/graph/batch.ts).
import type { Client, GraphRequest } from '@microsoft/microsoft-graph-client';
import type { ErrorContext } from '../domain/graphErrors';
import type { Page } from '../domain/model';
import type { RetryPolicy } from '../http/retryPolicy';
import { raceAbort, throwIfCancelled, UserCancelledError, type Sleep } from '../util/cancellation';
import { runBatch } from './batch';
import { GraphRequestError, toGraphRequestError } from './errors';

export interface GraphClients {
  read(): Promise<Client>;
  write(): Promise<Client>;
}

interface ODataCollection<T> {
  value: T[];
  '@odata.nextLink'?: string;
  '@odata.count'?: number;
}

export type GraphVersion = 'v1.0' | 'beta';

/** A request to `path` through one Graph version (the SDK's own default is v1.0). */
export function graphApi(client: Client, path: string, version: GraphVersion = 'v1.0'): GraphRequest {
  const request = client.api(path);
  return version === 'v1.0' ? request : request.version(version);
}

export type BatchResponse = { readonly status: number; readonly headers: Record<string, string>; readonly body: unknown };

export class GraphRequester {
  constructor(
    private readonly clients: GraphClients,
    readonly retry: { readonly policy?: RetryPolicy; readonly sleep?: Sleep } = {},
  ) {}

  read(): Promise<Client> {
    return this.clients.read();
  }

  write(): Promise<Client> {
    return this.clients.write();
  }

  async getPage<T>(path: string, headers: Record<string, string>, context: ErrorContext, version: GraphVersion = 'v1.0'): Promise<Page<T>> {
    const body = await this.call<ODataCollection<T>>(async () => {
      const request = graphApi(await this.clients.read(), path, version);
      if (Object.keys(headers).length > 0) request.headers(headers);
      return request.get();
    }, context);
    return { items: body.value, nextLink: body['@odata.nextLink'], count: body['@odata.count'] };
  }

  /**
   * One Graph operation with its errors in plain words. With a signal: nothing is sent once it has
   * fired, and a cancel while the request runs rejects at once with a cancellation (in flight).
   */
  async call<T>(operation: () => Promise<T>, context: ErrorContext, signal?: AbortSignal): Promise<T> {
    throwIfCancelled(signal);
    try {
      return await raceAbort(operation(), signal);
    } catch (error) {
      if (error instanceof UserCancelledError) throw error;
      // The fetch was aborted (its AbortError comes wrapped by the SDK): the request had been sent.
      if (signal?.aborted) throw UserCancelledError.request(true);
      throw toGraphRequestError(error, context);
    }
  }

  /** GET requests in `$batch`es of 20 through the batch executor: each its last answer, or the error when Graph gave none. */
  async readBatch(urls: readonly string[], context: ErrorContext): Promise<Array<BatchResponse | GraphRequestError>> {
    const answers = await runBatch(
      () => this.clients.read(),
      urls.map((url) => ({ method: 'GET' as const, url })),
      { context, ...this.retry },
    );
    return answers.map((answer) =>
      answer.kind === 'answered'
        ? answer
        : answer.kind === 'failed'
          ? answer.error
          : new GraphRequestError({ kind: 'unavailable', message: 'Cancelled.', retryable: true }),
    );
  }
}

/** The SDK hands request options to fetch: the signal aborts the request and any retry of it. */
export function withSignal(request: GraphRequest, signal: AbortSignal | undefined): GraphRequest {
  return signal ? request.option('signal', signal) : request;
}
