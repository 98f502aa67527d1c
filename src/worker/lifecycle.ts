import { hostname } from 'node:os';
import { QueueEventsProducer, Worker } from 'bullmq';
import {
  connectionFor,
  createRedisClient,
  DEFAULT_PREFIX,
  PROMPT_RUNS_QUEUE,
  type RedisInput,
  type RunResult,
  readMaxmemoryPolicy,
} from '../queue/index.js';
import type { OpmTelemetry } from '../telemetry/index.js';
import type { ErrorPolicyOptions } from './error-policy.js';
import { createProcessor } from './processor.js';
import { observeDepth, traceSteps, traceWorker } from './telemetry.js';
import type { CompletionGateway, PromptRenderer, PromptResolver, RunStore } from './types.js';

/** Where the worker reports what an operator should see. */
export interface WorkerLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface WorkerOptions {
  /** A Redis URL or an ioredis client you own. */
  redis: RedisInput;
  /** Must match the producers' prefix. @default 'opm' */
  prefix?: string;
  /** @default 'prompt-runs' */
  queueName?: string;
  /** Jobs run at once in this process (LLM calls are I/O bound, so dozens are normal). @default 16 */
  concurrency?: number;
  prompts: PromptResolver;
  render: PromptRenderer;
  gateway: CompletionGateway;
  store: RunStore;
  /** How long a job's lock lives without renewal; a dead worker's jobs return after about this. @default 30000 */
  lockDurationMs?: number;
  /** How often this worker looks for stalled jobs of dead workers. @default 30000 */
  stalledIntervalMs?: number;
  /** Stalls tolerated before a job fails. @default 1 */
  maxStalledCount?: number;
  /** `close()` waits this long for active jobs, then abandons them to stalled-job recovery. @default 30000 */
  drainTimeoutMs?: number;
  policy?: ErrorPolicyOptions;
  /** Called with every final result before its job is acknowledged (e.g. a WebhookNotifier's `notify`). */
  notify?: (result: RunResult) => Promise<void>;
  /** @default console-based JSON lines on stderr */
  logger?: WorkerLogger;
  /**
   * Traces each job (continuing the producer's trace) and its steps, and records the job and
   * queue metrics. @default none (no telemetry)
   */
  telemetry?: OpmTelemetry;
}

/** A running prompt-run worker. */
export interface OpmWorker {
  /** Connects, warns about a risky Redis eviction policy, and starts taking jobs. */
  start(): Promise<void>;
  /** Stops taking jobs, drains active ones (up to `drainTimeoutMs`), closes connections. Safe to call twice. */
  close(): Promise<void>;
  /** Called after each job finishes, with the published result. */
  onRunFinished(listener: (result: RunResult) => void): () => void;
}

/**
 * Creates a worker for the prompt-runs queue. Any number of them, in any number of processes, may
 * share one queue. Options are checked now; nothing connects until `start()`.
 * @example
 * const worker = createWorker({ redis, prompts, render, gateway, store });
 * await worker.start();
 * installShutdownHandlers(worker);
 */
