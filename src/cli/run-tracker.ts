import { Job, Queue } from 'bullmq';
import type { OpmConfig } from '../config/index.js';
import { type OpmClient, type RunResult, RunResultSchema, unreportedFailure } from '../queue/index.js';

/** Collects the results of known jobs from completion events, with a Redis check when events go quiet. */
export interface RunTracker {
  /**
   * Resolves when every job in `jobIds` has a result, or when `timeoutMs` passes; the map then
   * holds the results that did arrive.
   */
  waitFor(
    jobIds: readonly string[],
    options?: { timeoutMs?: number | undefined; onProgress?: (finished: number) => void },
  ): Promise<Map<string, RunResult>>;
  close(): Promise<void>;
}

export interface RunTrackerOptions {
  client: OpmClient;
  config: OpmConfig;
  /** With no event for this long, the pending jobs' states are read from Redis. @default 1000 */
  quietPollMs?: number;
}

const POLL_BATCH = 500;
/** The worker fails permanent errors as `[code] message` (see worker/processor). */
const CODED_REASON = /^\[([A-Za-z0-9_.-]+)\] ([\s\S]*)$/;

/**
 * Subscribes to the client's completion events at once, so create it before enqueueing. Events
 * published before the client's event reader started are not replayed, which is why quiet spells
 * fall back to reading the jobs themselves.
 */
export function createRunTracker(options: RunTrackerOptions): RunTracker {
  const { client, config } = options;
  const quietPollMs = options.quietPollMs ?? 1_000;
  // Results that arrive before `waitFor` knows the job ids (a fast worker during enqueueing).
  const early = new Map<string, RunResult>();
  let onResult: ((result: RunResult) => void) | undefined;
  let lastEventAt = Date.now();
  const record = (result: RunResult): void => {
    lastEventAt = Date.now();
    if (onResult) onResult(result);
    else early.set(result.jobId, result);
  };
  const unsubscribe = [client.on('completed', record), client.on('failed', record)];
  const queue = new Queue(config.queueName, {
    connection: { url: config.redisUrl, maxRetriesPerRequest: 1 },
    prefix: config.queuePrefix,
  });
  queue.on('error', () => undefined);

  async function readFromRedis(jobId: string): Promise<RunResult | undefined> {
    const job = await Job.fromId(queue, jobId);
    if (!job) return undefined;
    const state = await job.getState();
    if (state === 'completed') {
      const parsed = RunResultSchema.safeParse(job.returnvalue);
      return parsed.success ? parsed.data : unreportedFailure(jobId, 'No opm run result', 'completed');
    }
    if (state !== 'failed') return undefined;
    const failure = unreportedFailure(jobId, job.failedReason ?? 'failed', 'failed');
    const coded = CODED_REASON.exec(job.failedReason ?? '');
    if (!coded?.[1]) return failure;
    return { ...failure, slug: job.data?.slug ?? '', error: { code: coded[1], message: coded[2] ?? '' } };
  }

  return {
    async waitFor(jobIds, waitOptions = {}) {
      const deadline = waitOptions.timeoutMs === undefined ? Infinity : Date.now() + waitOptions.timeoutMs;
      const results = new Map<string, RunResult>();
      const pending = new Set(jobIds);
      let wake: (() => void) | undefined;
      const take = (result: RunResult): void => {
        if (!pending.delete(result.jobId)) return;
        results.set(result.jobId, result);
        waitOptions.onProgress?.(results.size);
        if (pending.size === 0) wake?.();
      };
      for (const result of early.values()) take(result);
      early.clear();
      onResult = take;
      try {
        while (pending.size > 0 && Date.now() < deadline) {
          const waitMs = Math.max(0, Math.min(quietPollMs, deadline - Date.now()));
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, waitMs);
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          wake = undefined;
          if (pending.size === 0 || Date.now() - lastEventAt < quietPollMs) continue;
          const ids = [...pending];
          for (let start = 0; start < ids.length; start += POLL_BATCH) {
            const found = await Promise.all(ids.slice(start, start + POLL_BATCH).map(readFromRedis));
            for (const result of found) if (result) take(result);
          }
          lastEventAt = Date.now();
        }
      } finally {
        onResult = undefined;
      }
      return results;
    },
    async close() {
      for (const stop of unsubscribe) stop();
      await queue.close();
    },
  };
}
