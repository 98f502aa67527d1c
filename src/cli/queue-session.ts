import path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { OpmConfig } from '../config/index.js';
import { createClient, type OpmClient } from '../queue/index.js';
import { type ComposedWorker, composeWorker, type WorkerLogger } from '../worker/index.js';
import { CliError } from './errors.js';
import type { CliIo } from './output.js';

/** A URL with its password (and user) hidden, for logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}

/** Which database runs go to, as an operator reads it: `postgres postgres://…` or `pglite .opm/pglite`. */
export function describeDatabase(config: OpmConfig): { kind: 'postgres' | 'pglite'; location: string } {
  return config.databaseUrl === undefined
    ? { kind: 'pglite', location: path.join(config.dataDir, 'pglite') }
    : { kind: 'postgres', location: redactUrl(config.databaseUrl) };
}

/**
 * Fails fast, with a message that says how to get one, when no Redis answers at `redisUrl`
 * (the queue's own clients would otherwise retry quietly for a long time).
 */
export async function assertRedisReachable(redisUrl: string, timeoutMs = 3_000): Promise<void> {
  const redis = new Redis(redisUrl, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // ioredis rejects with "Connection is closed"; the socket's own error says why (ECONNREFUSED...).
  let socketError: Error | undefined;
  redis.on('error', (error: Error) => {
    socketError ??= error;
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new CliError(
      'cli.redis_unreachable',
      `Redis is not reachable at ${redactUrl(redisUrl)} (${(socketError ?? (error as Error)).message}). ` +
        'Start one with `docker compose up -d redis`, or point REDIS_URL at a running server.',
      { redisUrl: redactUrl(redisUrl) },
    );
  } finally {
    redis.disconnect();
  }
}

/** The SDK client for the configured queue. */
export function openClient(config: OpmConfig): OpmClient {
  return createClient({
    redis: config.redisUrl,
    prefix: config.queuePrefix,
    queueName: config.queueName,
    jobDefaults: config.jobs,
  });
}

/** How many workers are connected to the configured queue right now (BullMQ's CLIENT LIST view). */
export async function countWorkers(config: OpmConfig): Promise<number> {
  const queue = new Queue(config.queueName, {
    connection: { url: config.redisUrl, maxRetriesPerRequest: 1 },
    prefix: config.queuePrefix,
  });
  queue.on('error', () => undefined);
  try {
    return await queue.getWorkersCount();
  } finally {
    await queue.close();
  }
}

/**
 * Refuses to enqueue work that nobody would take: with no worker on the queue, a command that
 * awaits results would only hang until its timeout.
 */
export async function assertWorkerAvailable(config: OpmConfig): Promise<void> {
  if ((await countWorkers(config)) > 0) return;
  throw new CliError(
    'cli.no_worker',
    `No worker is consuming queue "${config.queueName}" (prefix "${config.queuePrefix}") on ` +
      `${redactUrl(config.redisUrl)}. Start one with \`opm worker\` (same REDIS_URL and OPM_QUEUE_PREFIX), ` +
      'or pass --local to run one inside this command.',
    { queue: config.queueName, prefix: config.queuePrefix },
  );
}

/** Worker logs as JSON lines on the CLI's stderr; `quiet` keeps only warnings and errors. */
export function createCliLogger(io: CliIo, options: { quiet: boolean }): WorkerLogger {
  const write = (level: string, message: string, fields?: Record<string, unknown>): void => {
    io.stderr.write(`${JSON.stringify({ level, time: new Date().toISOString(), message, ...fields })}\n`);
  };
  return {
    info: (message, fields) => {
      if (!options.quiet) write('info', message, fields);
    },
    warn: (message, fields) => write('warn', message, fields),
    error: (message, fields) => write('error', message, fields),
  };
}

export interface LocalWorkerOptions {
  io: CliIo;
  env: Record<string, string | undefined>;
  concurrency?: number | undefined;
  /** @default warnings and errors as JSON lines on stderr */
  logger?: WorkerLogger;
}

/**
 * Starts a prompt-run worker inside the CLI process (`--local`, `opm demo`). It opens the
 * configured database itself, so with embedded PGlite no other worker process may be running.
 */
export async function startLocalWorker(
  config: OpmConfig,
  options: LocalWorkerOptions,
): Promise<ComposedWorker> {
  const composed = await composeWorker(config, {
    promptEnv: options.env,
    logger: options.logger ?? createCliLogger(options.io, { quiet: true }),
    ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
  });
  try {
    await composed.start();
  } catch (error) {
    await composed.close();
    throw error;
  }
  return composed;
}

/** Parses a positive integer option such as `--concurrency` or `--timeout`. */
export function positiveInteger(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) {
    throw new CliError('cli.invalid_option', `${name} must be a positive integer, got "${value}"`, {
      option: name,
      value,
    });
  }
  return parsed;
}
