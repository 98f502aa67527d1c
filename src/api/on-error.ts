import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { isOpmError, type OpmError } from '../errors/index.js';
import type { ErrorBody } from './contract.js';

/** Statuses of codes whose error arrives as plain JSON (a failed run's stored error) or has none set. */
const STATUS_BY_CODE: Record<string, ContentfulStatusCode> = {
  'queue.invalid_payload': 400,
  'queue.invalid_options': 400,
  'queue.unavailable': 503,
  'queue.closed': 503,
  'queue.run_timeout': 504,
  'store.unavailable': 503,
  'registry.invalid_slug': 400,
  'registry.slug_not_found': 404,
  'registry.label_not_supported': 400,
  'registry.version_not_found': 404,
  'registry.path_outside_root': 400,
  'gateway.rate_limited': 429,
  'gateway.timeout': 504,
};

/** The HTTP status of an error code: explicit entries, then the code's namespace. */
export function statusForCode(code: string): ContentfulStatusCode {
  const explicit = STATUS_BY_CODE[code];
  if (explicit !== undefined) return explicit;
  if (code.startsWith('prompty.')) return 422;
  if (code.startsWith('gateway.')) return 502;
  return 500;
}

const PATH_KEYS = ['root', 'file', 'path'] as const;

/**
 * Drops the server's absolute file paths from an error (the prompts folder, a prompt's file):
 * API clients address prompts by slug, and paths tell them about the host.
 */
export function withoutServerPaths(
  message: string,
  details: Record<string, unknown> | undefined,
): { message: string; details: Record<string, unknown> | undefined } {
  if (details === undefined) return { message, details };
  const root = typeof details.root === 'string' ? details.root : undefined;
  let text =
    root === undefined ? message : message.replaceAll(` in ${root}`, '').replaceAll(root, '<prompts>');
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(details)) {
    const isPath =
      (PATH_KEYS as readonly string[]).includes(key) && typeof value === 'string' && value.startsWith('/');
    if (!isPath) kept[key] = value;
    else if (key !== 'root') text = text.replaceAll(value, value.split('/').at(-1) ?? '');
  }
  return { message: text, details: kept };
}

function statusOf(error: OpmError): ContentfulStatusCode {
  const fromCode = STATUS_BY_CODE[error.code];
  if (fromCode !== undefined) return fromCode;
  if (error.status !== undefined && error.status >= 400 && error.status <= 599) {
    return error.status as ContentfulStatusCode;
  }
  return statusForCode(error.code);
}

interface StoredError {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

function asStoredError(value: unknown): StoredError | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { code, message } = value as Partial<StoredError>;
  return typeof code === 'string' && typeof message === 'string' ? (value as StoredError) : undefined;
}

/** An error as the API answers it: the status and the `{ error: { code, message, details } }` body. */
export function toErrorResponse(error: unknown): { status: ContentfulStatusCode; body: ErrorBody } {
  if (isOpmError(error)) {
    // A failed run answers with the run's own error (`prompty.missing_input` → 422), not a wrapper.
    const runError = error.code === 'queue.run_failed' ? asStoredError(error.details?.error) : undefined;
    if (runError) {
      const { message, details } = withoutServerPaths(runError.message, runError.details ?? {});
      return {
        status: statusForCode(runError.code),
        body: {
          error: { code: runError.code, message, details: { ...details, jobId: error.details?.jobId } },
        },
      };
    }
    const { message, details } = withoutServerPaths(error.message, error.details);
    return {
      status: statusOf(error),
      body: { error: { code: error.code, message, ...(details === undefined ? {} : { details }) } },
    };
  }
  if (error instanceof HTTPException) {
    const status = error.status as ContentfulStatusCode;
    const code =
      status === 413 ? 'api.body_too_large' : status === 400 ? 'api.malformed_json' : 'api.http_error';
    return { status, body: { error: { code, message: error.message || 'Request refused' } } };
  }
  // Unexpected errors keep their message out of the answer: it may quote internals.
  return { status: 500, body: { error: { code: 'internal.unexpected', message: 'Internal server error' } } };
}

/** The app's one `onError`: every thrown error becomes JSON with the right status. */
export function onError(error: unknown, c: Context): Response {
  const { status, body } = toErrorResponse(error);
  return c.json(body, status);
}
