import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import type { OpmConfig } from '../config/index.js';
import { createClient, createRedisClient, type RunReader } from '../queue/index.js';
import { createPromptSourceFromConfig, publishInvalidation } from '../registry/index.js';
import { createDatabase, getRunByJobId, listApiKeys, migrate } from '../store/index.js';
import { type ApiApp, createApp } from './app.js';
import { ApiError } from './errors.js';
import type { ApiLogger } from './types.js';
import { toRunRecord } from './views.js';

/** How long a stopping server waits for requests in flight before cutting connections. */
const DRAIN_TIMEOUT_MS = 5_000;

/** Options for {@link startServer}. */
export interface StartServerOptions {
  config: OpmConfig;
  /** Overrides `config.api.port`; 0 picks a free port. */
  port?: number;
  /** Overrides `config.api.host`. */
  host?: string;
  /** @default none */
  logger?: ApiLogger;
}

/** A listening API server. */
export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly api: ApiApp;
  /**
   * Stops accepting requests, ends open event streams, lets requests in flight finish (up to 5 s),
   * then closes every client. Safe to call twice.
   */
  close(): Promise<void>;
}

/**
 * Connects to Postgres (applying migrations) and Redis, then serves the API.
 * @throws ApiError `api.no_keys` when no key could ever authenticate: neither `OPM_ADMIN_KEY` nor a
 *   stored, unrevoked key. An open API is never the accidental default.
 */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const { config } = options;
  const database = await createDatabase({
    url: config.databaseUrl,
    dataDir: join(config.dataDir, 'pglite'),
    schema: config.databaseSchema,
  });
  const redis = createRedisClient(config.redisUrl, 'producer');
  redis.on('error', () => undefined);
  const cleanups: Array<() => Promise<unknown> | unknown> = [
    () => database.close(),
    () => redis.disconnect(),
  ];
  const cleanUp = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  };
  try {
    await migrate(database);
    const keys = await listApiKeys(database.db);
    if (config.api.adminKey === undefined && !keys.some((key) => key.revokedAt === null)) {
      throw new ApiError(
        'api.no_keys',
        'No API key can authenticate: set OPM_ADMIN_KEY (24+ characters) or create one with `opm keys create --role admin --name <name>`.',
      );
    }
    const reader: RunReader = {
      async getRun(jobId) {
        const row = await getRunByJobId(database.db, jobId);
        return row ? toRunRecord(row) : null;
      },
    };
    const client = createClient({
      redis,
      prefix: config.queuePrefix,
      queueName: config.queueName,
      database: reader,
      jobDefaults: config.jobs,
    });
    cleanups.push(() => client.close());
    // Published versions and labels first, the prompts folder for slugs never published. No env:
    // the API renders previews only, and `${env:}` values may be credentials.
    const source = await createPromptSourceFromConfig({
      db: database.db,
      promptsDir: config.promptsDir,
      invalidation: { redis, prefix: config.queuePrefix },
      env: {},
    });
    cleanups.push(() => source.close?.());
    const api = createApp({
      client,
      db: database.db,
      source,
      redis,
      adminKey: config.api.adminKey,
      bodyLimitBytes: config.api.bodyLimitBytes,
      rateLimitPerMinute: config.api.rateLimitPerMinute,
      rateLimitPrefix: `${config.queuePrefix}:api-rate`,
      onLabelChange: (slug) => publishInvalidation(redis, config.queuePrefix, slug),
      ...(options.logger === undefined ? {} : { logger: options.logger }),
    });
    cleanups.push(() => api.close());
    const host = options.host ?? config.api.host;
    const server = await new Promise<Server>((resolve, reject) => {
      const created = serve({ fetch: api.fetch, port: options.port ?? config.api.port, hostname: host }, () =>
        resolve(created as Server),
      ) as Server;
      created.once('error', reject);
    });
    const { port } = server.address() as AddressInfo;
    let closing: Promise<void> | undefined;
    return {
      url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
      port,
      api,
      close() {
        closing ??= (async () => {
          api.close();
          // Requests in flight finish (their clients are still open); then stragglers are cut.
          const drained = new Promise<void>((resolve) => server.close(() => resolve()));
          server.closeIdleConnections();
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([
            drained,
            new Promise((resolve) => (timer = setTimeout(resolve, DRAIN_TIMEOUT_MS))),
          ]);
          clearTimeout(timer);
          server.closeAllConnections();
          await drained;
          await cleanUp();
        })();
        return closing;
      },
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}
