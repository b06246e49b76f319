// Turning values into source text for the runbook languages. Every user value that reaches a
// generated file goes through one of these functions; nothing is interpolated by hand.

/**
 * Characters PowerShell's tokenizer treats as a single quote inside a verbatim string
 * (ASCII apostrophe and the typographic ones: U+2018, U+2019, U+201A, U+201B). Any of them ends
 * a `'…'` string, and a pair of them stands for one literal character.
 */
const POWERSHELL_SINGLE_QUOTES = new Set(["'", '\u2018', '\u2019', '\u201A', '\u201B']);

/**
 * A PowerShell verbatim (single-quoted) string literal for `value`: every quote-like character is
 * doubled, nothing else is special (`$`, backticks and `$(...)` stay text). Values with control
 * characters are refused: a verbatim string could hold them, but the file would then hold a line
 * break the reader does not see as part of the value.
 */
export function psSingleQuoted(value: string): string {
  assertPrintable(value, 'PowerShell string');
  let out = "'";
  for (const ch of value) out += POWERSHELL_SINGLE_QUOTES.has(ch) ? ch + ch : ch;
  return out + "'";
}

/**
 * A Python string literal for `value`, double-quoted and pure ASCII: backslash and quote escaped,
 * every character outside printable ASCII written as `\xNN`, `\uNNNN` or `\UNNNNNNNN`. Lone
 * surrogates are refused (they are not text).
 */
export function pyStringLiteral(value: string): string {
  let out = '"';
  for (const ch of value) {
    const cp = ch.codePointAt(0) as number;
    if (cp >= 0xd800 && cp <= 0xdfff) throw new Error('Python string: the value contains a lone UTF-16 surrogate.');
    if (ch === '\\') out += '\\\\';
    else if (ch === '"') out += '\\"';
    else if (cp >= 0x20 && cp < 0x7f) out += ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (cp <= 0xff) out += '\\x' + hex(cp, 2);
    else if (cp <= 0xffff) out += '\\u' + hex(cp, 4);
    else out += '\\U' + hex(cp, 8);
  }
  return out + '"';
}

/**
 * Text for one comment line (`# …`) in either language. A value that could end the comment or
 * start a new line (any control character, NEL, LINE/PARAGRAPH SEPARATOR) is refused rather than
 * silently altered, so what the header says is what the caller passed.
 */
export function commentText(value: string, what = 'comment'): string {
  assertPrintable(value, what);
  return value;
}

/** Why `value` cannot go into a single source line, or undefined when it can. */
export function unprintableReason(value: string): string | undefined {
  for (const ch of value) {
    const cp = ch.codePointAt(0) as number;
    if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) return `contains the control character U+${hex(cp, 4)}`;
    if (cp === 0x2028 || cp === 0x2029) return `contains the line separator U+${hex(cp, 4)}`;
    if (cp >= 0xd800 && cp <= 0xdfff) return 'contains a lone UTF-16 surrogate';
    if (cp === 0xfeff) return 'contains a byte order mark (U+FEFF)';
  }
  return undefined;
}

function assertPrintable(value: string, what: string): void {
  const reason = unprintableReason(value);
  if (reason) throw new Error(`${what}: the value ${reason}; it cannot be written into a runbook.`);
}

function hex(n: number, width: number): string {
  return n.toString(16).toUpperCase().padStart(width, '0');
}
