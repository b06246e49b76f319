// Chunk entry (scripts/bundles.mjs): @azure/identity and MSAL, loaded on the first sign-in that needs them.
export * from '@azure/identity';
