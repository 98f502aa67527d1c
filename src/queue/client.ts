import { Job, Queue } from 'bullmq';
import { z } from 'zod';
import { createBullmqTelemetry, createTelemetry } from '../telemetry/index.js';
import { PROMPT_RUN_JOB, PROMPT_RUNS_QUEUE, type PromptRunPayload } from './catalog.js';
import { createRedisClient, DEFAULT_PREFIX, type RedisInput, waitUntilConnected } from './connection.js';
import { QueueError, RunFailedError, RunTimeoutError } from './errors.js';
import { type RunEventListener, type RunEventName, RunEvents } from './events.js';
import {
  type EnqueueOptions,
  type JobDefaults,
  jobOptionsFrom,
  type PreparedJob,
  prepareJob,
} from './producer.js';
import { type RunRecord, type RunResult, RunResultSchema, unreportedFailure } from './results.js';

/** Options of `run`: the enqueue options plus how long to wait. */
export type RunOptions = EnqueueOptions & {
  /** Reject with RunTimeoutError after this long. The job keeps running. @default 60000 */
  timeoutMs?: number;
};

/** One item of `enqueueMany`. */
export interface EnqueueItem {
  slug: string;
  vars: Record<string, unknown>;
  opts?: EnqueueOptions;
}

export interface EnqueueManyOptions {
  /** Jobs per `addBulk` round trip. @default 1000 */
  chunkSize?: number;
  /** Called after each chunk is in Redis. */
  onProgress?: (progress: { enqueued: number; total: number }) => void;
}

/** Reads finished runs from the run store (Postgres). */
export interface RunReader {
  getRun(jobId: string): Promise<RunRecord | null>;
}

export interface ClientOptions {
  /** A Redis URL or an ioredis client you own (you close it). */
  redis: RedisInput;
  /** Prefix of every Redis key; workers must use the same. @default 'opm' */
  prefix?: string;
  /** @default 'prompt-runs' */
  queueName?: string;
  /** Where `result()` reads stored runs, and where `run()` looks for runs already finished. */
  database?: RunReader;
  /** Retry settings for jobs that do not set their own (config `jobs`). */
  jobDefaults?: JobDefaults;
  /** How long `enqueue` and `run` wait for a Redis connection before `queue.unavailable`. @default 5000 */
  connectTimeoutMs?: number;
}

/** The SDK: enqueue prompt runs, await them, read their results. */
export interface OpmClient {
  /** Enqueues one run and resolves with its job id as soon as Redis has it. */
  enqueue(slug: string, vars: Record<string, unknown>, opts?: EnqueueOptions): Promise<string>;
  /** Enqueues many runs with `addBulk` in chunks; resolves with their job ids, in input order. */
  enqueueMany(items: readonly EnqueueItem[], opts?: EnqueueManyOptions): Promise<string[]>;
  /**
   * Enqueues one run and awaits it.
   * @throws RunFailedError with the stored error code; RunTimeoutError after `timeoutMs`.
   */
  run(slug: string, vars: Record<string, unknown>, opts?: RunOptions): Promise<RunResult>;
  /** A finished run from the store, or null when there is none (yet). */
  result(jobId: string): Promise<RunRecord | null>;
  /** Listens to every run of the queue finishing; returns the unsubscribe function. */
  on(event: RunEventName, listener: RunEventListener): () => void;
  /** Closes the client's connections. Safe to call twice. */
  close(): Promise<void>;
}

const ClientOptionsSchema = z.object({
  prefix: z.string().min(1).optional(),
  queueName: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/, 'kebab-case, no ":"')
    .optional(),
  database: z.custom<RunReader>((value) => typeof (value as RunReader)?.getRun === 'function').optional(),
  connectTimeoutMs: z.number().int().positive().optional(),
  jobDefaults: z
    .object({
      attempts: z.number().int().min(1).max(100).optional(),
      backoffDelayMs: z.number().int().nonnegative().optional(),
    })
    .optional(),
});

const DEFAULT_TIMEOUT_MS = 60_000;
const MAX_CHUNKS_IN_FLIGHT = 4;

/**
 * Creates the client SDK. Options are validated now; connections open in the background.
 * @example
 * const opm = createClient({ redis: 'redis://127.0.0.1:6379' });
 * const { text } = await opm.run('acme/support/triage', { ticket: 'My order is late' });
 * await opm.close();
 */
