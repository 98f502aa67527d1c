import { OpmError } from '../errors/index.js';

/**
 * An error answer of the opm HTTP API. `code` is the API's stable code (`registry.slug_not_found`,
 * `prompty.missing_input`, `api.forbidden`...); the subclass follows the HTTP status.
 */
export class OpmHttpError extends OpmError {
  constructor(code: string, message: string, status: number, details?: Record<string, unknown>) {
    super(code, message, {
      status,
      retryable: status === 429 || status === 503 || status === 504,
      ...(details === undefined ? {} : { details }),
    });
    this.name = 'OpmHttpError';
  }
}

/** 400: the request does not match the schema, or its JSON is malformed. */
export class BadRequestError extends OpmHttpError {
  override name = 'BadRequestError';
}
/** 401: no key, an unknown key or a revoked key. */
export class UnauthorizedError extends OpmHttpError {
  override name = 'UnauthorizedError';
}
/** 403: the key's role may not do this. */
export class ForbiddenError extends OpmHttpError {
  override name = 'ForbiddenError';
}
/** 404: unknown slug (see `details.suggestions`), run or route. */
export class NotFoundError extends OpmHttpError {
  override name = 'NotFoundError';
}
/** 413: the body is over the server's limit. */
export class PayloadTooLargeError extends OpmHttpError {
  override name = 'PayloadTooLargeError';
}
/** 422: the prompt cannot be rendered with these variables (`details.input` names the one). */
export class UnprocessableError extends OpmHttpError {
  override name = 'UnprocessableError';
}
/** 429: this key is over its rate limit. */
export class RateLimitedError extends OpmHttpError {
  override name = 'RateLimitedError';
}
/** 504: a `run` did not finish in time; the job keeps running (`details.jobId`). */
export class RunTimeoutError extends OpmHttpError {
  override name = 'RunTimeoutError';
}
/** Any other 5xx, or a run that failed in the provider (`gateway.*`). */
export class ServerError extends OpmHttpError {
  override name = 'ServerError';
}

const BY_STATUS: Record<number, typeof OpmHttpError> = {
  400: BadRequestError,
  401: UnauthorizedError,
  403: ForbiddenError,
  404: NotFoundError,
  413: PayloadTooLargeError,
  422: UnprocessableError,
  429: RateLimitedError,
  504: RunTimeoutError,
};

/** The error subclass for a status and an `{ error: { code, message, details } }` body (or anything else). */
export function errorFromResponse(status: number, body: unknown): OpmHttpError {
  const error = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | null)?.error;
  const code = typeof error?.code === 'string' ? error.code : `http.${status}`;
  const message = typeof error?.message === 'string' ? error.message : `HTTP ${status}`;
  const details =
    typeof error?.details === 'object' && error.details !== null
      ? (error.details as Record<string, unknown>)
      : undefined;
  const ErrorClass = BY_STATUS[status] ?? (status >= 500 ? ServerError : OpmHttpError);
  return new ErrorClass(code, message, status, details);
}
