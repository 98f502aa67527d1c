import type { JsonSchemaResponseFormat } from './structured-output.js';
import type { GatewayMessage } from './types.js';

/** The request body sent to `chat.completions.create` (typed loosely: extra fields pass through). */
export type ChatRequestBody = Record<string, unknown> & { model: string; messages: unknown[] };

export interface ChatRequestInput {
  model: string;
  messages: readonly GatewayMessage[];
  /** The prompt's `model.options`, v2 names. */
  options: Record<string, unknown>;
  maxTokensField: 'max_tokens' | 'max_completion_tokens';
  /** Whether the provider accepts non-OpenAI sampling fields such as `top_k`. */
  isTopKAccepted: boolean;
  responseFormat?: JsonSchemaResponseFormat | undefined;
  /** Provider-level additions (OpenRouter's `usage: { include: true }`); the prompt's options win. */
  extraBody?: Record<string, unknown> | undefined;
}

/** v2 option name → OpenAI request field. `maxOutputTokens` and `topK` are handled apart. */
const FIELD_BY_OPTION: Record<string, string> = {
  temperature: 'temperature',
  topP: 'top_p',
  frequencyPenalty: 'frequency_penalty',
  presencePenalty: 'presence_penalty',
  seed: 'seed',
  stopSequences: 'stop',
};

/**
 * Maps a prompt's model options onto a chat-completions body. Unknown option names are dropped
 * (OpenAI rejects unknown fields with 400); `additionalProperties` is the documented escape hatch
 * and is spread verbatim last, so it can set anything, `response_format` included.
 */
export function buildChatRequest(input: ChatRequestInput): ChatRequestBody {
  const body: ChatRequestBody = {
    ...input.extraBody,
    model: input.model,
    messages: toWireMessages(input.messages),
  };
  for (const [option, field] of Object.entries(FIELD_BY_OPTION)) {
    const value = input.options[option];
    if (value !== undefined && value !== null) body[field] = value;
  }
  const maxTokens = input.options.maxOutputTokens;
  if (typeof maxTokens === 'number') body[input.maxTokensField] = maxTokens;
  const topK = input.options.topK;
  if (input.isTopKAccepted && typeof topK === 'number') body.top_k = topK;
  if (input.responseFormat) body.response_format = input.responseFormat;
  const extra = input.options.additionalProperties;
  if (extra && typeof extra === 'object' && !Array.isArray(extra)) Object.assign(body, extra);
  body.model = input.model;
  body.stream = false;
  return body;
}

/** Strips opm-only fields (`metadata`) from messages. */
export function toWireMessages(messages: readonly GatewayMessage[]): unknown[] {
  return messages.map((m) => {
    const wire: Record<string, unknown> = { role: m.role, content: m.content };
    if (m.name !== undefined) wire.name = m.name;
    return wire;
  });
}

/** A rough token estimate (4 characters per token) for rate-limit reservations before the call. */
export function estimateTokens(messages: readonly GatewayMessage[], maxOutputTokens: unknown): number {
  let chars = 0;
  for (const m of messages)
    chars += typeof m.content === 'string' ? m.content.length : JSON.stringify(m.content).length;
  const output = typeof maxOutputTokens === 'number' && maxOutputTokens > 0 ? maxOutputTokens : 0;
  return Math.ceil(chars / 4) + output;
}
