// The one message a multi-app add ends with: how many apps got the credential and, for the others,
// which and why in a few words (apps with the same reason together). The log keeps each app's full
// reason. No `vscode` here, so the wording is unit-tested in Node.
import { listNames, quote } from '../domain/text';
import type { AppRegistration } from '../domain/model';
import type { MultiAppFailure, MultiAppResult } from './credentialService';

/** Reasons named in the message; the rest are counted ("and 3 more reasons, in the log"). */
const MAX_REASONS = 5;
/** Apps named per reason. */
const MAX_NAMES = 5;

/** "1 app", "3 apps". */
export const apps = (n: number) => `${n} app${n === 1 ? '' : 's'}`;
/** How a message names an app. */
export const appName = (app: Pick<AppRegistration, 'displayName' | 'id'>) => app.displayName || app.id;

/** A failure's reason in a few words: Graph's passing troubles by kind, the rest (rules, conflicts) as their own message. */
export function shortReason(failure: MultiAppFailure): string {
  switch (failure.kind) {
    case 'throttled':
      return 'throttled by Microsoft Graph; try again later';
    case 'unavailable':
      return 'Microsoft Graph failed or did not answer; try again';
    case 'unconfirmed':
      return 'not confirmed: the answer was lost; refresh the view to see whether it was added';
    case 'forbidden':
      return 'access denied: you must own the app or hold the Application Administrator or Cloud Application Administrator role';
    case 'unauthorized':
      return 'the sign-in is no longer valid; sign in again';
    case 'notFound':
      return 'not found in this tenant';
    default:
      return failure.message.trim().replace(/\.$/, '');
  }
}

/** "Added the credential 'x' to 47 of 50 apps. 3 failed: 'a', 'b' (throttled by Microsoft Graph; try again later); 'c' (…)." */
export function summarizeMultiApp(credentialName: string, result: Pick<MultiAppResult, 'added' | 'failed'>, total: number): string {
  const name = quote(credentialName);
  const { added, failed } = result;
  if (failed.length === 0)
    return `Added the credential ${name} to ${added.length === total ? (total === 1 ? 'the app' : `all ${apps(total)}`) : `${added.length} of ${apps(total)}`}.`;
  const head =
    added.length === 0
      ? `The credential ${name} was added to none of the ${apps(total)}:`
      : `Added the credential ${name} to ${added.length} of ${apps(total)}. ${failed.length} failed:`;
  const groups = new Map<string, string[]>();
  for (const f of failed) {
    const reason = shortReason(f);
    groups.set(reason, [...(groups.get(reason) ?? []), quote(appName(f.app))]);
  }
  const shown = [...groups].slice(0, MAX_REASONS).map(([reason, names]) => `${listNames(names, MAX_NAMES)} (${reason})`);
  const hidden = groups.size - shown.length;
  const rest = hidden > 0 ? `; and ${hidden} more reason${hidden === 1 ? '' : 's'}, in the log` : '';
  const again = failed.some((f) => f.retryable) ? ' Running the command again for the failed apps may succeed.' : '';
  return `${head} ${shown.join('; ')}${rest}.${again}`;
}
