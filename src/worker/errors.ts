import { OpmError, type OpmErrorOptions } from '../errors/index.js';

/** Codes the worker records on runs it did not get to finish itself. Stable: callers match on these. */
export const WORKER_ERROR_CODES = ['worker.job_stalled', 'worker.job_lost'] as const;
export type WorkerErrorCode = (typeof WORKER_ERROR_CODES)[number];

/** A run the queue failed without a worker recording it (a dead worker, a refused payload). */
export class WorkerError extends OpmError<WorkerErrorCode> {
  constructor(code: WorkerErrorCode, message: string, options: OpmErrorOptions = {}) {
    super(code, message, options);
    this.name = 'WorkerError';
  }
}
