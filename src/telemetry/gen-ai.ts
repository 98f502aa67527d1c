import {
  type Attributes,
  context as contextApi,
  type Span,
  SpanKind,
  trace as traceApi,
} from '@opentelemetry/api';
import { GEN_AI, GEN_AI_OPERATION_CHAT, GENERAL, genAiProviderName, OPM } from './attributes.js';
import type { OpmTelemetry } from './telemetry.js';
import { errorTypeOf, markError } from './with-span.js';

/** One call to one model, as the gateway is about to make it. */
export interface LlmCall {
  /** opm's provider name (`openrouter`, `openai`, `azure_openai`, `mock`...). */
  provider: string;
  model: string;
  /** The prompt's `model.options` (v2 names: `maxOutputTokens`, `topP`...). */
  options: Record<string, unknown>;
  /** Base URL of the provider, when known (for `server.address` / `server.port`). */
  endpoint?: string | undefined;
  /** 1 for the first call to this model inside one gateway call. */
  attempt: number;
  /** 0 for the primary model, n for the n-th fallback. */
  fallbackIndex: number;
  isStream?: boolean;
  /** Whether a JSON schema was requested (`gen_ai.output.type` = `json`). */
  isJson?: boolean;
  /** Recorded only when content capture is on. */
  messages?: readonly { role: string; content: unknown; name?: string | undefined }[];
}

/** What the provider answered, for the span and the metrics. */
export interface LlmReply {
  responseModel: string;
  inputTokens: number;
  outputTokens: number;
  finishReason: string | null;
  /** Recorded only when content capture is on. */
  text?: string;
}

/**
 * Runs one LLM call inside a GenAI client span `chat {model}` (v1.41.0) and records
 * `gen_ai.client.operation.duration` and `gen_ai.client.token.usage`. Failures set `error.type`
 * (the gateway's failure code) on the span and on the duration metric.
 */
export async function traceLlmCall<T>(
  telemetry: OpmTelemetry,
  call: LlmCall,
  fn: () => Promise<T>,
  describe: (value: T) => LlmReply,
  errorType: (error: unknown) => string = errorTypeOf,
): Promise<T> {
  const base = metricAttributes(call);
  const startedAt = performance.now();
  const span = telemetry.tracer.startSpan(`${GEN_AI_OPERATION_CHAT} ${call.model}`, {
    kind: SpanKind.CLIENT,
    attributes: spanStartAttributes(call, telemetry.captureContent),
  });
  try {
    const value = await contextApi.with(traceApi.setSpan(contextApi.active(), span), fn);
    const reply = describe(value);
    recordReply(span, reply, telemetry.captureContent);
    const withResponse = { ...base, [GEN_AI.responseModel]: reply.responseModel };
    telemetry.metrics.operationDuration.record(elapsedSeconds(startedAt), withResponse);
    telemetry.metrics.tokenUsage.record(reply.inputTokens, { ...withResponse, [GEN_AI.tokenType]: 'input' });
    telemetry.metrics.tokenUsage.record(reply.outputTokens, {
      ...withResponse,
      [GEN_AI.tokenType]: 'output',
    });
    return value;
  } catch (error) {
    const type = errorType(error);
    markError(span, error, type);
    span.setAttribute(OPM.errorCode, type);
    telemetry.metrics.operationDuration.record(elapsedSeconds(startedAt), {
      ...base,
      [GENERAL.errorType]: type,
    });
    throw error;
  } finally {
    span.end();
  }
}

/** The attributes the conventions want at span start (sampling may depend on them). */
function spanStartAttributes(call: LlmCall, captureContent: boolean): Attributes {
  const o = call.options;
  const attributes: Attributes = {
    ...metricAttributes(call),
    [GEN_AI.requestMaxTokens]: numberOf(o.maxOutputTokens),
    [GEN_AI.requestTemperature]: numberOf(o.temperature),
    [GEN_AI.requestTopP]: numberOf(o.topP),
    [GEN_AI.requestTopK]: numberOf(o.topK),
    [GEN_AI.requestFrequencyPenalty]: numberOf(o.frequencyPenalty),
    [GEN_AI.requestPresencePenalty]: numberOf(o.presencePenalty),
    [GEN_AI.requestSeed]: numberOf(o.seed),
    [GEN_AI.requestStopSequences]: stringsOf(o.stopSequences),
    [GEN_AI.requestStream]: call.isStream,
    [GEN_AI.outputType]: call.isJson ? 'json' : 'text',
    [OPM.llmAttempt]: call.attempt,
    [OPM.fallbackIndex]: call.fallbackIndex,
    [OPM.isFallback]: call.fallbackIndex > 0,
    [OPM.provider]: call.provider,
  };
  if (captureContent && call.messages) attributes[GEN_AI.inputMessages] = inputMessagesJson(call.messages);
  for (const key of Object.keys(attributes)) if (attributes[key] === undefined) delete attributes[key];
  return attributes;
}

/** The attributes shared by the span and both GenAI metrics. */
function metricAttributes(call: LlmCall): Attributes {
  const server = serverOf(call.endpoint);
  return {
    [GEN_AI.operationName]: GEN_AI_OPERATION_CHAT,
    [GEN_AI.providerName]: genAiProviderName(call.provider),
    [GEN_AI.requestModel]: call.model,
    ...(server === undefined
      ? {}
      : { [GENERAL.serverAddress]: server.address, [GENERAL.serverPort]: server.port }),
  };
}

function recordReply(span: Span, reply: LlmReply, captureContent: boolean): void {
  span.setAttributes({
    [GEN_AI.responseModel]: reply.responseModel,
    [GEN_AI.usageInputTokens]: reply.inputTokens,
    [GEN_AI.usageOutputTokens]: reply.outputTokens,
    [GEN_AI.responseFinishReasons]: reply.finishReason === null ? [] : [reply.finishReason],
  });
  if (captureContent && reply.text !== undefined) {
    const message = {
      role: 'assistant',
      parts: [{ type: 'text', content: reply.text }],
      finish_reason: reply.finishReason ?? 'stop',
    };
    span.setAttribute(GEN_AI.outputMessages, JSON.stringify([message]));
  }
}

/** Messages in the conventions' `gen-ai-input-messages.json` shape, serialised for a span attribute. */
export function inputMessagesJson(messages: NonNullable<LlmCall['messages']>): string {
  return JSON.stringify(
    messages.map((message) => ({
      role: message.role,
      ...(message.name === undefined ? {} : { name: message.name }),
      parts: partsOf(message.content),
    })),
  );
}

function partsOf(content: unknown): unknown[] {
  if (typeof content === 'string') return [{ type: 'text', content }];
  if (!Array.isArray(content)) return [];
  return content.map((part: Record<string, unknown>) =>
    part.type === 'text' ? { type: 'text', content: part.text } : { type: String(part.type ?? 'unknown') },
  );
}

function serverOf(endpoint: string | undefined): { address: string; port: number } | undefined {
  if (endpoint === undefined) return undefined;
  try {
    const url = new URL(endpoint);
    const port = url.port === '' ? (url.protocol === 'http:' ? 80 : 443) : Number(url.port);
    return { address: url.hostname, port };
  } catch {
    return undefined;
  }
}

function numberOf(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function stringsOf(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : undefined;
}

function elapsedSeconds(startedAt: number): number {
  return (performance.now() - startedAt) / 1000;
}
