import type { OpmError } from './opm-error.js';

/** The value form of a fallible call: `safeX()` returns this where `x()` would throw. */
export type Result<T, E extends OpmError = OpmError> = { ok: true; value: T } | { ok: false; error: E };

export function ok<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}

export function err<E extends OpmError>(error: E): { ok: false; error: E } {
  return { ok: false, error };
}
