import type { Failure } from './classify.js';
import { GatewayError, RateLimitedError } from './errors.js';
import type { AttemptRecord, Target } from './types.js';

/** How one target's turn ended, for choosing the final error when every target failed. */
export interface TargetEnding {
  target: Target;
  failure: Failure;
}

/** The error for a call that must stop at once (permanent, misconfigured, aborted). */
export function stopError(failure: Failure, target: Target, attempts: AttemptRecord[]): GatewayError {
  const code =
    failure.code === 'gateway.config' || failure.code === 'gateway.aborted'
      ? failure.code
      : 'gateway.permanent';
  return new GatewayError(code, `${target.provider}/${target.model}: ${failure.message}`, {
    retryable: false,
    ...(failure.status === undefined ? {} : { status: failure.status }),
    details: {
      attempts,
      provider: target.provider,
      model: target.model,
      ...(failure.status === undefined ? {} : { status: failure.status }),
    },
  });
}

/**
 * The error once every target has failed. A target that ended on a 429 makes the whole call
 * rate-limited, waiting the shortest `Retry-After` seen (or `defaultWaitMs` when the provider sent
 * none), so the queue delays the job without burning an attempt. When every target was refused
 * credentials it is `gateway.auth`; otherwise `gateway.all_failed`, retryable when at least one
 * target failed for a transient reason.
 */
export function exhaustedError(
  endings: readonly TargetEnding[],
  attempts: AttemptRecord[],
  defaultWaitMs: number,
): GatewayError {
  const limited = endings.filter((e) => e.failure.code === 'gateway.rate_limited');
  const waits = limited.map((e) => e.failure.retryAfterMs ?? defaultWaitMs);
  const summary = endings.map((e) => `${e.target.provider}/${e.target.model}: ${e.failure.code}`).join(', ');
  if (waits.length > 0) {
    const retryAfterMs = Math.min(...waits);
    return new RateLimitedError(
      `no model answered and at least one is rate limited (${summary}); retry in ${retryAfterMs} ms`,
      {
        attempts,
        retryAfterMs,
      },
    );
  }
  if (endings.length > 0 && endings.every((e) => e.failure.code === 'gateway.auth')) {
    return new GatewayError('gateway.auth', `every provider refused the credentials (${summary})`, {
      retryable: false,
      details: { attempts },
    });
  }
  const isRetryable = endings.some(
    (e) => e.failure.action === 'retry' || e.failure.code === 'gateway.circuit_open',
  );
  return new GatewayError('gateway.all_failed', `every model failed (${summary})`, {
    retryable: isRetryable,
    details: { attempts },
  });
}

/** The same error, carrying the attempts made so far (rate limits and limiter outages thrown mid-call). */
export function withAttempts(error: GatewayError, attempts: AttemptRecord[]): GatewayError {
  const details = { ...error.details, attempts };
  if (error instanceof RateLimitedError) {
    return new RateLimitedError(error.message, { ...details, retryAfterMs: error.retryAfterMs }, error.cause);
  }
  return new GatewayError(error.code, error.message, {
    retryable: error.retryable,
    details,
    ...(error.status === undefined ? {} : { status: error.status }),
    ...(error.cause === undefined ? {} : { cause: error.cause }),
  });
}
