// The entity model: what the extension works with, whichever client read it. Commands, trees and
// services import these from here, not from the Graph or ARM clients. Shapes follow Microsoft Graph
// v1.0 (applications, federatedIdentityCredentials, servicePrincipals) and the Automation REST API
// (2024-10-23); only the fields the extension reads. No I/O, no `vscode`.
import type * as Graph from '@microsoft/microsoft-graph-types';
import type { RequiredResourceAccess } from './graphPermissions';
import type { ClaimsMatchingExpression } from './claimsExpression';

// --- Microsoft Graph

export interface Page<T> {
  readonly items: T[];
  readonly nextLink?: string;
  /** `@odata.count`, when asked for (first page only). */
  readonly count?: number;
}

/**
 * A federated identity credential. A flexible one (preview, Graph beta) matches claims with an expression
 * instead of a subject: Graph gives `subject: null`, which the clients turn into `''`, so that code which
 * compares subjects never finds one there.
 */
export type FederatedCredential = Required<Pick<Graph.FederatedIdentityCredential, 'id' | 'name' | 'issuer' | 'subject' | 'audiences'>> & {
  readonly description?: string | null;
  readonly claimsMatchingExpression?: ClaimsMatchingExpression | null;
};

export interface AppRegistration {
  readonly id: string;
  readonly appId: string;
  readonly displayName: string;
  readonly signInAudience: string;
  readonly requiredResourceAccess?: readonly RequiredResourceAccess[];
  /** Present when the list expanded them: the view shows counts without one request per app. */
  readonly federatedIdentityCredentials?: FederatedCredential[];
}

export interface ManagedIdentityPrincipal {
  readonly id: string;
  readonly appId: string;
  readonly displayName: string;
  readonly alternativeNames: string[];
}

export interface ServicePrincipalInfo extends ManagedIdentityPrincipal {
  readonly servicePrincipalType?: string;
  readonly appOwnerOrganizationId?: string | null;
}

/** Sign-in audiences under which other tenants can consent to the app (Entra's "multi-tenant"). */
const MULTI_TENANT_AUDIENCES: ReadonlySet<string> = new Set(['AzureADMultipleOrgs', 'AzureADandPersonalMicrosoftAccount']);

/** The one answer to "is this app multi-tenant?": the tree, the pickers and the rules all ask here. */
export function isMultiTenant(app: Pick<AppRegistration, 'signInAudience'> | string): boolean {
  return MULTI_TENANT_AUDIENCES.has(typeof app === 'string' ? app : app.signInAudience);
}

// --- Azure Resource Manager: Automation

export interface Subscription {
  readonly subscriptionId: string;
  readonly displayName: string;
  readonly tenantId?: string;
  readonly state?: string;
}

export interface AccountIdentity {
  /** `SystemAssigned`, `UserAssigned`, `SystemAssigned, UserAssigned` or `None`. */
  readonly type?: string;
  readonly principalId?: string;
  readonly tenantId?: string;
  readonly userAssignedIdentities?: Readonly<Record<string, { readonly principalId?: string; readonly clientId?: string }>>;
}

export interface AutomationAccount {
  readonly id: string;
  readonly name: string;
  readonly location: string;
  readonly identity?: AccountIdentity;
  readonly properties?: { readonly state?: string; readonly runtimeConfiguration?: unknown; readonly [key: string]: unknown };
}

export interface Runbook {
  readonly id: string;
  readonly name: string;
  readonly location?: string;
  readonly properties: {
    readonly runbookType?: string;
    /** `New`, `Edit` or `Published`. */
    readonly state?: string;
    readonly runtimeEnvironment?: string;
    readonly provisioningState?: string;
    readonly [key: string]: unknown;
  };
}

/** A PowerShell 7.2 module of the account, or a package of a runtime environment. */
export interface AutomationModule {
  readonly id?: string;
  readonly name: string;
  readonly properties?: {
    readonly provisioningState?: string;
    readonly version?: string | null;
    readonly isGlobal?: boolean;
    readonly error?: { readonly code?: string | null; readonly message?: string | null } | null;
    readonly [key: string]: unknown;
  };
}

export interface RuntimeEnvironment {
  readonly id?: string;
  readonly name: string;
  readonly properties?: {
    readonly runtime?: { readonly language?: string; readonly version?: string };
    readonly defaultPackages?: Readonly<Record<string, string>>;
    readonly provisioningState?: string;
    readonly [key: string]: unknown;
  };
}
