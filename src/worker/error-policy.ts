import { isOpmError } from '../errors/index.js';

/** What the queue should do with a job whose attempt failed. */
export type QueueAction =
  /** Fail now, whatever attempts are left (BullMQ `UnrecoverableError`). */
  | { kind: 'fail'; isFinal: true }
  /** Rethrow so BullMQ retries with backoff; `isFinal` when this was the last attempt. */
  | { kind: 'retry'; isFinal: boolean }
  /** Move the job back to delayed for `delayMs` without burning an attempt (`DelayedError`). */
  | { kind: 'delay'; delayMs: number; isFinal: false };

/** The job's counters, as BullMQ keeps them. */
export interface AttemptState {
  /** Attempts that ended in failure so far (BullMQ `attemptsMade`). */
  attemptsMade: number;
  /** Times the job was moved to active, this one included (BullMQ `attemptsStarted`). */
  attemptsStarted: number;
  /** The job's `attempts` option. */
  maxAttempts: number;
}

export interface ErrorPolicyOptions {
  /**
   * Waits (rate limits, database outages) allowed per job before they count as failed attempts.
   * @default 50
   */
  maxWaits?: number;
  /** Shortest wait. @default 250 */
  minDelayMs?: number;
  /** Longest wait (a huge Retry-After is capped). @default 300000 */
  maxDelayMs?: number;
}

const DEFAULT_WAIT_MS = 1_000;

/**
 * The one mapping from an error to queue behaviour:
 * - a rate limit (`gateway.rate_limited`) delays the job by its `retryAfterMs` and burns no attempt;
 * - so does a database outage (`store.unavailable`), with exponential waits: the run itself did not
 *   fail, and attempts are for the LLM call. Both up to `maxWaits` times, then they count as failures;
 * - an OpmError that is not retryable (template errors, 400s, unknown slugs) fails at once;
 * - anything else (retryable OpmErrors, unexpected errors such as a lost connection) is retried
 *   with the job's backoff until its attempts run out.
 */
export function decideQueueAction(
  error: unknown,
  state: AttemptState,
  options: ErrorPolicyOptions = {},
): QueueAction {
  const isLastAttempt = state.attemptsMade + 1 >= state.maxAttempts;
  // Starts beyond the failed attempts were waits (or stalls, which are rare).
  const waitsSoFar = Math.max(0, state.attemptsStarted - 1 - state.attemptsMade);
  const isWaitable =
    isOpmError(error) && (error.code === 'gateway.rate_limited' || error.code === 'store.unavailable');
  if (isWaitable && waitsSoFar < (options.maxWaits ?? 50)) {
    const retryAfterMs = error.details?.retryAfterMs;
    const wanted =
      error.code === 'store.unavailable'
        ? DEFAULT_WAIT_MS * 2 ** Math.min(waitsSoFar, 8)
        : typeof retryAfterMs === 'number' && Number.isFinite(retryAfterMs)
          ? retryAfterMs
          : DEFAULT_WAIT_MS;
    const delayMs = Math.min(options.maxDelayMs ?? 300_000, Math.max(options.minDelayMs ?? 250, wanted));
    return { kind: 'delay', delayMs: Math.round(delayMs), isFinal: false };
  }
  if (isOpmError(error) && !error.retryable) return { kind: 'fail', isFinal: true };
  return { kind: 'retry', isFinal: isLastAttempt };
}
