import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { OpmTelemetry } from '../telemetry/index.js';
import { PriceTableSchema } from './cost.js';
import { GatewayError } from './errors.js';
import { canonicalProvider } from './provider-names.js';
import { MockSettingsSchema } from './providers/mock.js';
import { RateLimitsSchema } from './rate-limit.js';

/** Connection settings for one provider; which fields matter depends on the provider. */
export const ProviderSettingsSchema = z.object({
  apiKey: z.string().min(1).optional(),
  /** Base URL of an OpenAI-compatible API (ends in `/v1` or `/api/v1`). */
  baseURL: z.url().optional(),
  /** Extra headers on every request. */
  headers: z.record(z.string(), z.string()).optional(),
  /** Stream responses (SSE) instead of one JSON body. Queued jobs gain nothing from it. @default false */
  stream: z.boolean().optional(),
  /**
   * Which request field carries `maxOutputTokens`. `max_completion_tokens` is OpenAI's current
   * name (and the only one reasoning models accept); `max_tokens` is what OpenRouter documents and
   * every OpenAI-compatible server understands.
   * @default 'max_completion_tokens' for openai and azure_openai, 'max_tokens' otherwise
   */
  maxTokensField: z.enum(['max_tokens', 'max_completion_tokens']).optional(),
  /** OpenRouter attribution: sent as `HTTP-Referer`. */
  referer: z.string().optional(),
  /** OpenRouter attribution: sent as `X-Title`. */
  title: z.string().optional(),
  /** Azure OpenAI resource endpoint, e.g. `https://my-resource.openai.azure.com`. */
  endpoint: z.url().optional(),
  /** Azure OpenAI deployment; defaults to the model id. */
  deployment: z.string().optional(),
  /** Azure OpenAI API version. @default '2024-10-21' */
  apiVersion: z.string().optional(),
  organization: z.string().optional(),
  project: z.string().optional(),
});
export type ProviderSettings = z.infer<typeof ProviderSettingsSchema>;

export const RetrySettingsSchema = z.object({
  /** Calls per model before falling back (1 = no retry). @default 3 */
  maxAttemptsPerModel: z.number().int().min(1).default(3),
  /** Exponential backoff base; the wait before retry n is random in [0, min(max, base·2^(n-1))]. @default 500 */
  baseDelayMs: z.number().int().nonnegative().default(500),
  /** @default 8000 */
  maxDelayMs: z.number().int().nonnegative().default(8_000),
  /**
   * A provider `Retry-After` (or a shared-limit wait) up to this long is slept in place; a longer
   * one moves on to the next fallback, and when none is left surfaces as `RateLimitedError` so the
   * queue delays the job instead of holding a worker slot. @default 2000
   */
  maxInPlaceWaitMs: z.number().int().nonnegative().default(2_000),
});

export const BreakerSettingsSchema = z.object({
  /** Consecutive transient failures that open the breaker of one provider+model. @default 5 */
  threshold: z.number().int().min(1).default(5),
  /** How long an open breaker skips its model before letting one trial call through. @default 30000 */
  halfOpenAfterMs: z.number().int().positive().default(30_000),
});

/** The data part of {@link GatewayOptions}: validated once by `createGateway`. */
export const GatewaySettingsSchema = z.object({
  /** Provider used when the prompt names none (and has no `connection.endpoint`). @default 'openrouter' */
  defaultProvider: z.string().default('openrouter'),
  /** Send every call to this provider whatever the prompt says (demos, benchmarks: `echo`, `mock`). */
  forceProvider: z.string().optional(),
  /** Keyed by provider name; a name that is not built in is an OpenAI-compatible server and needs `baseURL`. */
  providers: z.record(z.string(), ProviderSettingsSchema).default({}),
  retry: RetrySettingsSchema.prefault({}),
  /** Timeout of one call to a provider. @default 60000 */
  attemptTimeoutMs: z.number().int().positive().default(60_000),
  breaker: BreakerSettingsSchema.prefault({}),
  /** USD per million tokens, keyed by model id; used when the provider reports no cost. */
  prices: PriceTableSchema.default({}),
  /** Shared requests/tokens per window, keyed `provider:model`, `provider:*` or `*`. */
  rateLimits: RateLimitsSchema.default({}),
  /** Redis key prefix of the shared rate limits. @default 'opm:rl' */
  rateLimitPrefix: z.string().min(1).default('opm:rl'),
  /** Scripted behaviour of the built-in `mock` provider. */
  mock: MockSettingsSchema.prefault({}),
});
export type GatewaySettings = z.infer<typeof GatewaySettingsSchema>;

/** Options of {@link createGateway}: the settings plus the clients and clock it should use. */
export type GatewayOptions = z.input<typeof GatewaySettingsSchema> & {
  /** Redis for rate limits shared by every process; without it limits are per process. */
  redis?: Redis;
  /** Epoch milliseconds. @default Date.now */
  now?: () => number;
  /** Uniform in [0, 1): jitter and mock failure rates. @default Math.random */
  random?: () => number;
  /**
   * Traces each call to a model as a GenAI `chat {model}` span and records the GenAI metrics,
   * fallbacks, rate-limit waits and cost. @default none (no telemetry)
   */
  telemetry?: OpmTelemetry;
};

/** Validates the settings, reporting every problem at once as `gateway.config`. */
export function parseGatewaySettings(options: GatewayOptions): GatewaySettings {
  const { redis: _redis, now: _now, random: _random, telemetry: _telemetry, ...data } = options;
  const parsed = GatewaySettingsSchema.safeParse(data);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new GatewayError('gateway.config', `invalid gateway options: ${issues.join('; ')}`, {
      details: { issues },
    });
  }
  // Keyed the way prompts name providers, so `providers.azure` configures what `provider: azure` uses.
  const providers = Object.entries(parsed.data.providers).map(([name, value]) => [
    canonicalProvider(name),
    value,
  ]);
  return { ...parsed.data, providers: Object.fromEntries(providers) };
}
