// Finds secrets in text: each secret as a whole and in the forms a leak takes on the way to a log or a
// file (URL- or form-encoded, JSON-escaped, base64 at any alignment), a JWT's signature segment on its own,
// and for opaque secrets (refresh tokens, device codes, client secrets, keys) and JWT signatures any run of
// `substringLength`+ characters, because a partly redacted token is still a leak. Pure: strings in,
// findings out. Findings never carry the secret; `describeSecret` names one by kind, length and a
// fingerprint. Used by tools/test-host/runIntegration.ts through tools/test-host/leakCheck.ts.
//
// Matching is a rolling hash over every `WINDOW`-character window of the text (one pass, whatever the
// number of secrets), checked exactly on a hit and then extended to the longest common run.
import { createHash } from 'node:crypto';

export interface ScannedSecret {
  /** What it is (`accessToken`, `refreshToken`, …); shown in findings. */
  readonly kind: string;
  readonly value: string;
}

export type LeakForm = 'whole' | 'jwtSignature' | 'substring' | 'urlEncoded' | 'formEncoded' | 'jsonEscaped' | 'base64' | 'base64url';

export interface Leak {
  /** File path or capture name. */
  readonly source: string;
  /** 1-based. */
  readonly line: number;
  readonly column: number;
  /** Index into the scanner's secrets. */
  readonly secret: number;
  readonly kind: string;
  readonly form: LeakForm;
  /** How many characters of the (encoded) secret were found. */
  readonly length: number;
  /** Up to 24 characters before the match, with anything token-like in them elided: where it leaked. */
  readonly before: string;
}

export interface SecretScannerOptions {
  /** Secrets shorter than this are not searched for (too many false matches); they are counted in `skipped`. Default 12. */
  readonly minLength?: number;
  /** Shortest run of an opaque secret or a JWT signature that counts as a leak. Default 24. */
  readonly substringLength?: number;
}

export interface SecretScanner {
  /** All leaks in `text`: at most one per line and secret (the most telling form, then the longest run). */
  scan(source: string, text: string): Leak[];
  readonly secrets: readonly ScannedSecret[];
  /** Secrets not searched for (shorter than minLength). */
  readonly skipped: number;
}

const WINDOW = 12;
const BASE = 0x01000193;
/** Kinds whose every long run counts (opaque random strings). JWT-shaped secrets get this for their signature only. */
const OPAQUE = /^(refreshToken|deviceCode|clientSecret|identityHeader|controlKey)$/;
const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{16,}$/;

interface Needle {
  readonly text: string;
  readonly secret: number;
  readonly form: LeakForm;
  /** Matches shorter than this do not count (text.length: only the whole needle counts). */
  readonly minRun: number;
}

/** Where a needle window starts: the needle and the window's offset in it. */
interface Entry {
  readonly needle: Needle;
  readonly offset: number;
}

const FORM_RANK: Record<LeakForm, number> = { whole: 0, jwtSignature: 1, urlEncoded: 2, formEncoded: 3, jsonEscaped: 4, base64: 5, base64url: 6, substring: 7 };

/** "refreshToken #3 (68 chars, sha256 1a2b3c4d)": names a secret without showing any of it. */
export function describeSecret(secret: ScannedSecret, index: number): string {
  const fingerprint = createHash('sha256').update(secret.value).digest('hex').slice(0, 8);
  return `${secret.kind} #${index + 1} (${secret.value.length} chars, sha256 ${fingerprint})`;
}

/** One line per leak for a report: place, secret (masked), form, and what preceded it. */
export function formatLeak(leak: Leak, secrets: readonly ScannedSecret[]): string {
  const what = describeSecret(secrets[leak.secret]!, leak.secret);
  const form = leak.form === 'whole' ? 'whole' : `${leak.form}, ${leak.length} chars`;
  return `${leak.source}:${leak.line}:${leak.column}: ${what} [${form}] after ${JSON.stringify(leak.before)}`;
}

/** The parts of base64(secret) that do not depend on what surrounds it, at each of the 3 byte alignments. */
function base64Forms(value: string): Array<{ text: string; form: LeakForm }> {
  const bytes = Buffer.from(value, 'utf8');
  const out: Array<{ text: string; form: LeakForm }> = [];
  for (let pad = 0; pad < 3; pad++) {
    const padded = Buffer.concat([Buffer.alloc(pad), bytes]);
    const start = pad === 0 ? 0 : 4; // the first group mixes in bytes that are not the secret's
    const end = Math.floor(padded.length / 3) * 4; // the last partial group depends on what follows
    for (const [encoding, form] of [
      ['base64', 'base64'],
      ['base64url', 'base64url'],
    ] as const) {
      const text = padded.toString(encoding).slice(start, end);
      out.push({ text, form });
    }
  }
  return out;
}

