import { classMark, isInstanceAcrossCopies } from './sharedClass';
// Cancellation without `vscode`: a progress notification's CancellationToken becomes an AbortSignal
// (commands/progress.ts), and the Graph/ARM clients and services stop on it. One error class says
// that something was cancelled, recognised with `instanceof` (the command runner treats it as a
// cancellation: telemetry outcome 'cancelled', the walkthrough step stays unchecked). What it carries
// says how far the work had got:
// - `inFlight`: a request had been sent when the cancel came, so what it asked for may have been applied;
// - `outcome`: a command's answer to the user (and to a programmatic caller) after a cancel: what was
//   done, what may have been done, what was not; the runner shows it. `partial` carries the partial result.
// A prompt the user dismissed is a cancellation with neither.

export interface CancelledDetails {
  /** A request had been sent: what it asked for may have been applied. */
  readonly inFlight?: boolean;
  /** The message is the outcome of work that had started; the command runner shows it to the user. */
  readonly outcome?: boolean;
  readonly partial?: unknown;
}

/** Instances of any copy of UserCancelledError (main bundle or a lazily loaded command chunk) pass `instanceof`. */
const USER_CANCELLED_ERROR_MARK = classMark('UserCancelledError');

export class UserCancelledError extends Error {
  readonly [USER_CANCELLED_ERROR_MARK] = true;

  static override [Symbol.hasInstance](value: unknown): boolean {
    return isInstanceAcrossCopies(this, UserCancelledError, USER_CANCELLED_ERROR_MARK, value);
  }

  readonly inFlight: boolean;
  readonly outcome: boolean;
  readonly partial?: unknown;

  constructor(message = 'Cancelled', details: CancelledDetails = {}) {
    super(message);
    // Kept as the name a caller of executeCommand sees (it cannot use instanceof across extensions).
    this.name = 'UserCancelledError';
    this.inFlight = details.inFlight ?? false;
    this.outcome = details.outcome ?? false;
    this.partial = details.partial;
  }

  /** The user dismissed a prompt (or declined a confirmation): nothing changed. */
  static atPrompt(where?: string): UserCancelledError {
    return new UserCancelledError(where ? `Cancelled at: ${where}` : 'Cancelled');
  }

  /** A request (or a wait) stopped: before it was sent, or while it was in flight. */
  static request(inFlight: boolean): UserCancelledError {
    return new UserCancelledError(inFlight ? 'Cancelled while a request was in flight: it may have been applied.' : 'Cancelled before the request was sent.', {
      inFlight,
    });
  }

  /** A command's answer after a cancel: what was done, what may have been, what was not. */
  static withOutcome(message: string, partial?: unknown): UserCancelledError {
    return new UserCancelledError(message, { outcome: true, partial });
  }
}

export function isUserCancelled(error: unknown): error is UserCancelledError {
  return error instanceof UserCancelledError;
}

/** Throws before any request starts when the signal has fired. */
export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw UserCancelledError.request(false);
}

/**
 * Settles with `work`, or rejects with a cancellation (in flight) as soon as the signal fires: a
 * retry wait inside a client does not hold the user up. The work itself is also given the signal, so
 * it sends nothing more; its late outcome is ignored.
 */
export function raceAbort<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(UserCancelledError.request(true));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      work.catch(() => undefined);
      reject(UserCancelledError.request(true));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** How long to wait, as every retry and poll waits; tests pass their own. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** The one cancellable wait: ends early, rejecting with a cancellation (nothing in flight), when the signal fires. */
export const sleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(UserCancelledError.request(false));
    const onAbort = () => {
      clearTimeout(timer);
      reject(UserCancelledError.request(false));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/** A wait through an injected sleep (a test's) that still ends at once when the signal fires. */
export function sleepUnlessCancelled(ms: number, signal: AbortSignal | undefined, wait: Sleep = sleep): Promise<void> {
  throwIfCancelled(signal);
  return raceAbort(wait(ms, signal), signal).catch((error: unknown) => {
    throw isUserCancelled(error) ? UserCancelledError.request(false) : error;
  });
}