export function createWorker(options: WorkerOptions): OpmWorker {
  const concurrency = options.concurrency ?? 16;
  assertPositiveInteger('concurrency', concurrency);
  const lockDuration = options.lockDurationMs ?? 30_000;
  assertPositiveInteger('lockDurationMs', lockDuration);
  const stalledInterval = options.stalledIntervalMs ?? 30_000;
  assertPositiveInteger('stalledIntervalMs', stalledInterval);
  const drainTimeoutMs = options.drainTimeoutMs ?? 30_000;
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const queueName = options.queueName ?? PROMPT_RUNS_QUEUE;
  const logger = options.logger ?? consoleLogger;
  const listeners = new Set<(result: RunResult) => void>();
  let worker: Worker | undefined;
  let producer: QueueEventsProducer | undefined;
  let stopDepth: (() => Promise<void>) | undefined;
  let starting: Promise<void> | undefined;
  let closing: Promise<void> | undefined;

  async function start(): Promise<void> {
    await warnUnlessNoeviction(options.redis, logger);
    producer = new QueueEventsProducer(queueName, {
      connection: connectionFor(options.redis, 'worker'),
      prefix,
    });
    producer.on('error', (error) => logger.error('event producer error', { error: error.message }));
    const { telemetry } = options;
    const steps = {
      prompts: options.prompts,
      render: options.render,
      store: options.store,
      ...(options.notify === undefined ? {} : { notify: options.notify }),
    };
    const run = createProcessor({
      ...(telemetry === undefined ? steps : traceSteps(telemetry, steps)),
      gateway: options.gateway,
      events: producer,
      ...(options.policy === undefined ? {} : { policy: options.policy }),
    });
    const traced = telemetry === undefined ? undefined : traceWorker(telemetry, run);
    if (telemetry !== undefined) stopDepth = observeDepth(telemetry, options.redis, queueName, prefix);
    worker = new Worker(queueName, traced?.processor ?? run, {
      ...traced?.workerOptions,
      connection: connectionFor(options.redis, 'worker'),
      prefix,
      concurrency,
      lockDuration,
      stalledInterval,
      maxStalledCount: options.maxStalledCount ?? 1,
      // Recorded on each job as `processedBy`, to see which process ran what.
      name: `${hostname()}:${process.pid}`,
      autorun: false,
    });
    worker.on('error', (error) => logger.error('worker error', { error: error.message }));
    worker.on('completed', (_job, result: RunResult) => {
      for (const listener of listeners) listener(result);
    });
    worker.on('failed', (job, error) => {
      if (job && error.name !== 'DelayedError') {
        logger.warn('job attempt failed', {
          jobId: job.id,
          attemptsMade: job.attemptsMade,
          error: error.message,
        });
      }
    });
    await worker.waitUntilReady();
    worker.run().catch((error: Error) => logger.error('worker stopped', { error: error.message }));
    logger.info('worker started', { queue: queueName, prefix, concurrency });
  }

  async function close(): Promise<void> {
    await starting?.catch(() => undefined);
    if (worker) {
      const drained = worker.close().then(() => true);
      const timedOut = new Promise<false>((resolve) => setTimeout(resolve, drainTimeoutMs, false).unref());
      // BullMQ's close() cannot be forced once started, so on timeout we stop waiting: the locks of
      // the jobs still running expire and another worker's stalled check takes them over.
      if (!(await Promise.race([drained, timedOut]))) {
        logger.warn('drain timed out; active jobs are left to stalled-job recovery', { drainTimeoutMs });
        drained.catch(() => undefined);
        return;
      }
    }
    await producer?.close();
    await stopDepth?.();
    logger.info('worker closed', { queue: queueName });
  }

  return {
    start() {
      if (closing) return Promise.reject(new Error('The worker is closed'));
      starting ??= start();
      return starting;
    },
    close() {
      closing ??= close();
      return closing;
    },
    onRunFinished(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/**
 * On SIGTERM or SIGINT: stop taking jobs, drain the active ones, close, then exit. A second signal
 * exits at once (active jobs then return through stalled-job recovery).
 */
export function installShutdownHandlers(
  worker: Pick<OpmWorker, 'close'>,
  options: { signals?: NodeJS.Signals[]; exit?: (code: number) => void; onClosed?: () => Promise<void> } = {},
): () => void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  let isShuttingDown = false;
  const handler = (): void => {
    if (isShuttingDown) {
      exit(130);
      return;
    }
    isShuttingDown = true;
    worker
      .close()
      .then(() => options.onClosed?.())
      .then(
        () => exit(0),
        () => exit(1),
      );
  };
  for (const signal of signals) process.on(signal, handler);
  return () => {
    for (const signal of signals) process.off(signal, handler);
  };
}

async function warnUnlessNoeviction(redis: RedisInput, logger: WorkerLogger): Promise<void> {
  const client = createRedisClient(redis, 'worker');
  try {
    const policy = await readMaxmemoryPolicy(client);
    if (policy !== null && policy !== 'noeviction') {
      logger.warn(
        `Redis maxmemory-policy is "${policy}"; BullMQ needs "noeviction" or queued jobs may be evicted`,
        { policy },
      );
    }
  } finally {
    client.disconnect();
  }
}

function assertPositiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1)
    throw new RangeError(`${name} must be a positive integer, got ${value}`);
}

const consoleLogger: WorkerLogger = {
  info: (message, fields) => console.error(JSON.stringify({ level: 'info', message, ...fields })),
  warn: (message, fields) => console.error(JSON.stringify({ level: 'warn', message, ...fields })),
  error: (message, fields) => console.error(JSON.stringify({ level: 'error', message, ...fields })),
};
