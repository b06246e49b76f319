// Creating an app registration exactly once. POST /applications is not idempotent: when its answer is
// lost (a dropped connection, a 5xx) the app may exist anyway. Before anyone tries again, look for an
// app of that name created since the request: one found is the app (nothing is created twice); none
// or several are said plainly, with the refreshed view as the place to check.
import { quote } from '../domain/text';
import type { RequiredResourceAccess } from '../domain/graphPermissions';
import type { ApplicationsApi } from '../graph/applications';
import type { AppRegistration } from '../domain/model';
import { isAmbiguousWriteFailure } from './credentialService';

/** Clock skew allowed between this machine and Entra's createdDateTime. */
const SKEW_MS = 60_000;

export interface CreateAppOutcome {
  readonly app: AppRegistration;
  /** True when Graph's answer was lost and the app was found afterwards. */
  readonly recovered: boolean;
}

export async function createAppOnce(
  directory: { readonly apps: Pick<ApplicationsApi, 'createApp' | 'findAppsByDisplayName'> },
  body: { displayName: string; signInAudience: string; requiredResourceAccess?: readonly RequiredResourceAccess[] },
  signal?: AbortSignal,
  now: () => number = Date.now,
): Promise<CreateAppOutcome> {
  const started = now();
  try {
    return { app: await directory.apps.createApp(body, signal), recovered: false };
  } catch (error) {
    // A cancel is no failure to check: no request starts after it (the caller says "may have been created").
    if (!isAmbiguousWriteFailure(error)) throw error;
    const reason = (error as Error).message;
    const name = quote(body.displayName);
    let found: Array<AppRegistration & { createdDateTime?: string }>;
    try {
      found = (await directory.apps.findAppsByDisplayName(body.displayName)).filter((a) => {
        const created = Date.parse(a.createdDateTime ?? '');
        return Number.isFinite(created) && created >= started - SKEW_MS;
      });
    } catch {
      throw new Error(
        `${reason} The app registration ${name} may have been created all the same, and checking failed too: refresh the App Registrations view before creating it again.`,
        { cause: error },
      );
    }
    if (found.length === 1) return { app: found[0]!, recovered: true };
    if (found.length === 0) {
      throw new Error(
        `${reason} No app registration named ${name} has appeared since, so it was most likely not created; Entra can take a few seconds to list a new app, so refresh the App Registrations view before creating it again.`,
        { cause: error },
      );
    }
    throw new Error(
      `${reason} ${found.length} app registrations named ${name} were created in the last minutes, and one of them may be this one: check them in the App Registrations view before creating another.`,
      { cause: error },
    );
  }
}
