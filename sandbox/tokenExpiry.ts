// The "tokens expired" knob: make Graph and ARM refuse access tokens that were issued before a moment
// as expired, as if their lifetime had ended then, without waiting an hour. Tests use it to check that
// clients get a fresh token once and retry once. The answers are the services' own for an expired token
// (auth.ts): Graph 401 `InvalidAuthenticationToken` "Lifetime validation failed, the token is expired."
// with its WWW-Authenticate header; ARM 401 `ExpiredAuthenticationToken` "The access token expiry UTC
// time '…' is earlier than current UTC time '…'." with `error="invalid_token"` in WWW-Authenticate.
//
// Control API (guarded by the control key):
//   POST /_sandbox/tokens/expire  {forSeconds?}  tokens issued before now (+ forSeconds: also those issued
//                                                in the next seconds, so a fresh token is refused too)
//   GET  /_sandbox/tokens/expire                 {expiredBefore: ISO | null}
//   DELETE /_sandbox/tokens/expire               lifts the knob (reset does too)
//   GET  /_sandbox/tokens/status?uti=…           {uti, known, expired, refused}: whether the sandbox issued
//                                                the token, counts it as expired, has refused a request with it
// Tokens are told apart by their `uti` claim (not a secret); the sandbox remembers the order and the time
// in which it issued them (`iat` has only seconds, and "before now" must hold within one millisecond too).
import { guarded } from './control';
import { json, type AreaRouter, type SandboxRequest } from './router';

const MAX_TRACKED = 20_000;

interface Issued {
  readonly seq: number;
  readonly at: number;
  readonly expMs: number;
}

export class TokenExpiry {
  private readonly issued = new Map<string, Issued>();
  private readonly refusedUtis = new Set<string>();
  private seq = 0;
  /** Tokens up to this sequence number, and those issued before `until`, count as expired since `at`. */
  private knob: { seq: number; at: number; until: number } | undefined;

  /** Called for every access token the sandbox signs. */
  recordIssued(uti: string, expSeconds: number, at = Date.now()): void {
    if (this.issued.size >= MAX_TRACKED) this.prune(at);
    this.issued.set(uti, { seq: ++this.seq, at, expMs: expSeconds * 1000 });
  }

  /** Every token issued so far, and any issued in the next `forMs`, counts as expired from now on. Returns the cut-off time. */
  expire(forMs = 0, now = Date.now()): number {
    this.knob = { seq: this.seq, at: now, until: now + forMs };
    return this.knob.until;
  }

  clear(): void {
    this.knob = undefined;
    this.refusedUtis.clear();
  }

  get expiredBefore(): number | undefined {
    return this.knob?.until;
  }

  /** When the knob made this token expire (the knob's moment, or its own exp if earlier); undefined if it did not. */
  expiredAt(uti: unknown): number | undefined {
    if (!this.knob || typeof uti !== 'string') return undefined;
    const record = this.issued.get(uti);
    if (!record || (record.seq > this.knob.seq && record.at >= this.knob.until)) return undefined;
    return Math.min(record.expMs, Math.max(this.knob.at, record.at));
  }

  /** Graph or ARM answered a request carrying this token with "expired". */
  recordRefused(uti: unknown): void {
    if (typeof uti === 'string') this.refusedUtis.add(uti);
  }

  status(uti: string): { uti: string; known: boolean; expired: boolean; refused: boolean } {
    return { uti, known: this.issued.has(uti), expired: this.expiredAt(uti) !== undefined, refused: this.refusedUtis.has(uti) };
  }

  private prune(now: number): void {
    for (const [uti, { expMs }] of this.issued) if (expMs + 300_000 < now) this.issued.delete(uti);
    // Still full of live tokens: forget the oldest (Map keeps insertion order).
    for (const uti of this.issued.keys()) {
      if (this.issued.size < MAX_TRACKED) break;
      this.issued.delete(uti);
    }
  }
}

function obj(req: SandboxRequest): Record<string, unknown> {
  return req.body && typeof req.body === 'object' && !Array.isArray(req.body) ? (req.body as Record<string, unknown>) : {};
}

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

/** Registers the knob's control routes (on the control area's router). */
export function registerTokenExpiryControl(r: AreaRouter): void {
  r.post(
    '/tokens/expire',
    guarded((req) => {
      const forSeconds = obj(req).forSeconds ?? 0;
      if (typeof forSeconds !== 'number' || !Number.isFinite(forSeconds) || forSeconds < 0 || forSeconds > 86_400) {
        return json(400, { error: 'bad_request', message: 'body must be {} or {"forSeconds": 0–86400}' });
      }
      return json(200, { expiredBefore: iso(req.core.tokenExpiry.expire(forSeconds * 1000)) });
    }),
  );
  r.get(
    '/tokens/expire',
    guarded((req) => json(200, { expiredBefore: iso(req.core.tokenExpiry.expiredBefore) })),
  );
  r.delete(
    '/tokens/expire',
    guarded((req) => {
      req.core.tokenExpiry.clear();
      return json(200, { expiredBefore: null });
    }),
  );
  r.get(
    '/tokens/status',
    guarded((req) => {
      const uti = req.query.get('uti');
      if (!uti) return json(400, { error: 'bad_request', message: "give ?uti=<the token's uti claim>" });
      return json(200, req.core.tokenExpiry.status(uti));
    }),
  );
}
