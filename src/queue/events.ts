import { QueueEvents, type QueueEventsListener, type QueueEventsProducer } from 'bullmq';
import type { Redis } from 'ioredis';
import { connectionFor, createRedisClient, type RedisInput } from './connection.js';
import { QueueError } from './errors.js';
import { type RunResult, RunResultSchema, unreportedFailure } from './results.js';

export type RunEventName = 'completed' | 'failed';
export type RunEventListener = (result: RunResult) => void;

/** Custom event on the queue's BullMQ event stream; it carries the stored error code. */
export const RUN_FAILED_EVENT = 'opm.run.failed';
const MAX_STREAM_EVENTS = 10_000;
const REPORTED_MEMORY = 10_000;

/**
 * Publishes a failed run on the queue's event stream. Called by the worker after the failed row is
 * committed and before BullMQ marks the job failed, so it precedes BullMQ's own `failed` event.
 */
export async function publishRunFailed(producer: QueueEventsProducer, result: RunResult): Promise<void> {
  await producer.publishEvent(
    { eventName: RUN_FAILED_EVENT, jobId: result.jobId, result: JSON.stringify(result) },
    MAX_STREAM_EVENTS,
  );
}

/** BullMQ's QueueEvents listeners plus our custom event. */
interface RunEventsListener extends QueueEventsListener {
  [RUN_FAILED_EVENT]: (args: { jobId: string; result?: unknown }, id: string) => void;
}

export interface RunEventsOptions {
  redis: RedisInput;
  prefix: string;
  queueName: string;
}

/**
 * One QueueEvents reader shared by `run()` waiters and `on()` listeners of a client. Started
 * lazily; it reads from the stream's last id at start-up, so nothing published after `ready()`
 * resolves is missed.
 */
export class RunEvents {
  readonly #options: RunEventsOptions;
  readonly #listeners: Record<RunEventName, Set<RunEventListener>> = {
    completed: new Set(),
    failed: new Set(),
  };
  readonly #waiters = new Map<string, Set<RunEventListener>>();
  readonly #reported = new Set<string>();
  #events: QueueEvents | undefined;
  #starting: Promise<void> | undefined;
  #closed = false;

  constructor(options: RunEventsOptions) {
    this.#options = options;
  }

  /** Resolves once the reader is consuming the stream. */
  ready(): Promise<void> {
    this.#starting ??= this.#start().catch((error: unknown) => {
      // Let the next caller try again (Redis may be back).
      this.#starting = undefined;
      const events = this.#events;
      this.#events = undefined;
      events?.close().catch(() => undefined);
      throw new QueueError(
        'queue.unavailable',
        `Cannot read completion events: ${(error as Error).message}`,
        {
          retryable: true,
          cause: error,
        },
      );
    });
    return this.#starting;
  }

  on(event: RunEventName, listener: RunEventListener): () => void {
    this.#listeners[event].add(listener);
    return () => this.#listeners[event].delete(listener);
  }

  /** Calls `listener` once when `jobId` finishes; returns the unsubscribe function. */
  waitFor(jobId: string, listener: RunEventListener): () => void {
    let set = this.#waiters.get(jobId);
    if (!set) {
      set = new Set();
      this.#waiters.set(jobId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.#waiters.delete(jobId);
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#starting?.catch(() => undefined);
    await this.#events?.close();
  }

  async #start(): Promise<void> {
    const { redis, prefix, queueName } = this.#options;
    const lastEventId = await readLastEventId(redis, `${prefix}:${queueName}:events`);
    const events = new QueueEvents(queueName, {
      connection: connectionFor(redis, 'worker'),
      prefix,
      lastEventId,
      autorun: false,
    });
    this.#events = events;
    events.on('error', () => undefined);
    events.on('completed', ({ jobId, returnvalue }) => {
      const parsed = RunResultSchema.safeParse(returnvalue);
      if (parsed.success) this.#dispatch(parsed.data);
      else this.#dispatch(unreportedFailure(jobId, 'Job completed without an opm run result', 'completed'));
    });
    events.on<RunEventsListener, typeof RUN_FAILED_EVENT>(RUN_FAILED_EVENT, ({ result }) => {
      if (typeof result !== 'string') return;
      const parsed = RunResultSchema.safeParse(JSON.parse(result));
      if (parsed.success) this.#dispatch(parsed.data);
    });
    events.on('failed', ({ jobId, failedReason }) => {
      // Our own event precedes BullMQ's on the same stream; this covers failures the worker could
      // not record (stalled too often, a crash before persisting).
      if (this.#reported.has(jobId)) return;
      this.#dispatch(unreportedFailure(jobId, failedReason, 'failed'));
    });
    await events.waitUntilReady();
    events.run().catch(() => undefined);
  }

  #dispatch(result: RunResult): void {
    this.#remember(result.jobId);
    for (const listener of this.#listeners[result.status]) listener(result);
    const waiters = this.#waiters.get(result.jobId);
    if (!waiters) return;
    this.#waiters.delete(result.jobId);
    for (const waiter of waiters) waiter(result);
  }

  #remember(jobId: string): void {
    this.#reported.add(jobId);
    if (this.#reported.size > REPORTED_MEMORY) {
      const oldest = this.#reported.values().next().value;
      if (oldest !== undefined) this.#reported.delete(oldest);
    }
  }
}

async function readLastEventId(redis: RedisInput, key: string): Promise<string> {
  const client: Redis = createRedisClient(redis, 'producer');
  try {
    const last = await client.xrevrange(key, '+', '-', 'COUNT', 1);
    return last[0]?.[0] ?? '0-0';
  } finally {
    client.disconnect();
  }
}
