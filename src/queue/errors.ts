import { OpmError, type OpmErrorOptions } from '../errors/index.js';

/** Every code the queue and the client SDK raise. Stable: callers match on these. */
export const QUEUE_ERROR_CODES = [
  'queue.invalid_payload',
  'queue.invalid_options',
  'queue.unavailable',
  'queue.closed',
  'queue.run_failed',
  'queue.run_timeout',
] as const;
export type QueueErrorCode = (typeof QUEUE_ERROR_CODES)[number];

/** An error raised by the job catalog, the client SDK or its connection to Redis. */
export class QueueError extends OpmError<QueueErrorCode> {
  constructor(code: QueueErrorCode, message: string, options: OpmErrorOptions = {}) {
    super(code, message, options);
    this.name = 'QueueError';
  }
}

/** The error stored on a failed run, as the worker recorded it. */
export interface StoredRunError {
  code: string;
  message: string;
  details?: Record<string, unknown> | undefined;
}

/**
 * `run()` rejects with this when the job finished as failed. `runError` is the error the worker
 * stored on the run (`prompty.missing_input`, `gateway.all_failed`...), so callers can branch on its code.
 */
export class RunFailedError extends QueueError {
  readonly jobId: string;
  readonly runError: StoredRunError;

  constructor(jobId: string, runError: StoredRunError) {
    super('queue.run_failed', `Run ${jobId} failed: [${runError.code}] ${runError.message}`, {
      details: { jobId, error: runError },
    });
    this.name = 'RunFailedError';
    this.jobId = jobId;
    this.runError = runError;
  }
}

/** `run()` rejects with this when no result arrived in time. The job itself keeps running. */
export class RunTimeoutError extends QueueError {
  readonly jobId: string;
  readonly timeoutMs: number;

  constructor(jobId: string, timeoutMs: number) {
    super('queue.run_timeout', `Run ${jobId} did not finish within ${timeoutMs} ms`, {
      retryable: true,
      details: { jobId, timeoutMs },
    });
    this.name = 'RunTimeoutError';
    this.jobId = jobId;
    this.timeoutMs = timeoutMs;
  }
}
