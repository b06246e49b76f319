// What a tree node stands for, as data: the one interface through which commands read the node they
// were run on (no `instanceof` on node classes outside the views). No `vscode` here.
import type { IdentityCredential, UserAssignedIdentityRef } from '../domain/identityCredentials';
import type { AppRegistration, FederatedCredential, ManagedIdentityPrincipal } from '../domain/model';

export type NodeModel =
  | { readonly kind: 'app'; readonly app: AppRegistration }
  | { readonly kind: 'credential'; readonly app: AppRegistration; readonly credential: FederatedCredential }
  | { readonly kind: 'identity'; readonly identity: ManagedIdentityPrincipal }
  /** An app under an identity in the Managed Identities view: one of its federated credentials names that identity. */
  | { readonly kind: 'trustingApp'; readonly app: AppRegistration }
  /** The federated credentials of a user-assigned identity (ARM), as a group under the identity. */
  | { readonly kind: 'identityCredentials'; readonly identity: ManagedIdentityPrincipal; readonly identityRef: UserAssignedIdentityRef }
  | {
      readonly kind: 'identityCredential';
      readonly identity: ManagedIdentityPrincipal;
      readonly identityRef: UserAssignedIdentityRef;
      readonly credential: IdentityCredential;
    };

/** A node that stands for an entity, and can reload it when asked (refresh, retry). */
export interface ModelNode {
  readonly model: NodeModel;
  reload?(): Promise<void>;
}

export function modelOf(node: unknown): NodeModel | undefined {
  const model = node && typeof node === 'object' ? (node as Partial<ModelNode>).model : undefined;
  return model && typeof model === 'object' && typeof model.kind === 'string' ? model : undefined;
}

/** The node's reload, when it has one (an app's credentials, an identity's trusting apps). */
export function reloadOf(node: unknown): (() => Promise<void>) | undefined {
  if (!modelOf(node)) return undefined;
  const reload = (node as ModelNode).reload;
  return typeof reload === 'function' ? () => reload.call(node) : undefined;
}

/** The app a node stands for or belongs to. */
export function appOf(node: unknown): AppRegistration | undefined {
  const model = modelOf(node);
  return model && 'app' in model ? model.app : undefined;
}

export function credentialOf(node: unknown): { app: AppRegistration; credential: FederatedCredential } | undefined {
  const model = modelOf(node);
  return model?.kind === 'credential' ? { app: model.app, credential: model.credential } : undefined;
}

export function identityOf(node: unknown): ManagedIdentityPrincipal | undefined {
  const model = modelOf(node);
  return model?.kind === 'identity' ? model.identity : undefined;
}

/** The user-assigned identity a node stands for or belongs to (its group of credentials, one of them). */
export function identityRefOf(node: unknown): { identity: ManagedIdentityPrincipal; identityRef: UserAssignedIdentityRef } | undefined {
  const model = modelOf(node);
  return model?.kind === 'identityCredentials' || model?.kind === 'identityCredential'
    ? { identity: model.identity, identityRef: model.identityRef }
    : undefined;
}

export function identityCredentialOf(node: unknown): { identityRef: UserAssignedIdentityRef; credential: IdentityCredential } | undefined {
  const model = modelOf(node);
  return model?.kind === 'identityCredential' ? { identityRef: model.identityRef, credential: model.credential } : undefined;
}

/** The ids *Copy Object ID* and *Copy Application ID* copy. */
export function idsOf(node: unknown): { objectId?: string; appId?: string } {
  const model = modelOf(node);
  switch (model?.kind) {
    case 'app':
    case 'trustingApp':
      return { objectId: model.app.id, appId: model.app.appId };
    case 'credential':
      return { objectId: model.credential.id, appId: model.app.appId };
    case 'identity':
      return { objectId: model.identity.id, appId: model.identity.appId };
    default:
      return {};
  }
}
