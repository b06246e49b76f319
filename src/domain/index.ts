// The pure domain core: no vscode, no Node built-ins, no I/O. tsconfig.core.json and lint enforce it.
export * from './azureResourceIds';
export * from './clouds';
export * from './consentUrls';
export * from './copyFormats';
export * from './credentialKinds';
export * from './credentialRules';
export * from './graphErrors';
export * from './graphPermissions';
export * from './graphQuery';
export * from './managedIdentities';
export * from './tenants';
export { isGuid, quote, redactSecrets } from './text';
export * from './validation';
export { tryParseUrl } from './web';