export function createClient(options: ClientOptions): OpmClient {
  const checked = ClientOptionsSchema.safeParse(options);
  if (!checked.success) {
    throw new QueueError('queue.invalid_options', `Invalid client options: ${checked.error.message}`);
  }
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const queueName = options.queueName ?? PROMPT_RUNS_QUEUE;
  const connectTimeoutMs = options.connectTimeoutMs ?? 5_000;
  const ownsProducer = typeof options.redis === 'string';
  const producer =
    typeof options.redis === 'string' ? createRedisClient(options.redis, 'producer') : options.redis;
  producer.on('error', () => undefined);
  // Carries the caller's trace context into each job when the app runs an OpenTelemetry SDK; a
  // no-op (no span, no metadata) otherwise.
  const queue = new Queue(queueName, {
    connection: producer,
    prefix,
    telemetry: createBullmqTelemetry(createTelemetry()),
  });
  queue.on('error', () => undefined);
  const events = new RunEvents({ redis: options.redis, prefix, queueName });
  const reader = options.database;
  const baseJobOptions = jobOptionsFrom(options.jobDefaults ?? {});
  let closing: Promise<void> | undefined;

  function assertOpen(): void {
    if (closing) throw new QueueError('queue.closed', 'The client is closed');
  }

  async function add(jobs: PreparedJob[]): Promise<void> {
    await waitUntilConnected(producer, connectTimeoutMs);
    try {
      if (jobs.length === 1 && jobs[0]) await queue.add(PROMPT_RUN_JOB, jobs[0].data, jobs[0].opts);
      else await queue.addBulk(jobs.map((job) => ({ name: PROMPT_RUN_JOB, data: job.data, opts: job.opts })));
    } catch (error) {
      throw new QueueError('queue.unavailable', `Could not enqueue: ${(error as Error).message}`, {
        retryable: true,
        cause: error,
      });
    }
  }

  async function finishedResult(jobId: string): Promise<RunResult | null> {
    const job = await Job.fromId(queue, jobId);
    if (job) {
      const state = await job.getState();
      if (state === 'completed') {
        const parsed = RunResultSchema.safeParse(job.returnvalue);
        return parsed.success ? parsed.data : unreportedFailure(jobId, 'No opm run result', 'completed');
      }
      if (state !== 'failed') return null;
    }
    const stored = reader ? await reader.getRun(jobId) : null;
    if (stored) return stored;
    return job ? unreportedFailure(jobId, job.failedReason, 'failed') : null;
  }

  async function recordFromRedis(jobId: string): Promise<RunRecord | null> {
    const job = await Job.fromId(queue, jobId);
    if (!job || (await job.getState()) !== 'completed') return null;
    const parsed = RunResultSchema.safeParse(job.returnvalue);
    if (!parsed.success) return null;
    const data = job.data as Partial<PromptRunPayload>;
    return {
      ...parsed.data,
      inputs: data.vars ?? null,
      metadata: data.metadata ?? null,
      tags: data.tags ?? [],
      attempts: [],
      traceId: null,
      enqueuedAt: data.enqueuedAt ?? null,
      startedAt: job.processedOn ?? null,
    };
  }

  return {
    async enqueue(slug, vars, opts = {}) {
      assertOpen();
      const job = prepareJob(slug, vars, opts, baseJobOptions);
      await add([job]);
      return job.id;
    },

    async enqueueMany(items, opts = {}) {
      assertOpen();
      const chunkSize = opts.chunkSize ?? 1_000;
      if (!Number.isInteger(chunkSize) || chunkSize < 1) {
        throw new QueueError(
          'queue.invalid_options',
          `chunkSize must be a positive integer, got ${chunkSize}`,
        );
      }
      // Validate everything first so a bad item enqueues nothing.
      const jobs = items.map((item) => prepareJob(item.slug, item.vars, item.opts ?? {}, baseJobOptions));
      // A few chunks in flight overlap our work with Redis's; one connection keeps them in order.
      const inFlight: Promise<number>[] = [];
      let enqueued = 0;
      const settleOldest = async (): Promise<void> => {
        enqueued += (await inFlight.shift()) ?? 0;
        opts.onProgress?.({ enqueued, total: jobs.length });
      };
      try {
        for (let start = 0; start < jobs.length; start += chunkSize) {
          const chunk = jobs.slice(start, start + chunkSize);
          inFlight.push(add(chunk).then(() => chunk.length));
          if (inFlight.length >= MAX_CHUNKS_IN_FLIGHT) await settleOldest();
        }
        while (inFlight.length > 0) await settleOldest();
      } finally {
        for (const pending of inFlight) pending.catch(() => undefined);
      }
      return jobs.map((job) => job.id);
    },

    async run(slug, vars, opts = {}) {
      assertOpen();
      const { timeoutMs = DEFAULT_TIMEOUT_MS, ...enqueueOptions } = opts;
      const job = prepareJob(slug, vars, enqueueOptions, baseJobOptions);
      await waitUntilConnected(producer, connectTimeoutMs);
      await events.ready();
      let unsubscribe = (): void => undefined;
      let timer: NodeJS.Timeout | undefined;
      const finished = new Promise<RunResult>((resolve, reject) => {
        unsubscribe = events.waitFor(job.id, resolve);
        timer = setTimeout(() => reject(new RunTimeoutError(job.id, timeoutMs)), timeoutMs);
      });
      try {
        await add([job]);
        // An idempotent job may have finished before we subscribed: look it up once.
        const early = job.data.idempotencyKey ? await finishedResult(job.id) : null;
        const result = early ?? (await finished);
        if (result.status === 'failed') {
          throw new RunFailedError(job.id, result.error ?? { code: 'queue.job_failed', message: 'failed' });
        }
        return result;
      } finally {
        clearTimeout(timer);
        unsubscribe();
        finished.catch(() => undefined);
      }
    },

    async result(jobId) {
      if (reader) return reader.getRun(jobId);
      return recordFromRedis(jobId);
    },

    on(event, listener) {
      assertOpen();
      events.ready().catch(() => undefined);
      return events.on(event, listener);
    },

    close() {
      closing ??= (async () => {
        await events.close();
        await queue.close();
        if (ownsProducer) producer.disconnect();
      })();
      return closing;
    },
  };
}
