import { type Job, Queue } from 'bullmq';
import { PROMPT_RUN_JOB, PromptRunPayloadSchema } from '../queue/index.js';
import { WorkerError } from './errors.js';
import type { WorkerLogger } from './lifecycle.js';
import { failedRow } from './run-prompt.js';
import type { RunStore } from './types.js';

/** BullMQ's reason for a job that stalled more often than `maxStalledCount` allows. */
const STALLED_REASON = /stalled more than allowable limit/i;

/** Failed jobs read per sweep, newest first. */
const SWEEP_BATCH = 200;

export interface UnrecordedFailuresOptions {
  redis: string;
  prefix: string;
  queueName: string;
  store: RunStore;
  /** How often failed jobs are looked through. @default 30000 */
  intervalMs?: number;
  /** How far back the first sweep looks (jobs that failed while no worker ran). @default 3600000 */
  lookbackMs?: number;
  logger?: WorkerLogger | undefined;
  /** @default Date.now */
  clock?: () => number;
}

/** Looks through the queue's failed jobs and records those without a run as failed runs. */
export interface UnrecordedFailureRecorder {
  start(): Promise<void>;
  /** One pass now; resolves with the number of runs it recorded. */
  sweep(): Promise<number>;
  close(): Promise<void>;
}

/**
 * Some jobs fail without any worker writing their run: BullMQ fails a job that stalled more than
 * `maxStalledCount` times (its worker died or blocked its event loop while holding it) in the stalled
 * check, outside any processor. So that nothing is lost from the runs table, each worker looks through
 * the jobs that failed since its last look and records every prompt run without a row as a failed run,
 * from the job's payload, with `worker.job_stalled` (or `worker.job_lost` for another reason). Writes
 * are idempotent by job id, so workers sweeping the same job store one row. Failed jobs stay in Redis
 * for a week (the catalog's `removeOnFail`), so a sweep reads them off the failed set rather than
 * every worker reading the whole event stream of the queue.
 */
export function createUnrecordedFailureRecorder(
  options: UnrecordedFailuresOptions,
): UnrecordedFailureRecorder {
  const clock = options.clock ?? Date.now;
  const intervalMs = options.intervalMs ?? 30_000;
  const queue = new Queue(options.queueName, {
    connection: { url: options.redis, maxRetriesPerRequest: 1 },
    prefix: options.prefix,
  });
  queue.on('error', () => undefined);
  // Set by the first sweep: how far back it looks.
  let since: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;

  async function record(job: Job): Promise<boolean> {
    if (job.id === undefined || job.name !== PROMPT_RUN_JOB) return false;
    if ((await options.store.find(job.id)) !== null) return false;
    const payload = PromptRunPayloadSchema.safeParse(job.data);
    if (!payload.success) {
      options.logger?.warn('failed job not recorded: its payload is not a prompt run', { jobId: job.id });
      return false;
    }
    const reason = job.failedReason ?? 'unknown';
    const error = STALLED_REASON.test(reason)
      ? new WorkerError('worker.job_stalled', `The job stalled more often than allowed: ${reason}`)
      : new WorkerError('worker.job_lost', `The job failed before a worker recorded its run: ${reason}`);
    const finishedAt = job.finishedOn ?? clock();
    const context = { jobId: job.id, startedAt: job.processedOn ?? finishedAt };
    await options.store.write(failedRow(payload.data, context, error, undefined, undefined, finishedAt));
    options.logger?.warn('failed job recorded as a failed run', { jobId: job.id, code: error.code });
    return true;
  }

  async function sweepOnce(): Promise<number> {
    // A job that failed while this sweep reads is found by the next one: look back one interval more.
    const startedAt = clock();
    const from = since ?? startedAt - (options.lookbackMs ?? 3_600_000);
    let recorded = 0;
    for (let start = 0; ; start += SWEEP_BATCH) {
      const jobs = await queue.getJobs(['failed'], start, start + SWEEP_BATCH - 1, false);
      let older = false;
      for (const job of jobs) {
        if ((job.finishedOn ?? 0) < from) {
          older = true;
          break;
        }
        if (await record(job)) recorded += 1;
      }
      if (older || jobs.length < SWEEP_BATCH) break;
    }
    since = startedAt - intervalMs;
    return recorded;
  }

  function sweep(): Promise<number> {
    running ??= sweepOnce().finally(() => {
      running = undefined;
    });
    return running;
  }

  return {
    async start() {
      await sweep();
      timer = setInterval(() => {
        sweep().catch((error: unknown) =>
          options.logger?.warn('looking for unrecorded failed jobs failed', { error: String(error) }),
        );
      }, intervalMs);
      timer.unref();
    },
    sweep,
    async close() {
      if (timer !== undefined) clearInterval(timer);
      await running?.catch(() => undefined);
      await queue.close();
    },
  };
}
