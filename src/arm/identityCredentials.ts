// The federated credentials of user-assigned managed identities, over ARM. Azure refuses a second write to one
// identity while another is under way (409 ConcurrentFederatedIdentityCredentialsWritesForSingleManagedIdentity),
// so this client sends its own writes to one identity one at a time, and sends a write again, a bounded number of
// times with a growing wait, when someone else's write was under way.
import {
  fromArmCredential,
  IDENTITY_CREDENTIALS_API_VERSION,
  IDENTITY_FLEXIBLE_API_VERSION,
  identityApiVersion,
  isConcurrentWriteRefusal,
  toIdentityCredentialBody,
  type IdentityCredential,
  type UserAssignedIdentityRef,
} from '../domain/identityCredentials';
import type { CredentialValues } from '../domain/credentialRules';
import { isUserCancelled, raceAbort, sleep, throwIfCancelled, UserCancelledError } from '../util/cancellation';
import { ArmRequestError } from './armClient';
import type { ArmRequester } from './automation';

export interface IdentityCredentialsClientOptions {
  /** Sends of one write at most, when ARM answers 409 for a concurrent write (default 6). */
  readonly maxAttempts?: number;
  /** The first wait after a 409; it doubles each time, up to 8 s (default 500 ms). */
  readonly firstRetryDelayMs?: number;
}

function credentialsPath(identity: UserAssignedIdentityRef, name?: string): string {
  return `${identity.id}/federatedIdentityCredentials${name === undefined ? '' : `/${encodeURIComponent(name)}`}`;
}

export class IdentityCredentialsClient {
  /** The last write queued per identity (lower-cased ARM id): the next one waits for it. */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(
    private readonly arm: ArmRequester,
    private readonly options: IdentityCredentialsClientOptions = {},
  ) {}

  /** Every credential of the identity. Flexible ones (no subject in the stable API) are read again through the preview for their expression. */
  async list(identity: UserAssignedIdentityRef, signal?: AbortSignal): Promise<IdentityCredential[]> {
    const stable = (await this.arm.listAll<unknown>(credentialsPath(identity), IDENTITY_CREDENTIALS_API_VERSION, signal)).map(fromArmCredential);
    if (stable.every((c) => c.subject !== null)) return stable;
    return (await this.arm.listAll<unknown>(credentialsPath(identity), IDENTITY_FLEXIBLE_API_VERSION, signal)).map(fromArmCredential);
  }

  /** One credential by name (ARM names ignore case), or undefined when the identity has none of that name. */
  async get(identity: UserAssignedIdentityRef, name: string, signal?: AbortSignal): Promise<IdentityCredential | undefined> {
    try {
      const first = fromArmCredential(
        (await this.arm.request('GET', credentialsPath(identity, name), { apiVersion: IDENTITY_CREDENTIALS_API_VERSION, signal })).body,
      );
      if (first.subject !== null) return first;
      return fromArmCredential((await this.arm.request('GET', credentialsPath(identity, name), { apiVersion: IDENTITY_FLEXIBLE_API_VERSION, signal })).body);
    } catch (error) {
      if (error instanceof ArmRequestError && error.status === 404) return undefined;
      throw error;
    }
  }

  /** Creates the credential, or replaces the one of that name (ARM's PUT does both: callers check first). */
  put(identity: UserAssignedIdentityRef, values: CredentialValues, signal?: AbortSignal): Promise<IdentityCredential> {
    return this.oneAtATime(identity, signal, async () => {
      const response = await this.arm.request('PUT', credentialsPath(identity, values.name), {
        apiVersion: identityApiVersion(values),
        body: toIdentityCredentialBody(values),
        signal,
      });
      return fromArmCredential(response.body);
    });
  }

  /** Deletes the credential; true when it existed (ARM answers 204 for one that did not). */
  delete(identity: UserAssignedIdentityRef, name: string, signal?: AbortSignal): Promise<boolean> {
    return this.oneAtATime(identity, signal, async () => {
      const response = await this.arm.request('DELETE', credentialsPath(identity, name), { apiVersion: IDENTITY_CREDENTIALS_API_VERSION, signal });
      return response.status !== 204;
    });
  }

  /** Runs `write` after the writes already queued for the identity, sending it again while ARM reports a concurrent write. */
  private oneAtATime<T>(identity: UserAssignedIdentityRef, signal: AbortSignal | undefined, write: () => Promise<T>): Promise<T> {
    const key = identity.id.toLowerCase();
    const previous = (this.queues.get(key) ?? Promise.resolve()).catch(() => undefined);
    const run = (async () => {
      // A cancel while waiting for the writes ahead: nothing of this write was sent.
      await raceAbort(previous, signal).catch((error: unknown) => {
        throw isUserCancelled(error) ? UserCancelledError.request(false) : error;
      });
      return this.withConcurrencyRetry(write, signal);
    })();
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.queues.set(key, settled);
    void settled.then(() => {
      if (this.queues.get(key) === settled) this.queues.delete(key);
    });
    return run;
  }

  private async withConcurrencyRetry<T>(write: () => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
    const maxAttempts = this.options.maxAttempts ?? 6;
    let delay = this.options.firstRetryDelayMs ?? 500;
    for (let attempt = 1; ; attempt++) {
      throwIfCancelled(signal);
      try {
        // A cancel while the request is out: it may have been applied (the caller says so and refreshes).
        return await raceAbort(write(), signal);
      } catch (error) {
        const concurrent = error instanceof ArmRequestError && isConcurrentWriteRefusal(error.status, error.code);
        if (!concurrent || attempt >= maxAttempts) throw error;
        // Refused, so nothing was applied: a cancel during the wait is a cancel before sending.
        await sleep(delay, signal);
        delay = Math.min(delay * 2, 8000);
      }
    }
  }
}
