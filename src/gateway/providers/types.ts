import type { JsonSchemaResponseFormat } from '../structured-output.js';
import type { GatewayMessage, Target } from '../types.js';

/** One call to one model, as the gateway hands it to a provider. */
export interface ProviderCall {
  target: Target;
  messages: readonly GatewayMessage[];
  responseFormat?: JsonSchemaResponseFormat | undefined;
  /** Aborts on the attempt timeout or the caller's signal. */
  signal: AbortSignal;
}

/** A provider's successful answer, before output validation and costing. */
export interface ProviderReply {
  text: string;
  /** The model the provider says answered. */
  modelUsed: string;
  inputTokens: number;
  outputTokens: number;
  /** The provider's own figure (OpenRouter `usage.cost`), else null. */
  reportedCostUsd: number | null;
  finishReason: string | null;
}

/**
 * A way to run chat completions. Failures are thrown as the `openai` SDK throws them (or as
 * GatewayErrors) and classified by `classify.ts`, so built-in fakes fail exactly like real servers.
 */
export interface Provider {
  call(call: ProviderCall): Promise<ProviderReply>;
  close(): Promise<void>;
}
