import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createGateway,
  GatewayError,
  type GatewayOptions,
  RateLimitedError,
} from '../../../src/gateway/index.js';
import { type FakeOpenAIServer, startFakeOpenAIServer } from '../../support/fake-openai-server.js';

const messages = [{ role: 'user' as const, content: 'Classify: my card was charged twice' }];

describe('gateway against an OpenAI-compatible server (real openai SDK)', () => {
  let fake: FakeOpenAIServer;
  let other: FakeOpenAIServer;
  const gateways: Array<{ close(): Promise<void> }> = [];

  beforeAll(async () => {
    fake = await startFakeOpenAIServer();
    other = await startFakeOpenAIServer();
  });
  afterEach(async () => {
    fake.reset();
    other.reset();
    await Promise.all(gateways.splice(0).map((g) => g.close()));
  });
  afterAll(async () => {
    await fake.close();
    await other.close();
  });

  const gatewayFor = (overrides: Partial<GatewayOptions> = {}, stream = false) => {
    const gateway = createGateway({
      providers: {
        openrouter: {
          apiKey: 'or-key',
          baseURL: fake.url,
          referer: 'https://opm.test',
          title: 'opm tests',
          stream,
        },
        backup: { apiKey: 'backup-key', baseURL: other.url, stream },
      },
      retry: { maxAttemptsPerModel: 3, baseDelayMs: 1, maxDelayMs: 10, maxInPlaceWaitMs: 1_500 },
      attemptTimeoutMs: 1_000,
      ...overrides,
    });
    gateways.push(gateway);
    return gateway;
  };
  const withFallback = { messages, model: { id: 'primary' }, opm: { fallbacks: [{ model: 'secondary' }] } };

  it('sends OpenRouter attribution headers, usage accounting and mapped options, and keeps its cost', async () => {
    fake.script({ text: 'billing', usage: { prompt_tokens: 12, completion_tokens: 3, cost: 0.000_42 } });
    const result = await gatewayFor().complete({
      messages,
      model: {
        id: 'openai/gpt-4o-mini',
        options: { temperature: 0.1, maxOutputTokens: 64, stopSequences: ['\n'] },
      },
    });
    expect(result).toMatchObject({
      text: 'billing',
      provider: 'openrouter',
      modelUsed: 'openai/gpt-4o-mini',
      usage: { inputTokens: 12, outputTokens: 3 },
      costUsd: 0.000_42,
      finishReason: 'stop',
    });
    const [request] = fake.requests;
    expect(request?.url).toBe('/v1/chat/completions');
    expect(request?.headers).toMatchObject({
      authorization: 'Bearer or-key',
      'http-referer': 'https://opm.test',
      'x-title': 'opm tests',
    });
    expect(request?.body).toMatchObject({
      model: 'openai/gpt-4o-mini',
      temperature: 0.1,
      max_tokens: 64,
      stop: ['\n'],
      usage: { include: true },
      messages: [{ role: 'user', content: messages[0]?.content }],
    });
  });

  it('falls back to the next model after a 503 and records which model answered', async () => {
    fake.script(
      { forModel: 'primary', status: 503, times: 3 },
      { forModel: 'secondary', model: 'secondary-2025' },
    );
    const result = await gatewayFor().complete(withFallback);
    expect(result.modelRequested).toBe('primary');
    expect(result.modelUsed).toBe('secondary-2025');
    expect(result.attempts.map((a) => [a.model, a.outcome, a.status])).toEqual([
      ['primary', 'error', 503],
      ['primary', 'error', 503],
      ['primary', 'error', 503],
      ['secondary', 'ok', undefined],
    ]);
  });

  it('fails fast on a 400 without retrying or falling back', async () => {
    fake.script({ forModel: 'primary', status: 400 });
    const error = await gatewayFor()
      .complete(withFallback)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'gateway.permanent', retryable: false, status: 400 });
    expect(fake.requests).toHaveLength(1);
    expect(fake.requestsFor('secondary')).toHaveLength(0);
  });

  it('retries an attempt that times out', async () => {
    fake.script({ delayMs: 3_000 });
    const result = await gatewayFor().complete({ messages, model: { id: 'm' } });
    expect(result.attempts.map((a) => a.errorCode)).toEqual(['gateway.timeout', null]);
    expect(result.attempts[0]?.latencyMs).toBeGreaterThanOrEqual(990);
  });

  for (const stream of [false, true]) {
    const mode = stream ? 'SSE' : 'JSON';
    it.each(['reset', 'malformed', 'truncated', 'error-200', 'finish-error'] as const)(
      `retries a %s ${mode} response`,
      async (fault) => {
        fake.script({ fault });
        const result = await gatewayFor({}, stream).complete({ messages, model: { id: 'm' } });
        expect(result.text).toBe('ok');
        expect(result.attempts.map((a) => [a.outcome, a.errorCode])).toEqual([
          ['error', 'gateway.transient'],
          ['ok', null],
        ]);
        expect(fake.requests.every((r) => r.isStream === stream)).toBe(true);
      },
    );
  }

  it('times out a stream that stalls after its first chunk, and retries it', async () => {
    fake.script({ fault: 'stall' });
    const result = await gatewayFor({}, true).complete({ messages, model: { id: 'm' } });
    expect(result.text).toBe('ok');
    expect(result.attempts.map((a) => a.errorCode)).toEqual(['gateway.timeout', null]);
  });

  it('assembles a streamed reply with its usage', async () => {
    fake.script({
      text: 'a longer streamed answer',
      usage: { prompt_tokens: 9, completion_tokens: 5, cost: 0.01 },
    });
    const result = await gatewayFor({}, true).complete({ messages, model: { id: 'm' } });
    expect(result).toMatchObject({
      text: 'a longer streamed answer',
      usage: { inputTokens: 9, outputTokens: 5 },
      costUsd: 0.01,
    });
    expect(fake.requests[0]?.body.stream_options).toEqual({ include_usage: true });
  });

  it('sleeps a short Retry-After in place, then retries the same model', async () => {
    fake.script({ status: 429, retryAfter: 1 });
    const started = Date.now();
    const result = await gatewayFor().complete({ messages, model: { id: 'm' } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(990);
    expect(result.attempts.map((a) => [a.errorCode, a.status])).toEqual([
      ['gateway.rate_limited', 429],
      [null, undefined],
    ]);
  });

  it('turns a long Retry-After into RateLimitedError when no fallback is left', async () => {
    fake.script({ status: 429, retryAfter: 120 });
    const error = await gatewayFor()
      .complete({ messages, model: { id: 'm' } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ code: 'gateway.rate_limited', retryAfterMs: 120_000 });
    expect(fake.requests).toHaveLength(1);
  });

  it('after a 401 skips fallbacks on the same provider and uses a different one', async () => {
    fake.script({ forModel: 'primary', status: 401 });
    const result = await gatewayFor().complete({
      messages,
      model: { id: 'primary' },
      opm: { fallbacks: [{ model: 'secondary' }, { model: 'elsewhere', provider: 'backup' }] },
    });
    expect(result.provider).toBe('backup');
    expect(fake.requestsFor('secondary')).toHaveLength(0);
    expect(other.requests[0]?.headers.authorization).toBe('Bearer backup-key');
    expect(result.attempts.map((a) => [a.model, a.errorCode, a.skipped ?? false])).toEqual([
      ['primary', 'gateway.auth', false],
      ['secondary', 'gateway.auth', true],
      ['elsewhere', null, false],
    ]);
  });

  it('fails with gateway.auth when every provider refuses the credentials', async () => {
    fake.script({ status: 403, times: 5 });
    const error = await gatewayFor()
      .complete(withFallback)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'gateway.auth', retryable: false });
    expect(fake.requests).toHaveLength(1);
  });

  it('reports every attempt on gateway.all_failed', async () => {
    fake.script({ status: 502, times: 10 });
    const error = await gatewayFor({ retry: { maxAttemptsPerModel: 2, baseDelayMs: 1, maxDelayMs: 2 } })
      .complete(withFallback)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ code: 'gateway.all_failed', retryable: true });
    expect((error as GatewayError).attempts.map((a) => a.model)).toEqual([
      'primary',
      'primary',
      'secondary',
      'secondary',
    ]);
  });

  it('targets any OpenAI-compatible server from the prompt file alone', async () => {
    const gateway = createGateway({ attemptTimeoutMs: 1_000 });
    gateways.push(gateway);
    const result = await gateway.complete({
      messages,
      model: { id: 'llama3', connection: { kind: 'key', endpoint: other.url, apiKey: 'file-key' } },
    });
    expect(result.provider).toBe('openai-compatible');
    expect(other.requests[0]?.headers.authorization).toBe('Bearer file-key');
  });

  it('calls Azure OpenAI deployments with api-key and api-version', async () => {
    const gateway = createGateway({
      providers: { azure_openai: { apiKey: 'az-key', endpoint: fake.origin, apiVersion: '2024-10-21' } },
      attemptTimeoutMs: 1_000,
    });
    gateways.push(gateway);
    await gateway.complete({
      messages,
      model: { id: 'gpt-4o', provider: 'azure', options: { maxOutputTokens: 10 } },
    });
    const [request] = fake.requests;
    expect(request?.url).toBe('/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21');
    expect(request?.headers['api-key']).toBe('az-key');
    expect(request?.body.max_completion_tokens).toBe(10);
  });

  it('sends a json_schema response format and retries a reply that does not parse', async () => {
    fake.script({ text: 'I think it is billing' }, { json: { category: 'billing' } });
    const result = await gatewayFor().complete({
      messages,
      model: { id: 'm' },
      outputs: [{ name: 'category', kind: 'string', required: true, enumValues: ['billing', 'bug'] }],
    });
    expect(result.json).toEqual({ category: 'billing' });
    expect(result.attempts.map((a) => a.errorCode)).toEqual(['gateway.invalid_output', null]);
    expect(fake.requests[0]?.body.response_format).toMatchObject({
      type: 'json_schema',
      json_schema: { name: 'structured_output', strict: true },
    });
  });

  it('reports a missing OpenRouter key as gateway.config', async () => {
    const gateway = createGateway({});
    gateways.push(gateway);
    await expect(gateway.complete({ messages, model: { id: 'm' } })).rejects.toMatchObject({
      code: 'gateway.config',
      message: expect.stringContaining('OPENROUTER_API_KEY'),
    });
  });
});
