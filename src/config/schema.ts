import { z } from 'zod';
import { boolean, decimal, integer, text, url } from './coerce.js';

/** Worker process settings. */
export const WorkerConfigSchema = z.strictObject({
  /** Jobs one worker process runs at once (`OPM_CONCURRENCY`). @default 16 */
  concurrency: integer({ min: 1, max: 10_000 }).default(16),
  /** How long a job's lock lasts before it counts as stalled (`OPM_LOCK_DURATION_MS`). @default 30000 */
  lockDurationMs: integer({ min: 100 }).default(30_000),
  /** How often stalled jobs are looked for (`OPM_STALLED_INTERVAL_MS`). @default 30000 */
  stalledIntervalMs: integer({ min: 100 }).default(30_000),
  /** Stalls allowed before a job fails (`OPM_MAX_STALLED_COUNT`). @default 1 */
  maxStalledCount: integer({ min: 0 }).default(1),
  /** How long SIGTERM waits for active jobs before closing anyway (`OPM_SHUTDOWN_TIMEOUT_MS`). @default 30000 */
  shutdownTimeoutMs: integer({ min: 0 }).default(30_000),
});

/** Per-job queue settings: how often BullMQ retries a failed run. */
export const JobsConfigSchema = z.strictObject({
  /** Attempts per job, the first included (`OPM_JOB_ATTEMPTS`). @default 3 */
  attempts: integer({ min: 1, max: 100 }).default(3),
  /** Base of the exponential backoff between job attempts (`OPM_JOB_BACKOFF_MS`). @default 1000 */
  backoffDelayMs: integer({ min: 0 }).default(1000),
});

/**
 * Connection settings for one provider, passed as-is to the gateway (which validates the fields
 * it knows; unknown ones are kept so a newer gateway option needs no config change).
 */
export const ProviderConfigSchema = z.looseObject({
  apiKey: text().optional(),
  /** Base URL of an OpenAI-compatible API. */
  baseURL: url(['https:', 'http:']).optional(),
  /** OpenRouter attribution, sent as `HTTP-Referer`. */
  referer: text().optional(),
  /** OpenRouter attribution, sent as `X-Title`. */
  title: text().optional(),
  /** Azure OpenAI resource endpoint, e.g. https://my-resource.openai.azure.com */
  endpoint: url(['https:', 'http:']).optional(),
  /** Azure OpenAI API version. */
  apiVersion: text().optional(),
  /** Stream responses (SSE) instead of one JSON body. */
  stream: boolean().optional(),
});

/** Requests and tokens per window for one `provider:model`, `provider:*` or `*` key, shared by all workers. */
export const RateLimitSchema = z.strictObject({
  /** Requests per window. */
  rpm: integer({ min: 1 }).optional(),
  /** Tokens (input + output) per window. */
  tpm: integer({ min: 1 }).optional(),
  /** The counting window. @default 60 */
  windowSeconds: integer({ min: 1 }).optional(),
});

/** USD per million tokens for one model, used when the provider reports no cost. */
export const PriceSchema = z.strictObject({
  inputPerMTok: decimal(),
  outputPerMTok: decimal(),
});

