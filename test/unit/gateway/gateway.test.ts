import { describe, expect, it } from 'vitest';
import {
  createGateway,
  createSharedRateLimiter,
  GatewayError,
  type GatewayOptions,
  RateLimitedError,
} from '../../../src/gateway/index.js';

const messages = [
  { role: 'system' as const, content: 'You are terse.' },
  { role: 'user' as const, content: 'Say hi' },
];
const fast = { retry: { baseDelayMs: 1, maxDelayMs: 5 }, attemptTimeoutMs: 200 } satisfies GatewayOptions;

describe('createGateway', () => {
  it('rejects invalid options when created', () => {
    expect(() => createGateway({ retry: { maxAttemptsPerModel: 0 } })).toThrow(
      expect.objectContaining({ code: 'gateway.config' }),
    );
    expect(() => createGateway({ forceProvider: 'nope' })).toThrow(
      expect.objectContaining({ code: 'gateway.config' }),
    );
  });

  it('refuses calls after close', async () => {
    const gateway = createGateway({ forceProvider: 'echo' });
    await gateway.close();
    await gateway.close();
    await expect(gateway.complete({ messages, model: {} })).rejects.toMatchObject({ code: 'gateway.config' });
  });
});

describe('echo provider', () => {
  it('answers with the rendered messages', async () => {
    const gateway = createGateway({ defaultProvider: 'echo' });
    const result = await gateway.complete({ messages, model: {} });
    expect(result).toMatchObject({
      text: 'system: You are terse.\n\nuser: Say hi',
      provider: 'echo',
      modelUsed: 'echo',
      costUsd: 0,
      finishReason: 'stop',
    });
    expect(result.attempts).toEqual([expect.objectContaining({ outcome: 'ok', provider: 'echo' })]);
  });

  it('answers structured prompts with JSON that fits the outputs', async () => {
    const gateway = createGateway({ forceProvider: 'echo' });
    const result = await gateway.complete({
      messages,
      model: { id: 'x' },
      outputs: [{ name: 'label', kind: 'string', required: true, enumValues: ['a', 'b'] }],
    });
    expect(result.json).toEqual({ label: 'a' });
  });
});

