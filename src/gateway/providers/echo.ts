import { sampleFromSchema } from '../json-schema.js';
import type { GatewayMessage } from '../types.js';
import type { Provider, ProviderCall, ProviderReply } from './types.js';

/**
 * The zero-config provider: answers with the rendered messages themselves (`role: content`
 * blocks), or with a schema-conforming sample when the prompt declares `outputs`. Free.
 */
export function createEchoProvider(): Provider {
  return {
    async call({ target, messages, responseFormat }: ProviderCall): Promise<ProviderReply> {
      const text = responseFormat
        ? JSON.stringify(sampleFromSchema(responseFormat.json_schema.schema))
        : renderTranscript(messages);
      return {
        text,
        modelUsed: target.model,
        inputTokens: Math.ceil(transcriptLength(messages) / 4),
        outputTokens: Math.ceil(text.length / 4),
        reportedCostUsd: 0,
        finishReason: 'stop',
      };
    },
    close: async () => {},
  };
}

/** The length of {@link renderTranscript}'s text, without building it. */
export function transcriptLength(messages: readonly GatewayMessage[]): number {
  let length = messages.length > 1 ? 2 * (messages.length - 1) : 0;
  for (const m of messages) {
    if (typeof m.content !== 'string') return renderTranscript(messages).length;
    length += m.role.length + 2 + m.content.length;
  }
  return length;
}

/** Messages as readable text; multimodal parts other than text are named, not inlined. */
export function renderTranscript(messages: readonly GatewayMessage[]): string {
  return messages
    .map((m) => {
      const content =
        typeof m.content === 'string'
          ? m.content
          : m.content
              .map((part) => (typeof part.text === 'string' ? part.text : `[${String(part.type)}]`))
              .join('');
      return `${m.role}: ${content}`;
    })
    .join('\n\n');
}
