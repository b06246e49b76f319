// The extension's API: what other extensions (and the in-host tests) get from
// `vscode.extensions.getExtension('federated-credentials.federated-credentials').activate()`.
// Versioned (`apiVersion`) so that consumers can check what they got: read-only views of the signed-in
// account and of the two trees as a person sees them. Commands are the way to change anything (every
// command takes an arguments object and returns its result, README "Commands").
import type { AuthService, SignedInAccount } from './auth/authService';
import type { AppFilter, AppRegistrationsView } from './tree/appRegistrationsView';
import type { ManagedIdentitiesView } from './tree/managedIdentitiesView';
import type { RenderedNode } from './tree/render';
import type { CommandTelemetry } from './telemetry/telemetry';
import type { UserInput } from './wizard/userInput';

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

/**
 * The test seam (the RG `testApi` idea), added to the API only when FC_RUNNING_TESTS is set: a suite
 * may see what telemetry would send, how long activate() took (bench/hostActivation.ts), the app
 * nodes (to run a command on a multi-selection) and replace the prompts with scripted input.
 */
export class TestSeam {
  private scripted: UserInput | undefined;

  constructor(private readonly parts: { telemetry: CommandTelemetry; apps: AppRegistrationsView; activationStarted: number }) {}

  /** The scripted input a suite set, if any; the command runner asks this before VS Code's prompts. */
  get userInput(): UserInput | undefined {
    return this.scripted;
  }

  /** What the API carries under `testing`. */
  api(): { telemetry: CommandTelemetry; activateMs: number; appNode: (objectId: string) => unknown; useUserInput: (ui: UserInput | undefined) => void } {
    return {
      telemetry: this.parts.telemetry,
      activateMs: performance.now() - this.parts.activationStarted,
      appNode: (objectId) => this.parts.apps.findApp((a) => a.id === objectId),
      useUserInput: (ui) => {
        this.scripted = ui;
      },
    };
  }
}
