// Every secret the sandbox hands out or accepts while it runs: access, id, refresh and managed-identity
// tokens, device codes, verified client assertions, client secrets, the seeded users' passwords, and its own
// keys (IDENTITY_HEADER, the control key). Leak checks (tools/test-host/secretScan.ts) look for these in whatever
// the code under test logged or wrote. Read it in-process (`sandbox.core.secrets`) or through the control
// API (`GET /_sandbox/secrets/issued`). Memory stays bounded: a set of strings up to `limit`, after which
// further secrets are only counted (`overflow`), so a check can refuse to pass on an incomplete list.

export type SecretKind =
  | 'accessToken'
  | 'managedIdentityToken'
  | 'idToken'
  | 'refreshToken'
  | 'deviceCode'
  | 'clientAssertion'
  | 'clientSecret'
  | 'password'
  | 'identityHeader'
  | 'controlKey';

export interface IssuedSecret {
  readonly kind: SecretKind;
  readonly value: string;
}

export class IssuedSecrets {
  private readonly byValue = new Map<string, SecretKind>();
  private dropped = 0;

  constructor(
    readonly limit = 200_000,
    private readonly also?: () => IssuedSecrets | undefined,
  ) {}

  /** Records a secret (the first kind seen for a value is kept). Empty values are ignored. */
  record(kind: SecretKind, value: string | undefined): void {
    if (!value) return;
    this.also?.()?.record(kind, value);
    if (this.byValue.has(value)) return;
    if (this.byValue.size >= this.limit) {
      this.dropped++;
      return;
    }
    this.byValue.set(value, kind);
  }

  list(): IssuedSecret[] {
    return [...this.byValue].map(([value, kind]) => ({ kind, value }));
  }

  get size(): number {
    return this.byValue.size;
  }

  /** Secrets not recorded because the limit was reached. */
  get overflow(): number {
    return this.dropped;
  }

  /** How many of each kind, for reports that must not show the values. */
  counts(): Partial<Record<SecretKind, number>> {
    const out: Partial<Record<SecretKind, number>> = {};
    for (const kind of this.byValue.values()) out[kind] = (out[kind] ?? 0) + 1;
    return out;
  }
}

let everySandbox: IssuedSecrets | undefined;

/**
 * From now on, every sandbox started in this process also records into one shared list (the test runner
 * uses it: `npm start`'s UI test starts a sandbox of its own). Returns that list; calling again returns it.
 */
export function collectFromEverySandbox(): IssuedSecrets {
  everySandbox ??= new IssuedSecrets();
  return everySandbox;
}

/** Sandboxes started from now on record only into their own list again. */
export function stopCollectingFromEverySandbox(): void {
  everySandbox = undefined;
}

/** The shared list when collection is on (see collectFromEverySandbox). */
export function processWideSecrets(): IssuedSecrets | undefined {
  return everySandbox;
}
