import { z } from 'zod';

/** One call to one provider+model, or a target skipped without a call. */
export const AttemptRecordSchema = z.object({
  provider: z.string(),
  model: z.string(),
  /** Epoch milliseconds. */
  startedAt: z.number(),
  latencyMs: z.number(),
  outcome: z.enum(['ok', 'error']),
  /** A `gateway.*` code; null on success. */
  errorCode: z.string().nullable(),
  errorMessage: z.string().nullable(),
  /** HTTP status of the provider's answer, when there was one. */
  status: z.number().int().optional(),
  /** True when no request was sent (open circuit, provider already rejected our credentials). */
  skipped: z.boolean().optional(),
});
export type AttemptRecord = z.infer<typeof AttemptRecordSchema>;

export const UsageSchema = z.object({
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
});
export type Usage = z.infer<typeof UsageSchema>;

/** What `gateway.complete` resolves with. */
export const CompletionResultSchema = z.object({
  /** The assistant's text (for structured outputs, the raw JSON text). */
  text: z.string(),
  /** The parsed and validated reply when the prompt declares `outputs`; otherwise null. */
  json: z.unknown().nullable(),
  /** The provider that answered. */
  provider: z.string(),
  /** The primary model asked for (after any override), before fallbacks. */
  modelRequested: z.string(),
  /** The model that actually answered, as the provider's response names it. */
  modelUsed: z.string(),
  attempts: z.array(AttemptRecordSchema),
  usage: UsageSchema,
  /** USD: the provider's reported cost, else the price table, else null. */
  costUsd: z.number().nullable(),
  /** Wall time of the whole call, retries and fallbacks included. */
  latencyMs: z.number(),
  finishReason: z.string().nullable(),
});
export type CompletionResult = z.infer<typeof CompletionResultSchema>;

/** One model to try: the primary or a fallback, resolved to a provider. */
export interface Target {
  /** Canonical provider name (`openrouter`, `openai`, `azure_openai`, `openai-compatible`, `echo`, `mock`, or a configured custom name). */
  provider: string;
  model: string;
  /** The prompt's `model.connection` (or the fallback's): endpoint, apiKey, deployment... */
  connection: Record<string, unknown> | undefined;
  /** The prompt's `model.options` (v2 names), merged with the fallback's overrides. */
  options: Record<string, unknown>;
  /** Identity of the credentials+endpoint, for "401/403 falls back only to a different provider". */
  providerKey: string;
}

/*
 * The shapes below mirror prompty's `ChatMessage`, `Model` and `Property` structurally, so the
 * worker passes a loaded prompt straight in while the gateway stays independent of prompty.
 */

/** A chat message as the prompty engine renders it. */
export interface GatewayMessage {
  role: 'system' | 'user' | 'assistant' | 'developer' | 'function' | 'tool';
  /** A string, or multimodal parts (`{ type: 'text', text }`, `{ type: 'image_url', ... }`). */
  content: string | ReadonlyArray<Record<string, unknown>>;
  name?: string | undefined;
  /** Role attributes from the template; not sent to the provider. */
  metadata?: Record<string, unknown> | undefined;
}

/** A prompt's `model` block (v2 shape). */
export interface ModelSpec {
  id?: string | undefined;
  provider?: string | undefined;
  apiType?: string | undefined;
  /** `{ kind, endpoint, apiKey, deployment?, apiVersion? }`; `endpoint` is the base URL. */
  connection?: Record<string, unknown> | undefined;
  /** `temperature, maxOutputTokens, topP, topK, frequencyPenalty, presencePenalty, seed, stopSequences, additionalProperties`. */
  options?: Record<string, unknown> | undefined;
}

/** An output declaration (prompty `Property`). */
export interface OutputProperty {
  name: string;
  kind: string;
  description?: string | undefined;
  required?: boolean | undefined;
  nullable?: boolean | undefined;
  enumValues?: unknown[] | undefined;
  items?: OutputProperty | undefined;
  properties?: OutputProperty[] | undefined;
}

/** The input of `gateway.complete`. */
export interface CompletionRequest {
  messages: readonly GatewayMessage[];
  model: ModelSpec;
  /** The prompt's `outputs`: non-empty means a `json_schema` response, parsed and validated. */
  outputs?: readonly OutputProperty[] | undefined;
  /** The prompt's `opm` block (`metadata.opm` in the file); `fallbacks` is read from it. */
  opm?: Record<string, unknown> | undefined;
  /** Replaces the primary model id (fallbacks stay). */
  modelOverride?: string | undefined;
  /** Free-form tags for tracing; not sent to the provider. */
  metadata?: Record<string, string> | undefined;
}
