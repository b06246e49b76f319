// Chunk entry (scripts/bundles.mjs): the telemetry reporter, loaded with the first event sent.
export * from '@vscode/extension-telemetry';
