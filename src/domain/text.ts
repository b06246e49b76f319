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
  return JSON.stringify(shown);
}

// A JWT is base64url parts joined by dots; each part is JSON, so it starts with eyJ ('{"'). Truncated tokens
// (a header and part of the payload, cut by a log line) are redacted as well.
const JWT = /eyJ[A-Za-z0-9_-]{8,}(?:\.[A-Za-z0-9_-]*){0,2}/g;
const BEARER = /(Bearer)\s+[A-Za-z0-9._~+/=-]{8,}/gi;
const SECRET_FIELDS =
  /(client_assertion|client_secret|access_token|refresh_token|id_token)(["']?\s*[=:]\s*["']?)[^\s"'&,}]+/gi;

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
