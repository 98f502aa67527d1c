/**
 * The API's request and response shapes, importing nothing but zod, so that HTTP clients and the
 * UI can use them without loading the server, Redis or Postgres code.
 */
export * from './contract/common.js';
export * from './contract/labels.js';
export * from './contract/prompts.js';
export * from './contract/runs.js';