/** Gateway settings; the shape `createGateway` takes, so `config.gateway` can be passed straight in. */
export const GatewayConfigSchema = z.strictObject({
  /**
   * The provider used when a prompt names none (`OPM_DEFAULT_PROVIDER`).
   * @default the first provider with credentials (openrouter, openai, azure_openai), else 'echo'
   */
  defaultProvider: text().optional(),
  /** Send every call to this provider whatever the prompt says, e.g. `mock` (`OPM_FORCE_PROVIDER`). */
  forceProvider: text().optional(),
  /**
   * Keyed by provider name. The environment fills `openrouter` (`OPENROUTER_API_KEY`,
   * `OPM_APP_URL` → referer, `OPM_APP_NAME` → title), `openai` (`OPENAI_API_KEY`, `OPENAI_BASE_URL`)
   * and `azure_openai` (`AZURE_OPENAI_ENDPOINT`, `AZURE_OPENAI_API_KEY`, `AZURE_OPENAI_API_VERSION`).
   * @default {}
   */
  providers: z.record(z.string().min(1), ProviderConfigSchema).default({}),
  retry: z
    .strictObject({
      /** Tries per model before the next fallback (`OPM_RETRY_MAX_ATTEMPTS`). @default 3 */
      maxAttemptsPerModel: integer({ min: 1, max: 20 }).default(3),
      /** First backoff, doubled per retry with full jitter (`OPM_RETRY_BASE_DELAY_MS`). @default 500 */
      baseDelayMs: integer({ min: 0 }).default(500),
      /** Backoff ceiling (`OPM_RETRY_MAX_DELAY_MS`). @default 8000 */
      maxDelayMs: integer({ min: 0 }).default(8000),
      /** A `Retry-After` up to this long is slept in place; longer ones delay the job. @default 2000 */
      maxInPlaceWaitMs: integer({ min: 0 }).default(2000),
    })
    .prefault({}),
  /** Time limit for one HTTP attempt (`OPM_ATTEMPT_TIMEOUT_MS`). @default 60000 */
  attemptTimeoutMs: integer({ min: 1 }).default(60_000),
  breaker: z
    .strictObject({
      /** Consecutive failures that open a provider+model circuit. @default 5 */
      threshold: integer({ min: 1 }).default(5),
      /** How long an open circuit waits before letting one call through. @default 30000 */
      halfOpenAfterMs: integer({ min: 1 }).default(30_000),
    })
    .prefault({}),
  /** Shared limits keyed `provider:model`, `provider:*` or `*` (file only). @default {} */
  rateLimits: z.record(z.string().min(1), RateLimitSchema).default({}),
  /** Price table keyed by model id (file only). @default {} */
  prices: z.record(z.string().min(1), PriceSchema).default({}),
});

/** One webhook endpoint that receives completion events. */
export const WebhookConfigSchema = z.strictObject({
  url: url(['https:', 'http:']),
  /** A slug glob (`acme/support/*`, `acme/**`); every slug when omitted. */
  slugPattern: text().optional(),
  /** Key for the `X-Opm-Signature: sha256=<hex>` HMAC of the body. */
  secret: text(),
  /** Which completion events to send. @default ['completed', 'failed'] */
  events: z
    .array(z.enum(['completed', 'failed']))
    .min(1)
    .default(['completed', 'failed']),
});

/** HTTP API settings (`opm serve`). */
export const ApiConfigSchema = z.strictObject({
  /** Port `opm serve` listens on (`OPM_API_PORT`). @default 8080 */
  port: integer({ min: 0, max: 65_535 }).default(8080),
  /** Address to bind (`OPM_API_HOST`). @default '127.0.0.1' */
  host: text().default('127.0.0.1'),
  /**
   * A bootstrap admin key accepted besides the stored keys (`OPM_ADMIN_KEY`), so the first keys can
   * be created over HTTP. `opm serve` refuses to start with neither this nor a stored key.
   */
  adminKey: text().min(24, { error: 'use at least 24 characters' }).optional(),
  /** Largest accepted request body, bytes (`OPM_API_BODY_LIMIT_BYTES`). @default 1048576 */
  bodyLimitBytes: integer({ min: 1 }).default(1_048_576),
  /** Requests per key per minute before 429 (`OPM_API_RATE_LIMIT_PER_MINUTE`). @default 1200 */
  rateLimitPerMinute: integer({ min: 1 }).default(1200),
});

