import { OpmError, type OpmErrorOptions } from '../errors/index.js';
import type { AttemptRecord } from './types.js';

/** Every code the gateway raises or records on an attempt. Stable: runs and workers match on these. */
export const GATEWAY_ERROR_CODES = [
  'gateway.rate_limited',
  'gateway.transient',
  'gateway.permanent',
  'gateway.auth',
  'gateway.payment_required',
  'gateway.timeout',
  'gateway.invalid_output',
  'gateway.circuit_open',
  'gateway.all_failed',
  'gateway.aborted',
  'gateway.config',
] as const;
export type GatewayErrorCode = (typeof GATEWAY_ERROR_CODES)[number];

/** Codes worth trying again later with the same input. */
const RETRYABLE_CODES: ReadonlySet<GatewayErrorCode> = new Set([
  'gateway.rate_limited',
  'gateway.transient',
  'gateway.timeout',
  'gateway.invalid_output',
  'gateway.circuit_open',
]);

export interface GatewayErrorDetails extends Record<string, unknown> {
  /** Every attempt made before the failure, in order (also the skipped targets). */
  attempts?: AttemptRecord[];
  provider?: string;
  model?: string;
  /** HTTP status of the provider response, when there was one. */
  status?: number;
  /** How long to wait before trying again (rate limits, Retry-After). */
  retryAfterMs?: number;
}

/** A failure of an LLM call: the gateway's only error class besides {@link RateLimitedError}. */
export class GatewayError extends OpmError<GatewayErrorCode> {
  declare readonly details: GatewayErrorDetails | undefined;

  constructor(
    code: GatewayErrorCode,
    message: string,
    options: Omit<OpmErrorOptions, 'details'> & { details?: GatewayErrorDetails } = {},
  ) {
    super(code, message, { ...options, retryable: options.retryable ?? RETRYABLE_CODES.has(code) });
    this.name = 'GatewayError';
  }

  /** The attempts carried by this error (empty when none were made). */
  get attempts(): AttemptRecord[] {
    return this.details?.attempts ?? [];
  }
}

/**
 * The call must wait: a shared rate limit is exhausted or the provider answered 429 with a long
 * `Retry-After`. Workers delay the job by `retryAfterMs` without burning an attempt.
 */
export class RateLimitedError extends GatewayError {
  readonly retryAfterMs: number;

  constructor(message: string, details: GatewayErrorDetails & { retryAfterMs: number }, cause?: unknown) {
    super('gateway.rate_limited', message, {
      retryable: true,
      status: 429,
      details,
      ...(cause === undefined ? {} : { cause }),
    });
    this.name = 'RateLimitedError';
    this.retryAfterMs = details.retryAfterMs;
  }
}

/** True for a GatewayError (or its serialised twin from another process) with a `gateway.*` code. */
export function isGatewayError(value: unknown): value is GatewayError {
  return (
    value instanceof GatewayError ||
    (value instanceof OpmError && (GATEWAY_ERROR_CODES as readonly string[]).includes(value.code))
  );
}
