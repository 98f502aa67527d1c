/** Marks OpmErrors across realms and serialisation, where `instanceof` is not enough. */
const OPM_ERROR_BRAND = Symbol.for('opm.error');

export interface OpmErrorOptions {
  /** Whether running the same work again may succeed. @default false */
  retryable?: boolean;
  /** An HTTP status this error maps to, when it has an obvious one. */
  status?: number;
  /** Structured facts for the user: the file, the line, the input name... */
  details?: Record<string, unknown>;
  cause?: unknown;
}

/** Serialised form of an OpmError, stored on runs and printed by `--json` commands. */
export interface OpmErrorJson {
  name: string;
  code: string;
  message: string;
  retryable: boolean;
  status?: number;
  details?: Record<string, unknown>;
}

/**
 * The base of every error opm raises on purpose. `code` is stable and namespaced
 * (`prompty.missing_input`, `registry.slug_not_found`); messages may change.
 */
export class OpmError<Code extends string = string> extends Error {
  readonly code: Code;
  readonly retryable: boolean;
  readonly status: number | undefined;
  readonly details: Record<string, unknown> | undefined;
  readonly [OPM_ERROR_BRAND] = true;

  constructor(code: Code, message: string, options: OpmErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'OpmError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.status = options.status;
    this.details = options.details;
  }

  toJSON(): OpmErrorJson {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      ...(this.status === undefined ? {} : { status: this.status }),
      ...(this.details === undefined ? {} : { details: this.details }),
    };
  }
}

/** True for any OpmError, including one from another copy of this package. */
export function isOpmError(value: unknown): value is OpmError {
  if (value instanceof OpmError) return true;
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[OPM_ERROR_BRAND] === true &&
    typeof (value as { code?: unknown }).code === 'string'
  );
}

/** Turns anything thrown into the `{ code, message, details }` shape that runs and CLIs report. */
export function toErrorJson(error: unknown): OpmErrorJson {
  if (isOpmError(error)) return error.toJSON();
  if (error instanceof Error) {
    return { name: error.name, code: 'internal.unexpected', message: error.message, retryable: false };
  }
  return { name: 'Error', code: 'internal.unexpected', message: String(error), retryable: false };
}
