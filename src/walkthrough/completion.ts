// The walkthrough's steps complete when their command succeeds, not merely when it runs: VS Code's
// `onCommand:` completion event fires as soon as a command is invoked, even if the person then
// cancels it or it fails. So a command's success sets a context key, and each step's
// `completionEvents` is `onContext:<that key>` (package.json `contributes.walkthroughs`, ./steps).
import * as vscode from 'vscode';
import type { CommandRun } from '../telemetry/events';
import { completionKeyFor } from './steps';

/** Hook for the command runner's `onDidRun`. */
export function markWalkthroughStep(run: CommandRun): void {
  const key = run.outcome === 'succeeded' ? completionKeyFor(run.commandId) : undefined;
  if (key) void vscode.commands.executeCommand('setContext', key, true);
}
