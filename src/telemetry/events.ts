// What a command run tells telemetry, and nothing more. Pure: no `vscode`, no I/O.
//
// Ids, names, URLs and tokens are kept out by construction: the event's properties form a closed
// type whose values come from closed sets (the outcome) or must match an identifier pattern that
// cannot hold a GUID, a URL, an e-mail address or a token (the command id, the error kind). The
// error's message never reaches this module.

export type CommandOutcome = 'succeeded' | 'cancelled' | 'failed';

/** What the command runner reports after each run. */
export interface CommandRun {
  readonly commandId: string;
  readonly durationMs: number;
  readonly outcome: CommandOutcome;
  readonly errorKind?: string;
}

/** The allow-list: the only properties an event ever carries. */
export interface CommandEventProperties {
  readonly command: string;
  readonly outcome: CommandOutcome;
  readonly errorKind?: string;
}

export interface CommandEventMeasurements {
  readonly durationMs: number;
}

export interface CommandEvent {
  readonly name: typeof COMMAND_EVENT;
  readonly properties: CommandEventProperties;
  readonly measurements: CommandEventMeasurements;
}

const COMMAND_EVENT = 'command';
export const ALLOWED_PROPERTIES: readonly (keyof CommandEventProperties)[] = ['command', 'outcome', 'errorKind'];
export const ALLOWED_MEASUREMENTS: readonly (keyof CommandEventMeasurements)[] = ['durationMs'];

const COMMAND_ID = /^federatedCredentials\.[A-Za-z]{1,64}$/;
/** A class name or one of our error kinds, optionally with a sub-kind: `GraphRequestError.forbidden`. */
const ERROR_KIND = /^[A-Za-z][A-Za-z]{0,63}(\.[A-Za-z]{1,32})?$/;
const OUTCOMES: ReadonlySet<string> = new Set<CommandOutcome>(['succeeded', 'cancelled', 'failed']);

/** The event for a run, or undefined when the run is not ours to report (an unexpected command id). */
export function commandEvent(run: CommandRun): CommandEvent | undefined {
  if (!COMMAND_ID.test(run.commandId) || !OUTCOMES.has(run.outcome)) return undefined;
  const properties: CommandEventProperties =
    run.outcome === 'failed'
      ? { command: run.commandId, outcome: run.outcome, errorKind: run.errorKind !== undefined && ERROR_KIND.test(run.errorKind) ? run.errorKind : 'other' }
      : { command: run.commandId, outcome: run.outcome };
  const durationMs = Number.isFinite(run.durationMs) && run.durationMs >= 0 ? Math.round(run.durationMs) : 0;
  return { name: COMMAND_EVENT, properties, measurements: { durationMs } };
}

/**
 * The kind of a failure for telemetry: the error's class name (`error.name`), plus the closed kind of
 * an explained Graph error (`GraphRequestError.forbidden`). Never the message. Anything that does not
 * look like an identifier becomes `other`.
 */
export function errorKindOf(error: unknown): string {
  if (typeof error !== 'object' || error === null) return 'other';
  const name = (error as { name?: unknown }).name;
  if (typeof name !== 'string' || !/^[A-Za-z]{1,64}$/.test(name)) return 'other';
  const sub = (error as { explained?: { kind?: unknown } }).explained?.kind;
  return typeof sub === 'string' && /^[A-Za-z]{1,32}$/.test(sub) ? `${name}.${sub}` : name;
}
