// The shape every validator returns: findings a UI shows as you type, and that a programmatic call turns into
// one thrown message.

export type Severity = 'error' | 'warning';

export interface Finding {
  /** The input it is about, e.g. `name`, `issuer`, `tenant`. */
  readonly field: string;
  /** Stable machine-readable code, e.g. `name.tooShort`. */
  readonly code: string;
  /** A complete sentence for the user; it names the field, the rule and the offending value. */
  readonly message: string;
  readonly severity: Severity;
}

export interface ValidationResult {
  readonly ok: boolean;
  readonly errors: readonly Finding[];
  readonly warnings: readonly Finding[];
}

export function error(field: string, code: string, message: string): Finding {
  return { field, code, message, severity: 'error' };
}

export function warning(field: string, code: string, message: string): Finding {
  return { field, code, message, severity: 'warning' };
}

export function toResult(findings: readonly Finding[]): ValidationResult {
  const errors = findings.filter((f) => f.severity === 'error');
  const warnings = findings.filter((f) => f.severity === 'warning');
  return { ok: errors.length === 0, errors, warnings };
}

export function mergeResults(...results: readonly ValidationResult[]): ValidationResult {
  return toResult(results.flatMap((r) => [...r.errors, ...r.warnings]));
}

/** For an InputBox's validateInput: the first error, else undefined. */
export function firstError(result: ValidationResult): string | undefined {
  return result.errors[0]?.message;
}

/** Thrown by the build functions when their input is invalid; the message lists every error. */
export class ValidationError extends Error {
  readonly findings: readonly Finding[];
  constructor(findings: readonly Finding[]) {
    super(findings.map((f) => f.message).join(' '));
    this.name = 'ValidationError';
    this.findings = findings;
  }
}

export function assertValid(result: ValidationResult): void {
  if (!result.ok) throw new ValidationError(result.errors);
}
