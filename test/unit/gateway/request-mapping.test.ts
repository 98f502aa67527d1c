import { describe, expect, it } from 'vitest';
import { buildChatRequest, estimateTokens } from '../../../src/gateway/request-mapping.js';
import type { GatewayMessage } from '../../../src/gateway/types.js';

const messages: GatewayMessage[] = [
  { role: 'system', content: 'Be brief.', metadata: { nonce: 'x' } },
  { role: 'user', content: 'Hello', name: 'ann' },
];

describe('buildChatRequest', () => {
  const base = { model: 'm', messages, maxTokensField: 'max_tokens', isTopKAccepted: true } as const;

  it('maps v2 option names onto OpenAI request fields', () => {
    const body = buildChatRequest({
      ...base,
      options: {
        temperature: 0.2,
        topP: 0.9,
        frequencyPenalty: 0.1,
        presencePenalty: 0.3,
        seed: 7,
        stopSequences: ['END'],
        maxOutputTokens: 256,
        topK: 40,
      },
    });
    expect(body).toEqual({
      model: 'm',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hello', name: 'ann' },
      ],
      temperature: 0.2,
      top_p: 0.9,
      frequency_penalty: 0.1,
      presence_penalty: 0.3,
      seed: 7,
      stop: ['END'],
      max_tokens: 256,
      top_k: 40,
      stream: false,
    });
  });

  it('writes max_completion_tokens and drops top_k for OpenAI itself', () => {
    const body = buildChatRequest({
      ...base,
      maxTokensField: 'max_completion_tokens',
      isTopKAccepted: false,
      options: { maxOutputTokens: 100, topK: 5 },
    });
    expect(body.max_completion_tokens).toBe(100);
    expect(body).not.toHaveProperty('max_tokens');
    expect(body).not.toHaveProperty('top_k');
  });

  it('passes additionalProperties through verbatim, over provider extras', () => {
    const body = buildChatRequest({
      ...base,
      options: {
        additionalProperties: { reasoning: { effort: 'low' }, usage: { include: false } },
        unknownThing: 1,
      },
      extraBody: { usage: { include: true } },
    });
    expect(body.reasoning).toEqual({ effort: 'low' });
    expect(body.usage).toEqual({ include: false });
    expect(body).not.toHaveProperty('unknownThing');
  });

  it('sets the response format for structured outputs', () => {
    const responseFormat = {
      type: 'json_schema' as const,
      json_schema: { name: 'structured_output', strict: true, schema: { type: 'object' as const } },
    };
    expect(buildChatRequest({ ...base, options: {}, responseFormat }).response_format).toBe(responseFormat);
  });
});

describe('estimateTokens', () => {
  it('counts four characters per token plus the output budget', () => {
    expect(estimateTokens([{ role: 'user', content: 'x'.repeat(40) }], 100)).toBe(110);
    expect(estimateTokens([{ role: 'user', content: 'x'.repeat(41) }], undefined)).toBe(11);
  });
});
