import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { OpmConfig } from '../config/index.js';
import { createGateway, type GatewayOptions } from '../gateway/index.js';
import { createWebhookNotifier, createWebhookWorker } from '../queue/index.js';
import {
  createGuard,
  createPromptSourceFromConfig,
  publishInvalidation,
  renderPrompt,
} from '../registry/index.js';
import { createDatabase, createRunWriter, insertWebhookDelivery, migrate } from '../store/index.js';
import { startTelemetry } from '../telemetry/index.js';
import { createWorker, type OpmWorker, type WorkerLogger } from './lifecycle.js';
import { createRunStore } from './run-results.js';
import { createUnrecordedFailureRecorder } from './unrecorded-failures.js';

export interface ComposeWorkerOptions {
  /** Values for `${env:VAR}` references in prompt files (the entry point passes `process.env`). @default {} */
  promptEnv?: Record<string, string | undefined>;
  /** Overrides `worker.concurrency` (`opm worker --concurrency N`). */
  concurrency?: number;
  logger?: WorkerLogger;
  /**
   * Run the canary guard in this process: every `guardIntervalMs`, guarded canaries that breach
   * their thresholds are rolled back (audited as actor `guard`). Several workers may run it; a
   * rollback applies once. @default true
   */
  guard?: boolean;
  /** @default 5000 */
  guardIntervalMs?: number;
  /**
   * Serves Prometheus metrics on this port (`opm worker --metrics-port`); overrides `metricsPort`.
   * Telemetry starts once per process, so an entry point that started it first keeps its settings.
   */
  metricsPort?: number;
}

/** A worker wired to everything it needs, and the one call that releases it all. */
export interface ComposedWorker {
  worker: OpmWorker;
  /** Starts the webhook deliverer (when webhooks are configured), then the worker. */
  start(): Promise<void>;
  /** Drains the worker, then flushes run writes and closes the gateway, Redis and the database. */
  close(): Promise<void>;
}

/**
 * Composes a prompt-run worker from the configuration: the prompts folder, the gateway (with
 * shared rate limits in Redis), the database (migrated; PGlite under `dataDir` when no
 * `databaseUrl`) with its group-commit writer. Shared by `workers/prompt-runner.ts` and `opm worker`.
 */
export async function composeWorker(
  config: OpmConfig,
  options: ComposeWorkerOptions = {},
): Promise<ComposedWorker> {
  const runtime = await startTelemetry(config, {
    ...(options.metricsPort === undefined ? {} : { metricsPort: options.metricsPort }),
  });
  const telemetry = runtime.isActive ? runtime.telemetry : undefined;
  if (runtime.metricsUrl !== undefined) options.logger?.info('metrics served', { url: runtime.metricsUrl });
  const database = await createDatabase(
    config.databaseUrl === undefined
      ? { dataDir: join(config.dataDir, 'pglite') }
      : { url: config.databaseUrl, schema: config.databaseSchema },
  );
  await migrate(database);
  const writer = createRunWriter({ db: database.db });
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  const gateway = createGateway({
    ...gatewayOptionsFrom(config),
    redis,
    ...(telemetry === undefined ? {} : { telemetry }),
  });
  // Published versions and labels from the database (label changes arrive over Redis pub/sub),
  // else the prompts folder, whose edits are picked up within a second without a stat() per job.
  const source = await createPromptSourceFromConfig({
    db: database.db,
    promptsDir: config.promptsDir,
    invalidation: { redis, prefix: config.queuePrefix },
    env: options.promptEnv ?? {},
  });
  const guard =
    options.guard === false
      ? undefined
      : createGuard({
          db: database.db,
          intervalMs: options.guardIntervalMs ?? 5_000,
          onChange: (slug) => publishInvalidation(redis, config.queuePrefix, slug),
          onVerdict: (verdict) => {
            if (verdict.rollback?.changed) {
              options.logger?.warn('canary rolled back by the guard', {
                slug: verdict.slug,
                label: verdict.label,
                canary: verdict.canary,
                breaches: verdict.breaches,
              });
            }
          },
          onError: (error) => options.logger?.warn('canary guard check failed', { error: String(error) }),
        });
  const hasWebhooks = config.webhooks.length > 0;
  const webhookTargets = { redis: config.redisUrl, prefix: config.queuePrefix, targets: config.webhooks };
  const notifier = hasWebhooks ? createWebhookNotifier(webhookTargets) : undefined;
  const deliverer = hasWebhooks
    ? createWebhookWorker({
        ...webhookTargets,
        record: (delivery) => insertWebhookDelivery(database.db, delivery),
      })
    : undefined;
  const store = createRunStore({ db: database.db, writer });
  const unrecorded = createUnrecordedFailureRecorder({
    redis: config.redisUrl,
    prefix: config.queuePrefix,
    queueName: config.queueName,
    store,
    intervalMs: config.worker.stalledIntervalMs,
    logger: options.logger,
  });
  const worker = createWorker({
    redis: config.redisUrl,
    prefix: config.queuePrefix,
    queueName: config.queueName,
    concurrency: options.concurrency ?? config.worker.concurrency,
    lockDurationMs: config.worker.lockDurationMs,
    stalledIntervalMs: config.worker.stalledIntervalMs,
    maxStalledCount: config.worker.maxStalledCount,
    drainTimeoutMs: config.worker.shutdownTimeoutMs,
    prompts: source,
    render: (resolved, vars) => renderPrompt(resolved, vars),
    gateway,
    store,
    ...(notifier === undefined ? {} : { notify: notifier.notify }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...(telemetry === undefined ? {} : { telemetry }),
  });
  let closing: Promise<void> | undefined;
  return {
    worker,
    async start() {
      await deliverer?.start();
      await unrecorded.start();
      await worker.start();
      guard?.start();
    },
    close() {
      closing ??= (async () => {
        await guard?.close();
        await worker.close();
        await notifier?.close();
        await deliverer?.close();
        await unrecorded.close();
        await writer.close();
        await gateway.close();
        await source.close?.();
        redis.disconnect();
        await database.close();
        // Last, so the final spans and metrics of the drain are exported.
        await runtime.shutdown();
      })();
      return closing;
    },
  };
}

/** The gateway's options from the configuration; rate-limit keys live under the queue prefix. */
export function gatewayOptionsFrom(config: OpmConfig): GatewayOptions {
  return { ...config.gateway, rateLimitPrefix: `${config.queuePrefix}:rl` };
}
