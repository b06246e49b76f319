// What a cancelled or interrupted run tells the user, in plain words: what was done, what may have
// been done (a write in flight when the cancel came: the next read shows whether it was applied) and
// what was not attempted. No `vscode` here, so the wording is unit-tested in Node.
import { listNames, quote } from '../domain/text';
import type { MultiAppResult } from './credentialService';
import { appName, apps } from './multiAppSummary';

/** The message after a cancelled multi-app add; `total` counts every app the run was given. */
export function describeCancelledMultiApp(credentialName: string, result: MultiAppResult, total: number): string {
  const parts = [`Cancelled: the credential ${quote(credentialName)} was added to ${result.added.length} of ${apps(total)}.`];
  const inFlight = result.cancelled?.inFlight ?? [];
  const notAttempted = result.cancelled?.notAttempted ?? [];
  if (inFlight.length > 0) {
    parts.push(
      `${inFlight.length === 1 ? '1 more app' : `${inFlight.length} more apps`} may have it: the write was in flight when you cancelled, and the refreshed view shows whether it was applied (${listNames(inFlight.map(appName))}).`,
    );
  }
  if (notAttempted.length > 0) parts.push(`Not attempted: ${apps(notAttempted.length)} (${listNames(notAttempted.map(appName))}).`);
  if (result.failed.length > 0) parts.push(`Failed: ${apps(result.failed.length)} (${listNames(result.failed.map((f) => appName(f.app)))}); the log says why.`);
  return parts.join(' ');
}

/** The message after a cancelled single write: before it was sent nothing changed; in flight it may have been applied. */
export function describeCancelledWrite(action: string, inFlight: boolean): string {
  return inFlight
    ? `Cancelled while ${action}: the request had already been sent, so the change may have been applied. The refreshed view shows whether it was.`
    : `Cancelled before ${action}: nothing was sent, nothing changed.`;
}
