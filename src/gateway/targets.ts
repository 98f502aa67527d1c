import { z } from 'zod';
import { GatewayError } from './errors.js';
import type { GatewaySettings } from './options.js';
import { canonicalProvider } from './provider-names.js';
import type { CompletionRequest, Target } from './types.js';

/**
 * One fallback in a prompt file, under `metadata.opm.fallbacks` (Microsoft's runtimes ignore
 * `metadata`). A fallback without `provider` uses the primary's provider and connection.
 */
export const FallbackSchema = z.object({
  model: z.string().min(1),
  provider: z.string().min(1).optional(),
  /** Same shape as `model.connection`: `endpoint` is the base URL, `apiKey` the key. */
  connection: z.record(z.string(), z.unknown()).optional(),
  /** Overrides of `model.options` for this model only. */
  options: z.record(z.string(), z.unknown()).optional(),
});
export type Fallback = z.infer<typeof FallbackSchema>;

/** The part of a prompt's `opm` block the gateway reads. Other keys belong to others and pass. */
export const OpmGatewayBlockSchema = z.looseObject({
  fallbacks: z.array(FallbackSchema).default([]),
});

/** Reads `endpoint` (or its v1 spellings) from a connection block. */
export function connectionString(connection: Record<string, unknown> | undefined, keys: readonly string[]) {
  for (const key of keys) {
    const value = connection?.[key];
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
  }
  return undefined;
}
export const ENDPOINT_KEYS = ['endpoint', 'baseURL', 'base_url', 'azure_endpoint'] as const;
export const API_KEY_KEYS = ['apiKey', 'api_key', 'key'] as const;

/** API types with a different request and reply shape; everything else runs as chat completions. */
const UNSUPPORTED_API_TYPES = new Set(['embedding', 'image']);

/** The ordered list of models to try: the primary (after any override), then the prompt's fallbacks. */
export function resolveTargets(request: CompletionRequest, settings: GatewaySettings): Target[] {
  const fallbackList = fallbacksOf(request.opm);
  const apiType = request.model.apiType ?? 'chat';
  if (UNSUPPORTED_API_TYPES.has(apiType)) {
    throw new GatewayError(
      'gateway.config',
      `model.apiType "${apiType}" is not supported: the gateway runs chat completions`,
      {
        details: { apiType },
      },
    );
  }
  const connection = request.model.connection;
  const primaryProvider = canonicalProvider(
    settings.forceProvider ??
      request.model.provider ??
      (connectionString(connection, ENDPOINT_KEYS) ? 'openai-compatible' : settings.defaultProvider),
  );
  const primaryModel = request.modelOverride ?? request.model.id ?? defaultModelFor(primaryProvider);
  if (!primaryModel) {
    throw new GatewayError(
      'gateway.config',
      'the prompt names no model (model.id) and no override was given',
      {
        details: { provider: primaryProvider },
      },
    );
  }
  const options = request.model.options ?? {};
  const primary = makeTarget(primaryProvider, primaryModel, connection, options);
  const fallbacks = fallbackList.map((fallback) => {
    const isOwnProvider = fallback.provider !== undefined && settings.forceProvider === undefined;
    const provider = isOwnProvider ? canonicalProvider(fallback.provider as string) : primaryProvider;
    const fallbackConnection = isOwnProvider ? fallback.connection : (fallback.connection ?? connection);
    return makeTarget(provider, fallback.model, fallbackConnection, { ...options, ...fallback.options });
  });
  return [primary, ...fallbacks];
}

/**
 * Parsed fallbacks per `opm` block object. A prompt's block is the same object on every call of
 * that prompt, so it is validated once rather than per job.
 */
const parsedFallbacks = new WeakMap<object, readonly Fallback[]>();
const NO_FALLBACKS: readonly Fallback[] = Object.freeze([]);

function fallbacksOf(opm: CompletionRequest['opm']): readonly Fallback[] {
  if (opm === undefined) return NO_FALLBACKS;
  const cached = parsedFallbacks.get(opm);
  if (cached !== undefined) return cached;
  const block = OpmGatewayBlockSchema.safeParse(opm);
  if (!block.success) {
    const issues = block.error.issues.map((i) => `opm.${i.path.join('.')}: ${i.message}`);
    throw new GatewayError('gateway.config', `invalid fallbacks: ${issues.join('; ')}`, {
      details: { issues },
    });
  }
  parsedFallbacks.set(opm, block.data.fallbacks);
  return block.data.fallbacks;
}

function makeTarget(
  provider: string,
  model: string,
  connection: Record<string, unknown> | undefined,
  options: Record<string, unknown>,
): Target {
  const endpoint = connectionString(connection, ENDPOINT_KEYS) ?? '';
  return { provider, model, connection, options, providerKey: `${provider}@${endpoint}` };
}

function defaultModelFor(provider: string): string | undefined {
  return provider === 'echo' || provider === 'mock' ? provider : undefined;
}
