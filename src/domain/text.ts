// Small string helpers shared by the validators and the error mapper.

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Entra object ids, app ids and tenant ids are GUIDs in the 8-4-4-4-12 form, without braces. */
export function isGuid(value: string): boolean {
  return GUID.test(value);
}

/**
 * Shows a user-supplied value inside a message: quoted, control characters escaped (so a newline cannot
 * forge a second message line), cut to `max` characters so a 600-character subject does not flood a toast,
 * and with anything token-like redacted.
 */
export function quote(value: string, max = 60): string {
  const chars = Array.from(redactSecrets(value)); // code points, so a surrogate pair is never split
  const shown = chars.length > max ? `${chars.slice(0, max).join('')}…` : chars.join('');
  return jsonString(shown);
}

// JSON.stringify escapes C0 controls and lone surrogates but not C1 controls (NEL ends a line in some
// viewers), U+2028/U+2029 (line and paragraph separators) or bidi and zero-width characters (they reorder
// or hide text): these are escaped too, so a quoted value is always one visible line.
const UNESCAPED_BY_JSON = /[\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2028\u2029\u2060-\u206f\ufeff]/g;

/** JSON.stringify of a string, with the invisible and line-breaking characters JSON leaves alone escaped as \uXXXX. */
export function jsonString(value: string): string {
  return JSON.stringify(value).replace(UNESCAPED_BY_JSON, (c) => `\\u${(c.codePointAt(0) as number).toString(16).padStart(4, '0')}`);
}

// A JWT is base64url parts joined by dots; each part is JSON, so it starts with eyJ ('{"'). Truncated tokens
// (a header and part of the payload, cut by a log line) are redacted as well.
const JWT = /eyJ[A-Za-z0-9_-]{8,}(?:\.[A-Za-z0-9_-]*){0,2}/g;
const BEARER = /(Bearer)\s+[A-Za-z0-9._~+/=-]{8,}/gi;
const SECRET_FIELDS = /(client_assertion|client_secret|access_token|refresh_token|id_token)(["']?\s*[=:]\s*["']?)[^\s"'&,}]+/gi;

/** Removes anything that looks like a token or a secret, so messages and logs never carry one. */
export function redactSecrets(text: string): string {
  return text
    .replace(JWT, '[redacted token]')
    .replace(BEARER, '$1 [redacted]')
    .replace(SECRET_FIELDS, (_m, field: string, sep: string) => `${field}${sep}[redacted]`);
}

export function hasSurroundingWhitespace(value: string): boolean {
  return value !== value.trim();
}

/** C0 controls and DEL: never valid in names, and they could forge lines in a message or a log. */
export function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/** Code points that are invisible or change how text around them reads (zero-width, bidi controls, BOM). */
function isInvisible(cp: number): boolean {
  return (
    cp === 0x00ad ||
    cp === 0x034f ||
    cp === 0x061c ||
    cp === 0x180e ||
    (cp >= 0x200b && cp <= 0x200f) ||
    (cp >= 0x202a && cp <= 0x202e) ||
    (cp >= 0x2060 && cp <= 0x2064) ||
    (cp >= 0x2066 && cp <= 0x206f) ||
    cp === 0xfeff
  );
}

export interface UnsafeCharacter {
  readonly char: string;
  /** `control` (C0, DEL, C1, line and paragraph separators), `invisible` (zero-width, bidi, BOM) or `surrogate` (a lone UTF-16 half). */
  readonly kind: 'control' | 'invisible' | 'surrogate';
}

/**
 * The first character a value compared exactly (an issuer, a subject, an id) must not hold: control
 * characters (a line break forges a second line), invisible and bidi characters (the value would not be
 * what it looks like), lone surrogates (not text). Undefined when there is none.
 */
export function findUnsafeCharacter(value: string): UnsafeCharacter | undefined {
  for (const char of value) {
    const cp = char.codePointAt(0) as number;
    if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp === 0x2028 || cp === 0x2029) return { char, kind: 'control' };
    if (cp >= 0xd800 && cp <= 0xdfff) return { char, kind: 'surrogate' };
    if (isInvisible(cp)) return { char, kind: 'invisible' };
  }
  return undefined;
}

/** `"é" (U+00E9)`: the character as JSON (control characters escaped) and, outside printable ASCII, its code point. */
export function describeCharacter(char: string): string {
  const cp = char.codePointAt(0) as number;
  const shown = jsonString(char);
  return cp >= 0x20 && cp < 0x7f ? shown : `${shown} (U+${cp.toString(16).toUpperCase().padStart(4, '0')})`;
}

/** What an unsafe character is, in words, for a message: `the control character "\n" (U+000A)`. */
export function describeUnsafeCharacter(found: UnsafeCharacter): string {
  const what = found.kind === 'control' ? 'the control character' : found.kind === 'invisible' ? 'the invisible character' : 'a lone UTF-16 surrogate';
  return found.kind === 'surrogate' ? what : `${what} ${describeCharacter(found.char)}`;
}

/**
 * Why `value` is not a GUID, in a few words a user can act on (`remove the braces`, `it has no hyphens`,
 * `"О" (U+041E) only looks like a hexadecimal digit`), or undefined when nothing more specific than
 * "not a GUID" can be said (or when it is a GUID).
 */
export function guidProblem(value: string): string | undefined {
  if (isGuid(value)) return undefined;
  if (value === '') return 'it is empty';
  if (value.trim() === '') return 'it is only whitespace';
  if (isGuid(value.trim())) return 'remove the whitespace around it';
  if (/^[{(].*[)}]$/.test(value) && isGuid(value.slice(1, -1).trim())) return 'remove the braces around it';
  const chars = Array.from(value);
  const nonAscii = chars.find((c) => (c.codePointAt(0) as number) > 0x7e);
  const unsafe = findUnsafeCharacter(value);
  if (unsafe) return `it contains ${describeUnsafeCharacter(unsafe)}`;
  if (nonAscii !== undefined) {
    // GUID-shaped once the look-alike is taken for what it imitates: say which character is not what it seems.
    const shape = chars.map((c) => ((c.codePointAt(0) as number) > 0x7e ? '0' : c)).join('');
    if (/^[0-9a-f-]{32,36}$/i.test(shape)) {
      return `${describeCharacter(nonAscii)} only looks like a ${/[\u2010-\u2015\u2212\uFE58\uFE63\uFF0D]/.test(nonAscii) ? 'hyphen' : 'hexadecimal digit'}; a GUID is plain ASCII`;
    }
    return `it contains the non-ASCII character ${describeCharacter(nonAscii)}`;
  }
  if (/^[0-9a-f]{32}$/i.test(value)) return 'it has no hyphens; write it as 8-4-4-4-12 digits';
  if (/^[0-9a-f-]+$/i.test(value)) return `it has ${value.length} characters where a GUID has 36 in the form 8-4-4-4-12`;
  if (/^[0-9a-z]{8}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{12}$/i.test(value)) {
    const bad = chars.find((c) => /[g-z]/i.test(c)) as string;
    return `${JSON.stringify(bad)} is not a hexadecimal digit, 0-9 or a-f`;
  }
  return undefined;
}

/** `…, a GUID; "x" is not` followed by the reason from guidProblem when there is one. */
export function notAGuid(value: string): string {
  const problem = guidProblem(value);
  return `${quote(value)} is not${problem ? ` (${problem})` : ''}`;
}

/** Names for a message: all of them up to `max`, then "and N more". */
export function listNames(names: readonly string[], max = 5): string {
  if (names.length <= max) return names.join(', ');
  return `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}
