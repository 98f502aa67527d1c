import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { parseRetryAfterMs } from './backoff.js';
import { type GatewayErrorCode, isGatewayError } from './errors.js';

/**
 * What the gateway does after a failed call: `retry` the same model (after backoff), go to the
 * `next` fallback, go to the next fallback of a `different_provider`, or `fail` the whole call.
 */
export type FailureAction = 'retry' | 'next' | 'different_provider' | 'fail';

export interface Failure {
  code: GatewayErrorCode;
  action: FailureAction;
  message: string;
  status?: number;
  /** From `Retry-After` / `retry-after-ms` (429, 503) or a rate-limit wait. */
  retryAfterMs?: number;
}

export interface ClassifyContext {
  /** The attempt's own timer fired (as opposed to the caller aborting). */
  isTimedOut: boolean;
  now: number;
}

const ACTION_BY_CODE: Record<GatewayErrorCode, FailureAction> = {
  'gateway.transient': 'retry',
  'gateway.timeout': 'retry',
  'gateway.invalid_output': 'retry',
  'gateway.rate_limited': 'retry',
  'gateway.circuit_open': 'next',
  'gateway.payment_required': 'next',
  'gateway.auth': 'different_provider',
  'gateway.all_failed': 'fail',
  'gateway.permanent': 'fail',
  'gateway.config': 'fail',
  'gateway.aborted': 'fail',
};

/**
 * The one place that decides how every provider failure is treated. 429, 5xx, 408/409, timeouts,
 * connection resets, malformed or truncated bodies and HTTP-200 bodies carrying an error are
 * transient; 401/403 may only fall back to a different provider; 402 falls back; any other 4xx
 * (400, 404, 422...) is permanent and fails fast, since the same request fails on every model.
 */
export function classifyFailure(error: unknown, context: ClassifyContext): Failure {
  if (context.isTimedOut) return { code: 'gateway.timeout', action: 'retry', message: 'attempt timed out' };
  if (isGatewayError(error)) {
    const status = error.details?.status;
    const retryAfterMs = error.details?.retryAfterMs;
    return {
      code: error.code,
      action: ACTION_BY_CODE[error.code],
      message: error.message,
      ...(status === undefined ? {} : { status }),
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    };
  }
  if (error instanceof APIUserAbortError)
    return { code: 'gateway.aborted', action: 'fail', message: 'aborted' };
  if (error instanceof APIConnectionTimeoutError) {
    return { code: 'gateway.timeout', action: 'retry', message: 'request timed out' };
  }
  if (error instanceof APIConnectionError) {
    return { code: 'gateway.transient', action: 'retry', message: connectionMessage(error) };
  }
  if (error instanceof APIError) return classifyStatus(error, context.now);
  if (error instanceof SyntaxError) {
    return {
      code: 'gateway.transient',
      action: 'retry',
      message: `malformed response body: ${error.message}`,
    };
  }
  if (error instanceof Error && error.name === 'AbortError') {
    return { code: 'gateway.aborted', action: 'fail', message: 'aborted' };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'gateway.transient', action: 'retry', message };
}

function classifyStatus(error: APIError, now: number): Failure {
  const status = error.status;
  const message = error.message || `HTTP ${status}`;
  // An error without a status is an `error` object inside an SSE stream that had already started.
  if (status === undefined) return { code: 'gateway.transient', action: 'retry', message };
  const retryAfterMs = parseRetryAfterMs(error.headers, now);
  const withWait = retryAfterMs === undefined ? {} : { retryAfterMs };
  if (status === 429) return { code: 'gateway.rate_limited', action: 'retry', message, status, ...withWait };
  if (status >= 500 || status === 408 || status === 409) {
    return { code: 'gateway.transient', action: 'retry', message, status, ...withWait };
  }
  if (status === 401 || status === 403) {
    return { code: 'gateway.auth', action: 'different_provider', message, status };
  }
  if (status === 402) {
    // OpenRouter's in-flight spending budget frees up by itself; exhausted credits or key limits do not.
    if (openRouterLimitSource(error) === 'openrouter_in_flight_budget') {
      return { code: 'gateway.rate_limited', action: 'retry', message, status, ...withWait };
    }
    return { code: 'gateway.payment_required', action: 'next', message, status };
  }
  return { code: 'gateway.permanent', action: 'fail', message, status };
}

function connectionMessage(error: APIConnectionError): string {
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}

function openRouterLimitSource(error: APIError): unknown {
  const body = error.error as { metadata?: { limit_source?: unknown } } | undefined;
  return body?.metadata?.limit_source;
}
