// How the identity-credential commands reach the session, the Managed Identities view and the user: built once by
// extension.ts, sharing the progress and notification flows of the app credential commands.
import type * as vscode from 'vscode';
import type { AuthService } from '../../auth/authService';
import { listManagedClusters } from '../../arm/managedClusters';
import { readSettings } from '../../config/settings';
import type { ManagedIdentitiesView } from '../../tree/managedIdentitiesView';
import { identityCredentialOf, identityOf, identityRefOf } from '../../tree/nodeModel';
import type { CredentialCommandDeps } from '../credentials/common';
import { userAssignedRef } from '../../domain/identityCredentials';
import type { IdentityCredentialCommandDeps } from './identityCredentialCommands';

export interface IdentityCredentialDepsParts {
  readonly auth: AuthService;
  readonly identities: ManagedIdentitiesView;
  readonly log: vscode.LogOutputChannel;
  readonly credentialDeps: Pick<CredentialCommandDeps, 'progress' | 'notify'>;
}

export function createIdentityCredentialCommandDeps({ auth, identities, log, credentialDeps }: IdentityCredentialDepsParts): IdentityCredentialCommandDeps {
  return {
    directory: () => auth.requireSession().directory,
    identityCredentials: () => auth.requireSession().identityCredentials,
    cloud: () => auth.cloud,
    flexibleCredentials: () => readSettings().flexibleCredentials,
    log,
    progress: credentialDeps.progress,
    notify: credentialDeps.notify,
    // Run on an identity's node: a system-assigned identity is refused with the reason (it cannot have credentials).
    selectedIdentity: (node) => {
      const principal = identityOf(node);
      return principal ? { identity: principal, identityRef: userAssignedRef(principal) } : identityRefOf(node);
    },
    selectedCredential: identityCredentialOf,
    clusters: (subscriptionId) => listManagedClusters(auth.requireSession().arm, subscriptionId),
    afterChange: (identity) => identities.reloadIdentityCredentials(identity.id),
  };
}