function needlesFor(secret: ScannedSecret, index: number, substringLength: number): Needle[] {
  const v = secret.value;
  const candidates: Array<{ text: string; form: LeakForm; minRun?: number }> = [
    { text: v, form: 'whole', minRun: OPAQUE.test(secret.kind) ? substringLength : undefined },
    { text: encodeURIComponent(v), form: 'urlEncoded' },
    { text: new URLSearchParams({ v }).toString().slice(2), form: 'formEncoded' },
    { text: JSON.stringify(v).slice(1, -1), form: 'jsonEscaped' },
    ...base64Forms(v),
  ];
  if (JWT.test(v)) candidates.push({ text: v.split('.')[2]!, form: 'jwtSignature', minRun: substringLength });
  const seen = new Set<string>();
  const needles: Needle[] = [];
  for (const c of candidates) {
    if (c.text.length < WINDOW || seen.has(c.text)) continue;
    seen.add(c.text);
    needles.push({ text: c.text, secret: index, form: c.form, minRun: Math.min(c.minRun ?? c.text.length, c.text.length) });
  }
  return needles;
}

function windowHash(text: string, start: number): number {
  let h = 0;
  for (let i = start; i < start + WINDOW; i++) h = (Math.imul(h, BASE) + text.charCodeAt(i)) >>> 0;
  return h;
}

// BASE^(WINDOW-1) mod 2^32, to take the outgoing character out of the rolling hash.
const TOP = (() => {
  let p = 1;
  for (let i = 0; i < WINDOW - 1; i++) p = Math.imul(p, BASE) >>> 0;
  return p;
})();

/** Elides token-like runs so the context shown with a leak cannot itself carry a secret. */
function safeContext(text: string): string {
  return text.replace(/[\r\n\t]/g, ' ').replace(/[A-Za-z0-9_\-.~+/=%]{10,}/g, '…');
}

export function createSecretScanner(secrets: readonly ScannedSecret[], options: SecretScannerOptions = {}): SecretScanner {
  const minLength = Math.max(options.minLength ?? 12, WINDOW);
  const substringLength = Math.max(options.substringLength ?? 24, WINDOW);
  const index = new Map<number, Entry[]>();
  let skipped = 0;
  secrets.forEach((secret, i) => {
    if (secret.value.length < minLength) {
      skipped++;
      return;
    }
    for (const needle of needlesFor(secret, i, substringLength)) {
      // A whole-only needle is found through its first window; a run-matching one through every window.
      const last = needle.minRun < needle.text.length ? needle.text.length - WINDOW : 0;
      for (let offset = 0; offset <= last; offset++) {
        const h = windowHash(needle.text, offset);
        const list = index.get(h);
        if (list) list.push({ needle, offset });
        else index.set(h, [{ needle, offset }]);
      }
    }
  });

  function scan(source: string, text: string): Leak[] {
    if (text.length < WINDOW || index.size === 0) return [];
    const found = new Map<string, Leak>();
    const reported = new Set<string>();
    let lineStarts: number[] | undefined;
    const position = (at: number) => {
      lineStarts ??= [0, ...[...text.matchAll(/\n/g)].map((m) => m.index! + 1)];
      let lo = 0;
      let hi = lineStarts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (lineStarts[mid]! <= at) lo = mid;
        else hi = mid - 1;
      }
      return { line: lo + 1, column: at - lineStarts[lo]! + 1, lineStart: lineStarts[lo]! };
    };
    let h = windowHash(text, 0);
    for (let i = 0; ; i++) {
      const entries = index.get(h);
      if (entries) {
        for (const { needle, offset } of entries) {
          const n = needle.text;
          if (!text.startsWith(n.slice(offset, offset + WINDOW), i)) continue;
          // Extend to the longest run the text shares with the needle here.
          let left = 0;
          while (offset - left > 0 && i - left > 0 && text.charCodeAt(i - left - 1) === n.charCodeAt(offset - left - 1)) left++;
          let right = WINDOW;
          while (offset + right < n.length && i + right < text.length && text.charCodeAt(i + right) === n.charCodeAt(offset + right)) right++;
          const start = i - left;
          const length = left + right;
          if (length < needle.minRun) continue;
          const runKey = `${needle.secret}:${needle.form}:${start}`;
          if (reported.has(runKey)) continue;
          reported.add(runKey);
          const form: LeakForm = needle.form === 'whole' && length < n.length ? 'substring' : needle.form;
          const where = position(start);
          const key = `${where.line}:${needle.secret}`;
          const previous = found.get(key);
          if (previous && (FORM_RANK[previous.form] < FORM_RANK[form] || (previous.form === form && previous.length >= length))) continue;
          found.set(key, {
            source,
            line: where.line,
            column: where.column,
            secret: needle.secret,
            kind: secrets[needle.secret]!.kind,
            form,
            length,
            before: safeContext(text.slice(Math.max(where.lineStart, start - 24), start)),
          });
        }
      }
      if (i + WINDOW >= text.length) break;
      h = (Math.imul((h - Math.imul(text.charCodeAt(i), TOP)) >>> 0, BASE) + text.charCodeAt(i + WINDOW)) >>> 0;
    }
    return [...found.values()].sort((a, b) => a.line - b.line || a.column - b.column);
  }

  return { scan, secrets, skipped };
}
