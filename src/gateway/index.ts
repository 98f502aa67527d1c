/** @module gateway — LLM calls over the openai SDK: providers, retries, fallbacks, breakers, shared rate limits, cost. */

export type { ModelPrice, PriceTable } from './cost.js';
export { computeCostUsd, ModelPriceSchema, PriceTableSchema } from './cost.js';
export type { GatewayErrorCode, GatewayErrorDetails } from './errors.js';
export { GATEWAY_ERROR_CODES, GatewayError, isGatewayError, RateLimitedError } from './errors.js';
export type { CompleteOptions, Gateway } from './gateway.js';
export { createGateway } from './gateway.js';
export type { GatewayOptions, GatewaySettings, ProviderSettings } from './options.js';
export { GatewaySettingsSchema, ProviderSettingsSchema } from './options.js';
export { BUILT_IN_PROVIDERS } from './providers/index.js';
export type { MockReply, MockSettings } from './providers/mock.js';
export { MockReplySchema, MockSettingsSchema } from './providers/mock.js';
export type { RateLimitRule, RateLimits, Reservation, SharedRateLimiter } from './rate-limit.js';
export { createSharedRateLimiter, RateLimitRuleSchema, RateLimitsSchema } from './rate-limit.js';
export type { JsonSchemaResponseFormat } from './structured-output.js';
export { buildResponseFormat } from './structured-output.js';
export type { Fallback } from './targets.js';
export { FallbackSchema } from './targets.js';
export type {
  AttemptRecord,
  CompletionRequest,
  CompletionResult,
  GatewayMessage,
  ModelSpec,
  OutputProperty,
  Usage,
} from './types.js';
export { AttemptRecordSchema, CompletionResultSchema } from './types.js';
