// One wrapper for every command run: cancellation ends quietly (a cancel after work had started
// shows what was and was not done: UserCancelledError with an outcome), an error is logged once and shown
// once in plain words, and a programmatic caller (tests, tasks, other extensions) gets the result or
// the error back from executeCommand.
import * as vscode from 'vscode';
import type { UserInput } from '../wizard/userInput';
import { NoPromptUserInput } from '../wizard/noPromptUserInput';
import { hasExplainableCode } from '../domain/errorCodes';
import { redactSecrets } from '../domain/text';
import { errorKindOf } from '../telemetry/events';
import { isArgumentsObject } from './arguments';
import { isUserCancelled } from '../util/cancellation';

export interface CommandContext {
  readonly commandId: string;
  readonly ui: UserInput;
  /** True when called with an arguments object rather than from the palette or a tree node. */
  readonly programmatic: boolean;
}

export interface CommandRunnerDeps {
  readonly log: vscode.LogOutputChannel;
  readonly ui: () => UserInput;
  readonly onDidRun?: (event: { commandId: string; durationMs: number; outcome: 'succeeded' | 'cancelled' | 'failed'; errorKind?: string }) => void;
}

export type CommandHandler = (context: CommandContext, ...args: unknown[]) => Promise<unknown>;

export { isArgumentsObject };

export function registerCommand(id: string, handler: CommandHandler, deps: CommandRunnerDeps): vscode.Disposable {
  return vscode.commands.registerCommand(id, async (...args: unknown[]) => {
    const programmatic = isArgumentsObject(args[0]);
    const started = Date.now();
    // Telemetry and walkthrough progress listen here; they never change a command's result.
    const report: NonNullable<CommandRunnerDeps['onDidRun']> = (event) => {
      try {
        deps.onDidRun?.(event);
      } catch {
        /* ignored */
      }
    };
    // Called with arguments: never prompt, say what is missing instead.
    const context: CommandContext = { commandId: id, ui: programmatic ? new NoPromptUserInput() : deps.ui(), programmatic };
    try {
      const result = await handler(context, ...args);
      report({ commandId: id, durationMs: Date.now() - started, outcome: 'succeeded' });
      return result;
    } catch (error) {
      if (isUserCancelled(error)) {
        report({ commandId: id, durationMs: Date.now() - started, outcome: 'cancelled' });
        if (programmatic) throw error;
        // Cancelled after work had started: say what was done, what may have been, what was not.
        if (error.outcome) void vscode.window.showWarningMessage(redactSecrets(error.message));
        return undefined;
      }
      const message = redactSecrets(error instanceof Error ? error.message : String(error));
      deps.log.error(`${id} failed: ${message}`);
      report({ commandId: id, durationMs: Date.now() - started, outcome: 'failed', errorKind: errorKindOf(error) });
      if (programmatic) throw error instanceof Error ? error : new Error(message);
      const showLog = vscode.l10n.t('Show Log');
      // An Entra error gets an Explain button: explainError takes the message (a string argument shows the explanation).
      const explain = hasExplainableCode(message) && id !== 'federatedCredentials.explainError' ? vscode.l10n.t('Explain') : undefined;
      void vscode.window.showErrorMessage(message, showLog, ...(explain ? [explain] : [])).then((choice) => {
        if (choice === showLog) deps.log.show(true);
        if (explain && choice === explain) void vscode.commands.executeCommand('federatedCredentials.explainError', message);
      });
      return undefined;
    }
  });
}
