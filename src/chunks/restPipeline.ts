// Chunk entry (scripts/bundles.mjs): the Azure core pipeline, loaded with the first ARM request.
export * from '@azure/core-rest-pipeline';
