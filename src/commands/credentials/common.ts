// What the credential commands share: their dependencies and the checking of argument objects.
import type * as vscode from 'vscode';
import type { Cloud } from '../../domain/clouds';
import type { GraphDirectory } from '../../graph/directory';
import type { AppRegistration, FederatedCredential, ServicePrincipalInfo } from '../../domain/model';
import type { CredentialService } from '../../services/credentialService';
import { describeCancelledWrite } from '../../services/outcomes';
import { isUserCancelled, UserCancelledError } from '../../util/cancellation';

export interface CredentialCommandDeps {
  readonly directory: () => GraphDirectory;
  readonly credentials: () => CredentialService;
  readonly cloud: () => Cloud;
  readonly tenantId: () => string;
  /** The `federatedCredentials.preview.flexibleCredentials` setting: flexible credentials are written through Graph beta only when it is on. */
  readonly flexibleCredentials?: () => boolean;
  readonly log: vscode.LogOutputChannel;
  /** The app of the tree node the command was run on, if any. */
  readonly selectedApp: (node: unknown) => AppRegistration | undefined;
  readonly selectedCredential: (node: unknown) => { app: AppRegistration; credential: FederatedCredential } | undefined;
  readonly selectedIdentity: (node: unknown) => ServicePrincipalInfo | undefined;
  /** Runs `work` under a progress notification with a Cancel button; Cancel fires the signal. */
  readonly progress: <T>(title: string, work: (signal: AbortSignal) => Promise<T>) => Promise<T>;
  /** Refreshes the changed app in the views and reveals the credential. */
  readonly afterChange: (app: AppRegistration, credential?: FederatedCredential) => Promise<void>;
  /** After a change to many apps: refreshes the views once instead of re-reading each app. */
  readonly afterChanges?: (apps: readonly AppRegistration[]) => Promise<void>;
  readonly offerNextSteps: (app: AppRegistration, credential: FederatedCredential) => Promise<void>;
  /** Shows a command's outcome to the user (not to programmatic callers: they get it in the result). */
  readonly notify?: (message: string, severity: 'info' | 'warning') => void;
}

// The argument objects are read by the pure parser in ../arguments (unit-tested with hostile values).
export { credentialArgs } from '../arguments';

/**
 * One write under a cancellable progress notification. Cancelled before the request was sent:
 * nothing changed. Cancelled while it ran: it may have been applied, so the views are refreshed (the
 * next read shows the truth) and the message says so. Either way the command ends cancelled, with
 * that message for the user and for a programmatic caller.
 */
export async function cancellableWrite<T>(
  deps: Pick<CredentialCommandDeps, 'progress' | 'log'>,
  title: string,
  action: string,
  work: (signal: AbortSignal) => Promise<T>,
  refresh: () => Promise<void>,
): Promise<T> {
  try {
    return await deps.progress(title, work);
  } catch (error) {
    if (!isUserCancelled(error) || error.outcome) throw error;
    const message = describeCancelledWrite(action, error.inFlight);
    deps.log.warn(message);
    if (error.inFlight) await refresh().catch(() => undefined);
    throw UserCancelledError.withOutcome(message);
  }
}
