import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../../src/gateway/index.js';
import {
  DURATION_BUCKETS,
  GEN_AI_SEMCONV_VERSION,
  SEMCONV_SCHEMA_URL,
  TOKEN_USAGE_BUCKETS,
} from '../../../src/telemetry/index.js';
import { type FakeOpenAIServer, startFakeOpenAIServer } from '../../support/fake-openai-server.js';
import { createMemoryTelemetry, type MemoryTelemetry } from '../../unit/telemetry/memory-telemetry.js';

const messages = [
  { role: 'system' as const, content: 'You classify tickets.' },
  { role: 'user' as const, content: 'My card was charged twice' },
];

/** The attributes a v1.41.0 inference span carries at start, for the fake server at `port`. */
const startAttributes = (model: string, port: number) => ({
  'gen_ai.operation.name': 'chat',
  'gen_ai.provider.name': 'openrouter',
  'gen_ai.request.model': model,
  'server.address': '127.0.0.1',
  'server.port': port,
});

describe('GenAI spans and metrics of the gateway (semconv v1.41.0)', () => {
  let fake: FakeOpenAIServer;
  let memory: MemoryTelemetry;
  let gateway: Gateway;
  let port: number;

  beforeAll(async () => {
    fake = await startFakeOpenAIServer();
    port = Number(new URL(fake.url).port);
  });
  afterEach(async () => {
    fake.reset();
    await gateway.close();
    await memory.shutdown();
  });
  afterAll(() => fake.close());

  const start = (captureContent = false) => {
    memory = createMemoryTelemetry({ captureContent });
    gateway = createGateway({
      providers: { openrouter: { apiKey: 'k', baseURL: fake.url } },
      retry: { maxAttemptsPerModel: 2, baseDelayMs: 1, maxDelayMs: 5 },
      attemptTimeoutMs: 2_000,
      telemetry: memory.telemetry,
    });
  };
  const finished = (): ReadableSpan[] => memory.spans.getFinishedSpans();

  it('pins the conventions to v1.41.0 on the instrumentation scope', async () => {
    start();
    fake.script({ text: 'billing' });
    await gateway.complete({ messages, model: { id: 'openai/gpt-4o-mini' } });
    expect(GEN_AI_SEMCONV_VERSION).toBe('1.41.0');
    expect(finished()[0]?.instrumentationScope).toMatchObject({
      name: 'open-prompt-manager',
      schemaUrl: 'https://opentelemetry.io/schemas/1.41.0',
    });
    expect(SEMCONV_SCHEMA_URL).toContain(GEN_AI_SEMCONV_VERSION);
  });

  it('records a success as one CLIENT span "chat {model}" with usage, response model and finish reasons', async () => {
    start();
    fake.script({
      text: 'billing',
      model: 'openai/gpt-4o-mini-2024',
      usage: { prompt_tokens: 12, completion_tokens: 3 },
    });
    await gateway.complete({
      messages,
      model: {
        id: 'openai/gpt-4o-mini',
        options: { temperature: 0.2, maxOutputTokens: 64, topP: 0.9, seed: 7, stopSequences: ['\n'] },
      },
    });
    const spans = finished();
    expect(spans).toHaveLength(1);
    const [span] = spans as [ReadableSpan];
    expect(span.name).toBe('chat openai/gpt-4o-mini');
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.attributes).toEqual({
      ...startAttributes('openai/gpt-4o-mini', port),
      'gen_ai.request.temperature': 0.2,
      'gen_ai.request.max_tokens': 64,
      'gen_ai.request.top_p': 0.9,
      'gen_ai.request.seed': 7,
      'gen_ai.request.stop_sequences': ['\n'],
      'gen_ai.request.stream': false,
      'gen_ai.output.type': 'text',
      'gen_ai.response.model': 'openai/gpt-4o-mini-2024',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': 12,
      'gen_ai.usage.output_tokens': 3,
      'opm.llm.attempt': 1,
      'opm.llm.fallback_index': 0,
      'opm.llm.is_fallback': false,
      'opm.provider': 'openrouter',
    });
    // Content is opt-in: nothing of the prompt or the reply is on the span by default.
    expect(JSON.stringify(span.attributes)).not.toContain('charged twice');
    expect(JSON.stringify(span.attributes)).not.toContain('billing');
  });

  it('records the GenAI metrics with their units, attributes and bucket boundaries', async () => {
    start();
    fake.script({ text: 'billing', usage: { prompt_tokens: 12, completion_tokens: 3, cost: 0.25 } });
    await gateway.complete({ messages, model: { id: 'm1' } });
    const metricBase = {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openrouter',
      'gen_ai.request.model': 'm1',
      'gen_ai.response.model': 'm1',
      'server.address': '127.0.0.1',
      'server.port': port,
    };
    const tokens = await memory.points('gen_ai.client.token.usage');
    expect(tokens.map((p) => [p.attributes, p.value, p.count, p.unit])).toEqual([
      [{ ...metricBase, 'gen_ai.token.type': 'input' }, 12, 1, '{token}'],
      [{ ...metricBase, 'gen_ai.token.type': 'output' }, 3, 1, '{token}'],
    ]);
    expect(tokens[0]?.boundaries).toEqual([...TOKEN_USAGE_BUCKETS]);
    const durations = await memory.points('gen_ai.client.operation.duration');
    expect(durations).toHaveLength(1);
    expect(durations[0]).toMatchObject({ attributes: metricBase, count: 1, unit: 's' });
    expect(durations[0]?.boundaries).toEqual([...DURATION_BUCKETS]);
    expect(await memory.points('opm.llm.cost')).toMatchObject([
      { value: 0.25, unit: 'USD', attributes: { 'opm.provider': 'openrouter', 'opm.model': 'm1' } },
    ]);
  });

  it('records a fallback as one span per attempt, errors marked, and counts the fallback', async () => {
    start();
    fake.script(
      { forModel: 'primary', status: 503, times: 2 },
      { forModel: 'secondary', model: 'secondary', usage: { prompt_tokens: 5, completion_tokens: 2 } },
    );
    await gateway.complete({
      messages,
      model: { id: 'primary' },
      opm: { fallbacks: [{ model: 'secondary' }] },
    });
    const spans = finished();
    expect(spans.map((s) => [s.name, s.attributes['opm.llm.attempt'], s.status.code])).toEqual([
      ['chat primary', 1, SpanStatusCode.ERROR],
      ['chat primary', 2, SpanStatusCode.ERROR],
      ['chat secondary', 1, SpanStatusCode.UNSET],
    ]);
    for (const failed of spans.slice(0, 2)) {
      expect(failed.attributes).toEqual({
        ...startAttributes('primary', port),
        'gen_ai.request.stream': false,
        'gen_ai.output.type': 'text',
        'error.type': 'gateway.transient',
        'opm.error.code': 'gateway.transient',
        'opm.llm.attempt': failed.attributes['opm.llm.attempt'],
        'opm.llm.fallback_index': 0,
        'opm.llm.is_fallback': false,
        'opm.provider': 'openrouter',
      });
      expect(failed.events.map((e) => e.name)).toEqual(['exception']);
    }
    expect(spans[2]?.attributes).toMatchObject({
      ...startAttributes('secondary', port),
      'opm.llm.fallback_index': 1,
      'opm.llm.is_fallback': true,
      'gen_ai.usage.input_tokens': 5,
      'gen_ai.usage.output_tokens': 2,
    });
    expect(await memory.points('opm.gateway.fallbacks')).toMatchObject([
      {
        value: 1,
        attributes: { 'opm.fallback.from_model': 'primary', 'opm.fallback.to_model': 'secondary' },
      },
    ]);
    const durations = await memory.points('gen_ai.client.operation.duration');
    expect(
      durations.map((p) => [p.attributes['gen_ai.request.model'], p.attributes['error.type'], p.count]),
    ).toEqual([
      ['primary', 'gateway.transient', 2],
      ['secondary', undefined, 1],
    ]);
  });

  it('records an in-place wait for a shared rate-limit slot', async () => {
    memory = createMemoryTelemetry();
    gateway = createGateway({
      providers: { openrouter: { apiKey: 'k', baseURL: fake.url } },
      rateLimits: { 'openrouter:m1': { rpm: 1, windowSeconds: 1 } },
      retry: { maxInPlaceWaitMs: 1_500 },
      telemetry: memory.telemetry,
    });
    await gateway.complete({ messages, model: { id: 'm1' } });
    await gateway.complete({ messages, model: { id: 'm1' } });
    expect(await memory.points('opm.gateway.rate_limit.waits')).toMatchObject([
      { value: 1, attributes: { 'opm.provider': 'openrouter', 'opm.model': 'm1' } },
    ]);
    const [waited] = await memory.points('opm.gateway.rate_limit.wait.duration');
    expect(waited?.count).toBe(1);
    expect(waited?.value).toBeGreaterThan(0);
    expect(waited?.value).toBeLessThanOrEqual(1);
  });

  it('records a failure with error.type and no usage, and no token metric', async () => {
    start();
    fake.script({ forModel: 'primary', status: 400 });
    await expect(gateway.complete({ messages, model: { id: 'primary' } })).rejects.toMatchObject({
      code: 'gateway.permanent',
    });
    const [span, ...rest] = finished();
    expect(rest).toHaveLength(0);
    expect(span?.name).toBe('chat primary');
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
    expect(span?.attributes).toEqual({
      ...startAttributes('primary', port),
      'gen_ai.request.stream': false,
      'gen_ai.output.type': 'text',
      'error.type': 'gateway.permanent',
      'opm.error.code': 'gateway.permanent',
      'opm.llm.attempt': 1,
      'opm.llm.fallback_index': 0,
      'opm.llm.is_fallback': false,
      'opm.provider': 'openrouter',
    });
    expect(await memory.points('gen_ai.client.token.usage')).toEqual([]);
    expect(await memory.points('gen_ai.client.operation.duration')).toMatchObject([
      { count: 1, attributes: { 'error.type': 'gateway.permanent' } },
    ]);
  });

  it("records prompt and completion content only when capture is on, in the conventions' message shape", async () => {
    start(true);
    fake.script({ text: 'billing', finishReason: 'stop' });
    await gateway.complete({ messages, model: { id: 'm1' } });
    const [span] = finished();
    expect(JSON.parse(String(span?.attributes['gen_ai.input.messages']))).toEqual([
      { role: 'system', parts: [{ type: 'text', content: 'You classify tickets.' }] },
      { role: 'user', parts: [{ type: 'text', content: 'My card was charged twice' }] },
    ]);
    expect(JSON.parse(String(span?.attributes['gen_ai.output.messages']))).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: 'billing' }], finish_reason: 'stop' },
    ]);
  });
});
