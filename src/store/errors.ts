import { isOpmError, OpmError } from '../errors/index.js';

/** Stable codes for store failures. */
export const STORE_ERROR_CODES = {
  /** The database could not be reached or dropped the connection; retrying later may succeed. */
  unavailable: 'store.unavailable',
  /** The database answered with an error (constraint, syntax, missing table...). */
  queryFailed: 'store.query_failed',
  /** Migrations could not be read or applied. */
  migrationFailed: 'store.migration_failed',
} as const;
export type StoreErrorCode = (typeof STORE_ERROR_CODES)[keyof typeof STORE_ERROR_CODES];

/** A failure talking to Postgres or PGlite. `store.unavailable` is retryable; the others are not. */
export class StoreError extends OpmError<StoreErrorCode> {
  constructor(
    code: StoreErrorCode,
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(code, message, { ...options, retryable: code === STORE_ERROR_CODES.unavailable });
    this.name = 'StoreError';
  }
}

const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
]);

// SQLSTATE class 08 = connection exception; 57P0x = server shutting down; 53300 = too many connections.
const UNAVAILABLE_SQLSTATES = /^(08...|57P01|57P02|57P03|53300)$/;

const UNAVAILABLE_MESSAGES =
  /connection terminated|connection timeout|timeout exceeded when trying to connect|server closed the connection|client has encountered a connection error|cannot use a pool after calling end|client was closed|pglite is closed/i;

function isUnavailable(error: unknown, depth = 0): boolean {
  if (depth > 5 || typeof error !== 'object' || error === null) return false;
  const { code, message, cause, errors } = error as {
    code?: unknown;
    message?: unknown;
    cause?: unknown;
    errors?: unknown;
  };
  if (typeof code === 'string' && (NETWORK_ERROR_CODES.has(code) || UNAVAILABLE_SQLSTATES.test(code))) {
    return true;
  }
  if (typeof message === 'string' && UNAVAILABLE_MESSAGES.test(message)) return true;
  // Node reports a refused connection to `localhost` as an AggregateError over ::1 and 127.0.0.1.
  if (Array.isArray(errors) && errors.some((inner) => isUnavailable(inner, depth + 1))) return true;
  return isUnavailable(cause, depth + 1);
}

function rootMessage(error: unknown): string {
  let current: unknown = error;
  // drizzle wraps driver errors as "Failed query: ..." with the driver's error as `cause`.
  for (let i = 0; i < 5 && current instanceof Error && current.cause instanceof Error; i++) {
    current = current.cause;
  }
  if (current instanceof Error && current.message !== '') return current.message;
  if (current instanceof AggregateError) return current.errors.map(String).join('; ');
  return String(current);
}

function sqlState(error: unknown): string | undefined {
  let current: unknown = error;
  for (let i = 0; i < 5 && typeof current === 'object' && current !== null; i++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Classifies anything a driver throws into a StoreError (an existing OpmError passes through). */
export function toStoreError(error: unknown, operation: string): OpmError {
  if (isOpmError(error)) return error;
  const code = isUnavailable(error) ? STORE_ERROR_CODES.unavailable : STORE_ERROR_CODES.queryFailed;
  const state = sqlState(error);
  const message = rootMessage(error);
  return new StoreError(code, `${operation} failed: ${message}`, {
    cause: error,
    details: { operation, ...(state === undefined ? {} : { sqlState: state }) },
  });
}

/** Runs a database call and rethrows its failure as a StoreError. */
export async function withStoreErrors<T>(operation: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw toStoreError(error, operation);
  }
}
