// The surface that tests and other extensions reach through `extension.exports`.
// Versioned so that consumers can check what they got.
import type { AuthService, SignedInAccount } from './auth/authService';
import type { AppFilter, AppRegistrationsView } from './tree/appRegistrationsView';
import type { ManagedIdentitiesView } from './tree/managedIdentitiesView';
import type { RenderedNode } from './tree/render';

export interface ViewState {
  /** The view's nodes as a person sees them, expanded `depth` levels below the roots. */
  render(depth?: number): Promise<RenderedNode[]>;
}

export interface FederatedCredentialsApi {
  readonly apiVersion: 1;
  readonly account: () => SignedInAccount | undefined;
  readonly views: {
    readonly appRegistrations: ViewState & { readonly filter: () => AppFilter; readonly hasMore: () => boolean };
    readonly managedIdentities: ViewState;
  };
}

export function createExtensionApi(parts: { auth: AuthService; apps: AppRegistrationsView; identities: ManagedIdentitiesView }): FederatedCredentialsApi {
  return {
    apiVersion: 1,
    account: () => parts.auth.account,
    views: {
      appRegistrations: { render: (depth) => parts.apps.render(depth), filter: () => parts.apps.currentFilter, hasMore: () => parts.apps.hasMore },
      managedIdentities: { render: (depth) => parts.identities.render(depth) },
    },
  };
}