const ObjectSchema = z.strictObject({
  /** Folder of `.prompty` files; the slug is the path below it (`OPM_PROMPTS_DIR`). @default './prompts' */
  promptsDir: text().default('./prompts'),
  /** Redis for the queue and shared rate limits (`REDIS_URL`). @default 'redis://127.0.0.1:6379' */
  redisUrl: url(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
  /** Postgres for runs (`DATABASE_URL`). When unset, embedded PGlite under `dataDir` is used. */
  databaseUrl: url(['postgres:', 'postgresql:']).optional(),
  /**
   * A Postgres schema for opm's tables and migration journal, created if missing
   * (`OPM_DATABASE_SCHEMA`). Lets tests or several deployments share one database.
   * @default unset: tables in `public`, journal in `drizzle`
   */
  databaseSchema: text()
    .regex(/^[A-Za-z_][A-Za-z0-9_-]{0,62}$/, { error: 'use letters, digits, "_" and "-" (at most 63)' })
    .optional(),
  /** Local state: PGlite files live in `<dataDir>/pglite` (`OPM_DATA_DIR`). @default '.opm' */
  dataDir: text().default('.opm'),
  /** BullMQ key prefix, so several deployments can share one Redis (`OPM_QUEUE_PREFIX`). @default 'opm' */
  queuePrefix: text().default('opm'),
  /** The queue prompt runs go through (`OPM_QUEUE_NAME`). @default 'prompt-runs' */
  queueName: text()
    .regex(/^[a-z0-9][a-z0-9-]*$/, { error: 'use lowercase letters, digits and dashes (BullMQ forbids ":")' })
    .default('prompt-runs'),
  worker: WorkerConfigSchema.prefault({}),
  jobs: JobsConfigSchema.prefault({}),
  gateway: GatewayConfigSchema.prefault({}),
  api: ApiConfigSchema.prefault({}),
  /** Completion webhooks (file only). @default [] */
  webhooks: z.array(WebhookConfigSchema).default([]),
  /** Port for the Prometheus metrics endpoint; none is served when unset (`OPM_METRICS_PORT`). */
  metricsPort: integer({ min: 1, max: 65_535 }).optional(),
  /**
   * Whether to export OpenTelemetry traces and metrics over OTLP (`OPM_TELEMETRY_ENABLED`). Setting
   * `OTEL_EXPORTER_OTLP_ENDPOINT` turns it on too; the OTel SDK reads every other `OTEL_*` itself.
   * @default false
   */
  telemetryEnabled: boolean().default(false),
  /**
   * Record prompt and completion content on LLM spans (`gen_ai.input.messages`,
   * `gen_ai.output.messages`) (`OPM_TELEMETRY_CAPTURE_CONTENT`). Content may hold personal data.
   * @default false
   */
  telemetryCaptureContent: boolean().default(false),
  /** The OpenTelemetry settings opm needs to know about; the SDK reads them from the environment too. */
  otel: z
    .strictObject({
      /** `OTEL_EXPORTER_OTLP_ENDPOINT`: when set, telemetry is exported there. */
      endpoint: url(['https:', 'http:']).optional(),
      /** `OTEL_EXPORTER_OTLP_PROTOCOL`. @default 'http/protobuf' */
      protocol: z.enum(['http/protobuf', 'http/json', 'grpc']).default('http/protobuf'),
      /** `OTEL_METRICS_EXPORTER`: `none` keeps metrics off OTLP (the Prometheus endpoint stays). @default 'otlp' */
      metricsExporter: text().default('otlp'),
      /** `OTEL_METRIC_EXPORT_INTERVAL`, ms. @default 60000 */
      metricExportIntervalMs: integer({ min: 1 }).default(60_000),
      /** `OTEL_SERVICE_NAME`. @default 'opm-worker' (set by the process that starts telemetry) */
      serviceName: text().optional(),
    })
    .prefault({}),
});

/** Without an explicit choice, the first provider that has credentials answers; with none, `echo` does. */
function pickDefaultProvider(gateway: z.infer<typeof GatewayConfigSchema>): string {
  if (gateway.defaultProvider !== undefined) return gateway.defaultProvider;
  const { openrouter, openai, azure_openai: azure } = gateway.providers;
  if (openrouter?.apiKey !== undefined) return 'openrouter';
  if (openai?.apiKey !== undefined) return 'openai';
  if (azure?.endpoint !== undefined && azure.apiKey !== undefined) return 'azure_openai';
  return 'echo';
}

/** Everything opm reads from the environment and `opm.config.json`, validated. */
export const OpmConfigSchema = ObjectSchema.transform((config) => ({
  ...config,
  gateway: { ...config.gateway, defaultProvider: pickDefaultProvider(config.gateway) },
}));

/** The validated configuration (`loadConfig` also resolves `promptsDir` and `dataDir` against `cwd`). */
export type OpmConfig = z.infer<typeof OpmConfigSchema>;
/** What `opm.config.json` and the environment may contain before defaults apply. */
export type OpmConfigInput = z.input<typeof OpmConfigSchema>;
export type WebhookConfig = z.infer<typeof WebhookConfigSchema>;
export type RateLimit = z.infer<typeof RateLimitSchema>;
export type ProviderConfig = z.infer<typeof ProviderConfigSchema>;
export type GatewayConfig = OpmConfig['gateway'];
export type ApiConfig = OpmConfig['api'];
export type Price = z.infer<typeof PriceSchema>;

/** Identity helper that types an `opm.config.json`-shaped object in TypeScript. */
export function defineConfig(config: OpmConfigInput): OpmConfigInput {
  return config;
}
