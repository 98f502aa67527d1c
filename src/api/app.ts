import { OpenAPIHono } from '@hono/zod-openapi';
import { sql } from 'drizzle-orm';
import { bodyLimit } from 'hono/body-limit';
import type { Redis } from 'ioredis';
import type { OpmClient } from '../queue/index.js';
import type { PromptSource } from '../registry/index.js';
import { type Db, executeRows } from '../store/index.js';
import { createAuthenticator } from './auth/authenticator.js';
import { authenticate } from './auth/middleware.js';
import { createKeyRateLimiter } from './auth/rate-limit.js';
import { createCompletionHub } from './completion-hub.js';
import type { Readiness } from './contract.js';
import { renderDocsPage } from './docs-page.js';
import { ApiError } from './errors.js';
import { toErrorResponse } from './on-error.js';
import type { RouteDeps } from './routes/deps.js';
import { eventRoutes } from './routes/events.js';
import { healthRoutes } from './routes/health.js';
import { keyRoutes } from './routes/keys.js';
import { labelRoutes } from './routes/labels.js';
import { promptRoutes } from './routes/prompts.js';
import { runRoutes } from './routes/runs.js';
import { statsRoutes } from './routes/stats.js';
import type { ApiEnv, ApiLogger } from './types.js';

/** Options for {@link createApp}. The app owns none of these clients: the caller closes them. */
export interface AppOptions {
  /** The Redis SDK client runs are enqueued and awaited through. */
  client: OpmClient;
  /** Runs, feedback and API keys. */
  db: Db;
  /** Where prompts are listed, resolved and previewed. */
  source: PromptSource;
  /** Redis for per-key rate limits and readiness checks. */
  redis: Redis;
  /** A bootstrap admin key accepted besides the stored keys. */
  adminKey?: string | undefined;
  /** Largest request body, bytes; larger ones get 413. @default 1048576 */
  bodyLimitBytes?: number;
  /** Requests per key per minute before 429; `false` disables the limit. @default 1200 */
  rateLimitPerMinute?: number | false;
  /** Redis key prefix of the rate-limit counters. @default 'opm:api-rate' */
  rateLimitPrefix?: string;
  /** How long a key lookup is cached. @default 2000 */
  keyCacheTtlMs?: number;
  /** Called after a deploy or rollback through the API commits, e.g. to invalidate workers' caches. */
  onLabelChange?: (slug: string) => Promise<void>;
  /** Receives one line per request (method, path, status, ms, actor) and unexpected errors. @default none */
  logger?: ApiLogger;
}

/** The HTTP API: a Hono app plus what it holds open. */
export interface ApiApp {
  readonly app: OpenAPIHono<ApiEnv>;
  /** The fetch handler, for `@hono/node-server` or any Fetch-API runtime. */
  fetch(request: Request): Response | Promise<Response>;
  /** The OpenAPI 3 document of every route. */
  document(): ReturnType<OpenAPIHono['getOpenAPIDocument']>;
  /** Ends open event streams and stops listening for completions. Safe to call twice. */
  close(): void;
}

const DOCUMENT_CONFIG = {
  openapi: '3.0.3',
  info: {
    title: 'Open Prompt Manager API',
    version: '1',
    description: 'Enqueue and await prompt runs, read runs and prompts, follow completions, manage keys.',
  },
};

function validateOptions(options: AppOptions): void {
  const positive = (value: number | undefined) =>
    value === undefined || (Number.isInteger(value) && value > 0);
  if (
    !positive(options.bodyLimitBytes) ||
    (options.rateLimitPerMinute !== false && !positive(options.rateLimitPerMinute))
  ) {
    throw new ApiError(
      'api.invalid_options',
      'bodyLimitBytes and rateLimitPerMinute must be positive integers',
    );
  }
  if (options.adminKey !== undefined && options.adminKey.length < 24) {
    throw new ApiError('api.invalid_options', 'adminKey must have at least 24 characters');
  }
}

async function settles(promise: Promise<unknown>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([
      promise.then(
        () => true,
        () => false,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Builds the HTTP API. Options are checked now.
 * @example
 * const api = createApp({ client, db: database.db, source, redis });
 * serve({ fetch: api.fetch, port: 8080 });
 */
export function createApp(options: AppOptions): ApiApp {
  validateOptions(options);
  const log = options.logger ?? (() => undefined);
  const authenticator = createAuthenticator({
    db: options.db,
    adminKey: options.adminKey,
    ...(options.keyCacheTtlMs === undefined ? {} : { cacheTtlMs: options.keyCacheTtlMs }),
  });
  const limiter =
    options.rateLimitPerMinute === false
      ? undefined
      : createKeyRateLimiter({
          redis: options.redis,
          keyPrefix: options.rateLimitPrefix ?? 'opm:api-rate',
          points: options.rateLimitPerMinute ?? 1200,
        });
  const hub = createCompletionHub(options.client);
  const shutdown = new AbortController();
  const deps: RouteDeps = {
    client: options.client,
    db: options.db,
    source: options.source,
    hub,
    authenticator,
    onLabelChange: options.onLabelChange,
    shutdown: shutdown.signal,
    async checkReadiness(): Promise<Readiness> {
      const [redis, database] = await Promise.all([
        settles(options.redis.ping(), 2000),
        settles(executeRows(options.db, sql`select 1`), 2000),
      ]);
      return {
        status: redis && database ? 'ok' : 'unavailable',
        checks: { redis: redis ? 'ok' : 'error', database: database ? 'ok' : 'error' },
      };
    },
  };

  const app = new OpenAPIHono<ApiEnv>();
  app.use(async (c, next) => {
    const started = performance.now();
    await next();
    // Path only: query strings and headers may carry keys.
    log({
      level: 'info',
      msg: 'request',
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Math.round(performance.now() - started),
      actor: c.get('principal')?.name ?? null,
    });
  });
  app.use('/v1/*', authenticate(authenticator, limiter));
  app.use(
    '/v1/*',
    bodyLimit({
      maxSize: options.bodyLimitBytes ?? 1_048_576,
      onError: (c) => {
        // The rest of the body is not read, so the connection cannot carry another request.
        c.header('Connection', 'close');
        throw new ApiError(
          'api.body_too_large',
          `Request body larger than ${options.bodyLimitBytes ?? 1_048_576} bytes.`,
        );
      },
    }),
  );
  for (const routes of [
    healthRoutes,
    runRoutes,
    eventRoutes,
    promptRoutes,
    labelRoutes,
    statsRoutes,
    keyRoutes,
  ]) {
    app.route('/', routes(deps));
  }
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', { type: 'http', scheme: 'bearer' });
  app.doc('/openapi.json', DOCUMENT_CONFIG);
  app.get('/docs', (c) => c.html(renderDocsPage(app.getOpenAPIDocument(DOCUMENT_CONFIG))));
  app.notFound((c) =>
    c.json({ error: { code: 'api.not_found', message: `No route ${c.req.method} ${c.req.path}` } }, 404),
  );
  app.onError((error, c) => {
    const { status, body } = toErrorResponse(error);
    if (status >= 500)
      log({
        level: 'error',
        msg: 'request failed',
        path: c.req.path,
        code: body.error.code,
        error: String(error),
      });
    return c.json(body, status);
  });

  return {
    app,
    fetch: (request) => app.fetch(request),
    document: () => app.getOpenAPIDocument(DOCUMENT_CONFIG),
    close() {
      shutdown.abort();
      hub.close();
    },
  };
}
