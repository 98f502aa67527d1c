/** @module errors — the one error family (OpmError with stable codes) and the Result type. */

export type { OpmErrorJson, OpmErrorOptions } from './opm-error.js';
export { isOpmError, OpmError, toErrorJson } from './opm-error.js';
export type { Result } from './result.js';
export { err, ok } from './result.js';
