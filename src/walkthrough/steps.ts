// Which command's success completes which walkthrough step. Pure, so the manifest test can check
// package.json's `completionEvents` against it.

export const WALKTHROUGH_ID = 'getStarted';

/** The commands whose success completes a walkthrough step (sign-in completes on `federatedCredentials.signedIn`). */
export const WALKTHROUGH_COMMANDS = [
  'createAppRegistration',
  'addApiPermission',
  'addManagedIdentityCredential',
  'copyConsentUrl',
  'scaffoldRunbook',
  'deployRunbook',
  'startRunbookJob',
  'checkTrust',
] as const;

export type WalkthroughCommand = (typeof WALKTHROUGH_COMMANDS)[number];

/** `addManagedIdentityCredential` → `federatedCredentials.walkthrough.addManagedIdentityCredential`. */
export function completionKey(command: WalkthroughCommand): string {
  return `federatedCredentials.walkthrough.${command}`;
}

/** The context key to set when `commandId` succeeds, if its success completes a step. */
export function completionKeyFor(commandId: string): string | undefined {
  const command = WALKTHROUGH_COMMANDS.find((c) => `federatedCredentials.${c}` === commandId);
  return command && completionKey(command);
}
