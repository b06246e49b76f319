// Federated identity credentials on user-assigned managed identities: the other place credentials live, in
// Azure Resource Manager (Microsoft.ManagedIdentity/userAssignedIdentities/{name}/federatedIdentityCredentials)
// rather than on an app registration in Microsoft Graph. Sources: azure-rest-api-specs
// specification/msi/resource-manager/Microsoft.ManagedIdentity/ManagedIdentity/stable/2026-05-31/ManagedIdentity.json
// (newest stable: issuer, subject and audiences, all required), preview/2025-05-31-preview (claimsMatchingExpression),
// entra-docs workload-identity-federation-considerations.md (20 per identity, one audience, issuer and subject
// unique, concurrent writes under one identity answer 409, the name pattern).

import { parseResourceId } from './azureResourceIds';
import { parseAlternativeNames } from './managedIdentities';
import type { ManagedIdentityPrincipal } from './model';
import type { ClaimsMatchingExpression } from './claimsExpression';
import { checkCredential, type CredentialValues } from './credentialRules';
import { isGuid, quote } from './text';
import type { ValidationResult } from './validation';

/** Newest stable version of the credentials' REST API. */
export const IDENTITY_CREDENTIALS_API_VERSION = '2026-05-31';
/** The preview that has `claimsMatchingExpression` (flexible credentials) on identities. */
export const IDENTITY_FLEXIBLE_API_VERSION = '2025-05-31-preview';
export const IDENTITY_TYPE = 'Microsoft.ManagedIdentity/userAssignedIdentities';
/** ARM's code for a second write while one is under way on the same identity. */
export const CONCURRENT_WRITES_CODE = 'ConcurrentFederatedIdentityCredentialsWritesForSingleManagedIdentity';

/** A user-assigned identity, by its ARM id. */
export interface UserAssignedIdentityRef {
  /** `/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}` */
  readonly id: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly name: string;
}

/** A credential of an identity, as ARM returns it (flattened). */
export interface IdentityCredential {
  /** The credential's ARM id. */
  readonly id: string;
  readonly name: string;
  readonly issuer: string;
  /** null for a flexible credential. */
  readonly subject: string | null;
  readonly audiences: readonly string[];
  readonly claimsMatchingExpression?: ClaimsMatchingExpression | null;
}

/** The identity an ARM id names, or undefined when it is not a user-assigned identity's id. */
export function parseUserAssignedIdentityId(id: string): UserAssignedIdentityRef | undefined {
  const parsed = parseResourceId(id.trim());
  if (!parsed || parsed.type.toLowerCase() !== IDENTITY_TYPE.toLowerCase() || parsed.names.length !== 1 || !parsed.resourceGroup) return undefined;
  const name = parsed.names[0];
  const { subscriptionId, resourceGroup } = parsed;
  return {
    id: `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/${IDENTITY_TYPE}/${name}`,
    subscriptionId,
    resourceGroup,
    name,
  };
}

/** Why `value` names no user-assigned identity, for an argument's message. */
export function identityReferenceProblem(value: string): string | undefined {
  if (isGuid(value.trim()) || parseUserAssignedIdentityId(value)) return undefined;
  if (parseResourceId(value.trim()))
    return `${quote(value)} is the id of another kind of resource; only a user-assigned managed identity (${IDENTITY_TYPE}) has federated credentials`;
  return `${quote(value)} is neither an ARM id (/subscriptions/…/providers/${IDENTITY_TYPE}/{name}) nor an object id (a GUID)`;
}

/** The request body of a PUT: the stable shape, or the preview's with an expression instead of a subject. */
export function toIdentityCredentialBody(values: CredentialValues): { properties: Record<string, unknown> } {
  const expression = values.claimsMatchingExpression;
  return {
    properties: {
      issuer: values.issuer,
      ...(expression ? { claimsMatchingExpression: { value: expression.value, languageVersion: expression.languageVersion } } : { subject: values.subject }),
      audiences: [...values.audiences],
    },
  };
}

/** The API version a credential is written (and read back) with. */
export function identityApiVersion(values: Pick<CredentialValues, 'claimsMatchingExpression'>): string {
  return values.claimsMatchingExpression ? IDENTITY_FLEXIBLE_API_VERSION : IDENTITY_CREDENTIALS_API_VERSION;
}

/** ARM's resource → the flattened credential. Unknown shapes give empty values rather than a throw. */
export function fromArmCredential(body: unknown): IdentityCredential {
  const b = (body ?? {}) as { id?: unknown; name?: unknown; properties?: Record<string, unknown> };
  const p = b.properties ?? {};
  const expression = p.claimsMatchingExpression as { value?: unknown; languageVersion?: unknown } | null | undefined;
  return {
    id: typeof b.id === 'string' ? b.id : '',
    name: typeof b.name === 'string' ? b.name : '',
    issuer: typeof p.issuer === 'string' ? p.issuer : '',
    subject: typeof p.subject === 'string' ? p.subject : null,
    audiences: Array.isArray(p.audiences) ? p.audiences.filter((a): a is string => typeof a === 'string') : [],
    ...(expression && typeof expression.value === 'string'
      ? {
          claimsMatchingExpression: {
            value: expression.value,
            languageVersion: typeof expression.languageVersion === 'number' ? expression.languageVersion : 1,
          },
        }
      : {}),
  };
}

/** Values of an identity credential (no description: ARM has none). */
export function identityCredentialValues(credential: IdentityCredential): CredentialValues {
  return {
    name: credential.name,
    issuer: credential.issuer,
    subject: credential.subject ?? '',
    audiences: credential.audiences,
    ...(credential.claimsMatchingExpression ? { claimsMatchingExpression: credential.claimsMatchingExpression } : {}),
  };
}

/**
 * ARM's rules for a credential on an identity, checked before anything is sent: the name (3 to 120 letters,
 * digits, '-' and '_', starting with a letter or digit; names differing only in case are the same resource),
 * the issuer, subject and exactly one audience, at most 20 per identity, and an issuer and subject pair once.
 */
export function checkIdentityCredential(
  values: CredentialValues,
  context: { existing: readonly IdentityCredential[]; identityName: string; editing?: string },
): ValidationResult {
  const { description: _description, ...withoutDescription } = values;
  return checkCredential(withoutDescription, {
    existing: context.existing,
    appName: context.identityName,
    owner: 'managedIdentity',
    ...(context.editing === undefined ? {} : { editing: context.editing }),
  });
}

/** Whether an ARM error is the refusal of a concurrent write to the same identity (worth retrying later). */
export function isConcurrentWriteRefusal(status: number, code: string | undefined): boolean {
  return status === 409 && code === CONCURRENT_WRITES_CODE;
}

/** The ARM id of a user-assigned identity's principal; a system-assigned one is refused with the reason. */
export function userAssignedRef(principal: ManagedIdentityPrincipal): UserAssignedIdentityRef {
  const info = parseAlternativeNames(principal.alternativeNames);
  const ref = info.resourceId === undefined ? undefined : parseUserAssignedIdentityId(info.resourceId);
  if (info.kind !== 'userAssigned' || !ref) {
    throw new Error(
      `${quote(principal.displayName)} is a system-assigned identity (${info.display}). Only user-assigned managed identities can have federated credentials: create a user-assigned identity, assign it to the resource, and add the credential there.`,
    );
  }
  return ref;
}
