// Which apps name a managed identity in a federated credential, one identity at a time: one Graph request
// (the subject filter, src/graph/applications.ts listAppsWithCredentialSubject) the first time an identity is
// asked for, kept until invalidated. What the Managed Identities view shows under an expanded identity. No `vscode`.
import type { AppRegistration } from '../domain/model';
import type { GraphDirectory } from '../graph/directory';

/** The apps whose federated credentials name one identity; `count` is Graph's. */
export interface TrustingApps {
  readonly apps: readonly AppRegistration[];
  readonly count: number;
}

/**
 * Which apps name an identity in a federated credential: one Graph request per identity, made when the
 * identity is expanded (Graph's filter on the credentials' subject), kept until invalidated. Nothing
 * lists the tenant's apps.
 */
export class TrustLookup {
  private readonly byIdentity = new Map<string, { pending: Promise<TrustingApps>; result?: TrustingApps }>();
  /** Bumped by invalidate(), so an answer that arrives after it is not kept. */
  private generation = 0;

  constructor(private readonly env: { directory(): GraphDirectory | undefined }) {}

  /** What is known without a request: the identity's last answer, if any. */
  known(identityObjectId: string): TrustingApps | undefined {
    return this.byIdentity.get(identityObjectId.toLowerCase())?.result;
  }

  trustingApps(identityObjectId: string): Promise<TrustingApps> {
    const key = identityObjectId.toLowerCase();
    const cached = this.byIdentity.get(key);
    if (cached) return cached.pending;
    const directory = this.env.directory();
    if (!directory) return Promise.resolve({ apps: [], count: 0 });
    const generation = this.generation;
    const entry: { pending: Promise<TrustingApps>; result?: TrustingApps } = {
      pending: directory.apps.listAppsWithCredentialSubject(identityObjectId, { operation: 'listApps' }).then(
        (found) => {
          if (generation === this.generation) entry.result = found;
          return found;
        },
        (error: unknown) => {
          // A failure is not kept: the next expand or Retry asks again.
          if (this.byIdentity.get(key) === entry) this.byIdentity.delete(key);
          throw error;
        },
      ),
    };
    this.byIdentity.set(key, entry);
    return entry.pending;
  }

  /** Forgets one identity's answer, or every answer (after a change to credentials). */
  invalidate(identityObjectId?: string): void {
    if (identityObjectId === undefined) {
      this.generation++;
      this.byIdentity.clear();
    } else {
      this.byIdentity.delete(identityObjectId.toLowerCase());
    }
  }
}
