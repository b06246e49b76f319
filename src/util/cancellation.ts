// Cancellation without `vscode`: a progress notification's CancellationToken becomes an AbortSignal
// (extension.ts), and the Graph/ARM clients and services stop on it. Two errors, both named
// 'UserCancelledError' so the command runner treats them as a cancellation (telemetry outcome
// 'cancelled', the walkthrough step stays unchecked):
// - RequestCancelledError: one request (or wait) stopped; `inFlight` says whether it had been sent,
//   i.e. whether what it asked for may have been applied.
// - WorkCancelledError: a command's answer to the user (and to a programmatic caller) after a cancel:
//   what was done, what may have been done, what was not; `partial` carries the partial result.

export class RequestCancelledError extends Error {
  constructor(readonly inFlight: boolean) {
    super(inFlight ? 'Cancelled while a request was in flight: it may have been applied.' : 'Cancelled before the request was sent.');
    this.name = 'UserCancelledError';
  }
}

export class WorkCancelledError extends Error {
  constructor(message: string, readonly partial?: unknown) {
    super(message);
    this.name = 'UserCancelledError';
  }
}

export function isRequestCancelled(error: unknown): error is RequestCancelledError {
  return error instanceof RequestCancelledError;
}

/** Throws before any request starts when the signal has fired. */
export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new RequestCancelledError(false);
}

/**
 * Settles with `work`, or rejects with RequestCancelledError(inFlight) as soon as the signal fires: a
 * retry wait inside a client does not hold the user up. The work itself is also given the signal, so
 * it sends nothing more; its late outcome is ignored.
 */
export function raceAbort<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(new RequestCancelledError(true));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      work.catch(() => undefined);
      reject(new RequestCancelledError(true));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => { signal.removeEventListener('abort', onAbort); resolve(value); },
      (error: unknown) => { signal.removeEventListener('abort', onAbort); reject(error); },
    );
  });
}

/** A wait that ends early (rejecting, nothing in flight) when the signal fires. */
export function sleepUnlessCancelled(ms: number, signal: AbortSignal | undefined, sleep: (ms: number) => Promise<void> = (t) => new Promise((r) => setTimeout(r, t))): Promise<void> {
  throwIfCancelled(signal);
  return raceAbort(sleep(ms), signal).catch((error: unknown) => {
    throw isRequestCancelled(error) ? new RequestCancelledError(false) : error;
  });
}