describe('mock provider', () => {
  it('plays its script, retries transient failures and records every attempt', async () => {
    const gateway = createGateway({
      ...fast,
      forceProvider: 'mock',
      mock: { script: [{ status: 503 }, { fault: 'reset' }, { text: 'third time', model: 'served-model' }] },
    });
    const result = await gateway.complete({ messages, model: { id: 'm1' } });
    expect(result.text).toBe('third time');
    expect(result.modelUsed).toBe('served-model');
    expect(result.attempts.map((a) => [a.outcome, a.errorCode, a.status])).toEqual([
      ['error', 'gateway.transient', 503],
      ['error', 'gateway.transient', undefined],
      ['ok', null, undefined],
    ]);
  });

  it('falls back to the next model when retries run out', async () => {
    const gateway = createGateway({
      ...fast,
      retry: { ...fast.retry, maxAttemptsPerModel: 2 },
      forceProvider: 'mock',
      mock: { script: [{ forModel: 'primary', status: 500, times: 5 }] },
    });
    const result = await gateway.complete({
      messages,
      model: { id: 'primary' },
      opm: { fallbacks: [{ model: 'backup' }] },
    });
    expect(result.modelRequested).toBe('primary');
    expect(result.modelUsed).toBe('backup');
    expect(result.attempts.map((a) => a.model)).toEqual(['primary', 'primary', 'backup']);
  });

  it('times out a slow attempt and retries it', async () => {
    const gateway = createGateway({
      ...fast,
      attemptTimeoutMs: 50,
      forceProvider: 'mock',
      mock: { script: [{ fault: 'timeout' }] },
    });
    const result = await gateway.complete({ messages, model: { id: 'm' } });
    expect(result.attempts.map((a) => a.errorCode)).toEqual(['gateway.timeout', null]);
  });

  it('resolves targets per model object, opm block and override alike', async () => {
    const gateway = createGateway({
      ...fast,
      forceProvider: 'mock',
      mock: { script: [{ forModel: 'm', status: 402, times: 2 }] },
    });
    const model = { id: 'm' };
    expect((await gateway.complete({ messages, model, modelOverride: 'other' })).modelUsed).toBe('other');
    const withFallback = { messages, model, opm: { fallbacks: [{ model: 'backup' }] } };
    expect((await gateway.complete(withFallback)).modelUsed).toBe('backup');
    await expect(gateway.complete({ messages, model })).rejects.toMatchObject({ code: 'gateway.all_failed' });
    expect((await gateway.complete({ messages, model })).modelUsed).toBe('m');
  });

  it('times out a reply slower than attemptTimeoutMs and retries it', async () => {
    const gateway = createGateway({
      ...fast,
      attemptTimeoutMs: 50,
      forceProvider: 'mock',
      mock: { script: [{ latencyMs: 2_000 }] },
    });
    const result = await gateway.complete({ messages, model: { id: 'm' } });
    expect(result.attempts.map((a) => a.errorCode)).toEqual(['gateway.timeout', null]);
  });

  it('retries a structured reply that does not match the schema', async () => {
    const gateway = createGateway({
      ...fast,
      forceProvider: 'mock',
      mock: { script: [{ text: 'not json' }, { json: { score: 'high' } }, { json: { score: 3 } }] },
    });
    const result = await gateway.complete({
      messages,
      model: { id: 'm' },
      outputs: [{ name: 'score', kind: 'integer', required: true }],
    });
    expect(result.json).toEqual({ score: 3 });
    expect(result.attempts.map((a) => a.errorCode)).toEqual([
      'gateway.invalid_output',
      'gateway.invalid_output',
      null,
    ]);
  });

  it('fails unscripted calls at failureRate with failureStatus', async () => {
    const rolls = [0.1];
    const gateway = createGateway({
      ...fast,
      forceProvider: 'mock',
      random: () => rolls.shift() ?? 0.99,
      mock: { failureRate: 0.5, failureStatus: 502 },
    });
    const result = await gateway.complete({ messages, model: { id: 'm' } });
    expect(result.attempts.map((a) => a.status ?? null)).toEqual([502, null]);
  });

  it('keeps per-process limits without Redis', async () => {
    const gateway = createGateway({
      forceProvider: 'mock',
      rateLimits: { '*': { rpm: 1 } },
      retry: { maxInPlaceWaitMs: 0 },
    });
    await gateway.complete({ messages, model: { id: 'm' } });
    await expect(gateway.complete({ messages, model: { id: 'm' } })).rejects.toBeInstanceOf(RateLimitedError);
  });

  it('limits only the models a rule names', async () => {
    const gateway = createGateway({
      forceProvider: 'mock',
      rateLimits: { 'mock:limited': { rpm: 1 } },
      retry: { maxInPlaceWaitMs: 0 },
    });
    await gateway.complete({ messages, model: { id: 'limited' } });
    for (let i = 0; i < 3; i++) await gateway.complete({ messages, model: { id: 'free' } });
    await expect(gateway.complete({ messages, model: { id: 'limited' } })).rejects.toBeInstanceOf(
      RateLimitedError,
    );
  });

  it('prices usage from the table when the provider reports no cost', async () => {
    const gateway = createGateway({
      forceProvider: 'mock',
      prices: { m: { inputPerMTok: 1, outputPerMTok: 2 } },
      mock: { reply: { usage: { inputTokens: 1_000_000, outputTokens: 500_000 } } },
    });
    const result = await gateway.complete({ messages, model: { id: 'm' } });
    expect(result.usage).toEqual({ inputTokens: 1_000_000, outputTokens: 500_000 });
    expect(result.costUsd).toBe(2);
  });

  it('fails fast on a permanent error without trying fallbacks', async () => {
    const gateway = createGateway({ ...fast, forceProvider: 'mock', mock: { script: [{ status: 400 }] } });
    const error = await gateway
      .complete({ messages, model: { id: 'a' }, opm: { fallbacks: [{ model: 'b' }] } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ code: 'gateway.permanent', retryable: false, status: 400 });
    expect((error as GatewayError).attempts.map((a) => a.model)).toEqual(['a']);
  });

  it('surfaces a long Retry-After as RateLimitedError once no fallback is left', async () => {
    const gateway = createGateway({
      ...fast,
      forceProvider: 'mock',
      mock: { script: [{ status: 429, retryAfterMs: 30_000 }] },
    });
    const error = await gateway.complete({ messages, model: { id: 'a' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ code: 'gateway.rate_limited', retryable: true, retryAfterMs: 30_000 });
    expect((error as RateLimitedError).attempts).toHaveLength(1);
  });

  it('waits maxDelayMs after retries on a 429 without Retry-After run out', async () => {
    const gateway = createGateway({
      ...fast,
      retry: { ...fast.retry, maxAttemptsPerModel: 2 },
      forceProvider: 'mock',
      mock: { script: [{ status: 429, times: 2 }] },
    });
    const error = await gateway.complete({ messages, model: { id: 'a' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ retryAfterMs: 5 });
    expect((error as RateLimitedError).attempts).toHaveLength(2);
  });

  it('opens the breaker after consecutive failures and skips the model', async () => {
    const gateway = createGateway({
      ...fast,
      retry: { ...fast.retry, maxAttemptsPerModel: 1 },
      breaker: { threshold: 2, halfOpenAfterMs: 60_000 },
      forceProvider: 'mock',
      mock: { script: [{ forModel: 'flaky', status: 503, times: 10 }] },
    });
    const request = { messages, model: { id: 'flaky' }, opm: { fallbacks: [{ model: 'steady' }] } };
    await gateway.complete(request);
    await gateway.complete(request);
    const third = await gateway.complete(request);
    expect(third.attempts[0]).toMatchObject({
      model: 'flaky',
      errorCode: 'gateway.circuit_open',
      skipped: true,
    });
    expect(third.modelUsed).toBe('steady');
  });

  it('lets one trial call through once halfOpenAfterMs has passed, and closes on success', async () => {
    const gateway = createGateway({
      ...fast,
      retry: { ...fast.retry, maxAttemptsPerModel: 1 },
      breaker: { threshold: 1, halfOpenAfterMs: 50 },
      forceProvider: 'mock',
      mock: { script: [{ forModel: 'flaky', status: 503 }] },
    });
    const request = { messages, model: { id: 'flaky' }, opm: { fallbacks: [{ model: 'steady' }] } };
    expect((await gateway.complete(request)).modelUsed).toBe('steady');
    expect((await gateway.complete(request)).attempts[0]).toMatchObject({
      errorCode: 'gateway.circuit_open',
    });
    await new Promise((resolve) => setTimeout(resolve, 60));
    const trial = await gateway.complete(request);
    expect(trial.modelUsed).toBe('flaky');
    expect(trial.attempts).toHaveLength(1);
  });

  it('fails without calling the model when the caller signal has already fired', async () => {
    const gateway = createGateway({ ...fast, forceProvider: 'mock', mock: { script: [{ status: 500 }] } });
    const controller = new AbortController();
    controller.abort();
    const failure = gateway.complete({ messages, model: { id: 'm' } }, { signal: controller.signal });
    await expect(failure).rejects.toMatchObject({ code: 'gateway.aborted' });
    // The scripted 500 is still there for the next call: the aborted one never reached the provider.
    const result = await gateway.complete({ messages, model: { id: 'm' } });
    expect(result.attempts.map((a) => a.status ?? null)).toEqual([500, null]);
  });

  it('aborts at once when the caller signal fires', async () => {
    const gateway = createGateway({
      ...fast,
      attemptTimeoutMs: 5_000,
      forceProvider: 'mock',
      mock: { latencyMs: 1_000 },
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    const started = Date.now();
    await expect(
      gateway.complete({ messages, model: { id: 'm' } }, { signal: controller.signal }),
    ).rejects.toMatchObject({ code: 'gateway.aborted' });
    expect(Date.now() - started).toBeLessThan(900);
  });
});

describe('createSharedRateLimiter', () => {
  it('reports whether any rule is configured, so callers can skip it', () => {
    expect(createSharedRateLimiter({ limits: {} }).hasRules).toBe(false);
    expect(createSharedRateLimiter({ limits: { 'mock:*': { tpm: 100 } } }).hasRules).toBe(true);
  });
});
