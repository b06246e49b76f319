// contextValue strings the manifest's `view/item/context` menus match, in one place.
export const ContextValues = {
  app: 'appRegistration',
  multiTenant: 'multiTenant',
  credential: 'federatedCredential',
  // A flexible credential (claims-matching expression, Graph beta).
  flexible: 'flexible',
  managedIdentity: 'managedIdentity',
  trustingApp: 'trustingApp',
  // A user-assigned identity's own credentials (ARM), and one of them.
  identityCredentials: 'identityCredentials',
  identityCredential: 'identityCredential',
  permissions: 'apiPermissions',
  // A finding of Check Trust under an app, and one whose fix can be applied.
  trustFinding: 'trustFinding',
  fixable: 'fixable',
} as const;

/** Several facets in one contextValue, matched with regular expressions such as `viewItem =~ /\bappRegistration\b/`. */
export function contextValue(...facets: Array<string | false | undefined>): string {
  return facets.filter(Boolean).join(' ');
}
