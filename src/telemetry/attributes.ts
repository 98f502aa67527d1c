/**
 * Attribute, span and metric names. The `gen_ai.*` names follow the OpenTelemetry GenAI semantic
 * conventions of {@link GEN_AI_SEMCONV_VERSION} (Development status); the `opm.*` names are ours.
 */

/**
 * The semantic-conventions release the GenAI telemetry is pinned to: v1.41.0, the last release
 * before the GenAI conventions moved to their own repository.
 */
export const GEN_AI_SEMCONV_VERSION = '1.41.0';
/** Schema URL of the pinned release, set on the tracer and meter. */
export const SEMCONV_SCHEMA_URL = `https://opentelemetry.io/schemas/${GEN_AI_SEMCONV_VERSION}`;

/** Instrumentation scope name of every opm tracer and meter. */
export const INSTRUMENTATION_SCOPE = 'open-prompt-manager';

/** `gen_ai.*` attribute names (v1.41.0 `docs/gen-ai/gen-ai-spans.md`, `gen-ai-metrics.md`). */
export const GEN_AI = {
  operationName: 'gen_ai.operation.name',
  providerName: 'gen_ai.provider.name',
  requestModel: 'gen_ai.request.model',
  requestMaxTokens: 'gen_ai.request.max_tokens',
  requestTemperature: 'gen_ai.request.temperature',
  requestTopP: 'gen_ai.request.top_p',
  requestTopK: 'gen_ai.request.top_k',
  requestFrequencyPenalty: 'gen_ai.request.frequency_penalty',
  requestPresencePenalty: 'gen_ai.request.presence_penalty',
  requestStopSequences: 'gen_ai.request.stop_sequences',
  requestSeed: 'gen_ai.request.seed',
  requestStream: 'gen_ai.request.stream',
  outputType: 'gen_ai.output.type',
  responseModel: 'gen_ai.response.model',
  responseFinishReasons: 'gen_ai.response.finish_reasons',
  usageInputTokens: 'gen_ai.usage.input_tokens',
  usageOutputTokens: 'gen_ai.usage.output_tokens',
  tokenType: 'gen_ai.token.type',
  /** Opt-in content attributes, JSON strings following the conventions' message schemas. */
  inputMessages: 'gen_ai.input.messages',
  outputMessages: 'gen_ai.output.messages',
} as const;

/** General attributes the GenAI conventions reuse. */
export const GENERAL = {
  errorType: 'error.type',
  serverAddress: 'server.address',
  serverPort: 'server.port',
} as const;

/** `gen_ai.operation.name` of a chat completion. */
export const GEN_AI_OPERATION_CHAT = 'chat';

/** opm's own attributes, on job, step and LLM spans and on opm metrics. */
export const OPM = {
  promptSlug: 'opm.prompt.slug',
  promptVersion: 'opm.prompt.version',
  promptLabel: 'opm.prompt.label',
  promptVariant: 'opm.prompt.variant',
  jobId: 'opm.job.id',
  /** Which BullMQ attempt of the job this is (1 = first). */
  jobAttempt: 'opm.job.attempt',
  /** Which call to the same model inside one gateway call (1 = first). */
  llmAttempt: 'opm.llm.attempt',
  /** Position of the model in the fallback chain (0 = the primary). */
  fallbackIndex: 'opm.llm.fallback_index',
  isFallback: 'opm.llm.is_fallback',
  provider: 'opm.provider',
  model: 'opm.model',
  fallbackFrom: 'opm.fallback.from_model',
  fallbackTo: 'opm.fallback.to_model',
  errorCode: 'opm.error.code',
  status: 'opm.run.status',
  costUsd: 'opm.cost.usd',
  tokensInput: 'opm.tokens.input',
  tokensOutput: 'opm.tokens.output',
  queueName: 'opm.queue.name',
  queueState: 'opm.queue.state',
} as const;

/** Names of the spans opm starts itself (LLM spans are named `chat {model}`). */
export const SPAN = {
  queueWait: 'opm.queue.wait',
  render: 'opm.prompt.render',
  persist: 'opm.run.persist',
  notify: 'opm.run.notify',
} as const;

/** Metric names: the two GenAI client metrics, then opm's. */
export const METRIC = {
  tokenUsage: 'gen_ai.client.token.usage',
  operationDuration: 'gen_ai.client.operation.duration',
  jobsCompleted: 'opm.jobs.completed',
  jobsFailed: 'opm.jobs.failed',
  jobDuration: 'opm.job.duration',
  queueWait: 'opm.queue.wait.duration',
  queueDepth: 'opm.queue.depth',
  fallbacks: 'opm.gateway.fallbacks',
  rateLimitWaits: 'opm.gateway.rate_limit.waits',
  rateLimitWaitDuration: 'opm.gateway.rate_limit.wait.duration',
  cost: 'opm.llm.cost',
} as const;

/** `gen_ai.client.token.usage` bucket boundaries (v1.41.0), in tokens. */
export const TOKEN_USAGE_BUCKETS = [
  1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
] as const;

/** `gen_ai.client.operation.duration` bucket boundaries (v1.41.0), in seconds; reused for opm durations. */
export const DURATION_BUCKETS = [
  0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
] as const;

/**
 * `gen_ai.provider.name` for opm's provider names: the well-known values where one applies,
 * else opm's name (the conventions allow custom values, e.g. `openrouter`, which has none).
 */
export function genAiProviderName(provider: string): string {
  return GEN_AI_PROVIDER_NAMES[provider] ?? provider;
}

const GEN_AI_PROVIDER_NAMES: Record<string, string> = {
  openai: 'openai',
  azure_openai: 'azure.ai.openai',
  'openai-compatible': 'openai',
};
