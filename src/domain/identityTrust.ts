// Whether a federated credential that names a managed identity's object id makes Entra trust that
// identity: the issuer must be exactly this cloud's Entra issuer for the app's tenant, the audience the
// cloud's token-exchange audience, the subject the object id as tokens carry it (lower case; Entra
// compares exactly). The Managed Identities view finds such credentials by subject (one Graph filter)
// and says of each whether it is a working trust or why not. No `vscode` here.
import type { Cloud } from './clouds';
import { classifyCredential } from './credentialKinds';
import { checkManagedIdentityTrust } from './credentialRules';
import type { FederatedCredential } from './model';

export type IdentityTrust = { readonly trusts: true } | { readonly trusts: false; readonly reason: string };

/**
 * `tenantId`: the app's (signed-in) tenant when known; otherwise the issuer's own tenant is taken, and
 * only the issuer's form, the audience and the subject are checked.
 */
export function identityTrust(credential: FederatedCredential, objectId: string, cloud: Cloud, tenantId?: string): IdentityTrust {
  if ((credential.subject ?? '').toLowerCase() !== objectId.toLowerCase()) {
    return { trusts: false, reason: `Its subject is not this identity's object id ${objectId.toLowerCase()}.` };
  }
  const kind = classifyCredential(credential, [cloud]);
  if (kind.kind !== 'managedIdentity') {
    return {
      trusts: false,
      reason: `Its issuer ${credential.issuer} is not ${cloud.displayName}'s Entra issuer: Entra never matches a managed identity's token to it.`,
    };
  }
  const result = checkManagedIdentityTrust(
    { name: credential.name, issuer: credential.issuer, subject: credential.subject ?? '', audiences: [...credential.audiences] },
    { cloud, tenantId: tenantId ?? kind.tenantId },
  );
  const problems = [...result.errors, ...result.warnings].map((f) => f.message);
  return problems.length === 0 ? { trusts: true } : { trusts: false, reason: problems.join(' ') };
}
