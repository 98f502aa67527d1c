import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, createSharedRateLimiter, RateLimitedError } from '../../../src/gateway/index.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const messages = [{ role: 'user' as const, content: 'hello' }];

describe('shared rate limits (real Redis)', () => {
  // Two connections stand for two worker processes: nothing is shared but Redis.
  let redisA: Redis;
  let redisB: Redis;

  beforeAll(async () => {
    redisA = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    redisB = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await Promise.all([redisA.connect(), redisB.connect()]);
    } catch (error) {
      throw new Error(
        `Redis is not reachable at ${REDIS_URL}: start it (docker compose up -d redis) or set REDIS_URL`,
        {
          cause: error,
        },
      );
    }
  });
  afterAll(async () => {
    await Promise.all([redisA.quit(), redisB.quit()]);
  });

  it('holds a 10 rpm budget across two limiter instances', async () => {
    const keyPrefix = `test-${randomUUID()}`;
    const limits = { 'openrouter:m': { rpm: 10 } };
    const limiterA = createSharedRateLimiter({ limits, redis: redisA, keyPrefix });
    const limiterB = createSharedRateLimiter({ limits, redis: redisB, keyPrefix });
    const request = { provider: 'openrouter', model: 'm', estimatedTokens: 1 };
    for (let i = 0; i < 10; i++) await (i % 2 === 0 ? limiterA : limiterB).acquire(request);
    const rejection = await limiterB.acquire(request).catch((e: unknown) => e);
    expect(rejection).toBeInstanceOf(RateLimitedError);
    const { retryAfterMs } = rejection as RateLimitedError;
    expect(retryAfterMs).toBeGreaterThan(50_000);
    expect(retryAfterMs).toBeLessThanOrEqual(60_000);
    await expect(limiterA.acquire(request)).rejects.toBeInstanceOf(RateLimitedError);
    // Another model has its own budget.
    await expect(limiterA.acquire({ ...request, model: 'other' })).resolves.toBeDefined();
  });

  it('applies a wildcard rule to each provider+model separately', async () => {
    const keyPrefix = `test-${randomUUID()}`;
    const limiter = createSharedRateLimiter({ limits: { '*': { rpm: 1 } }, redis: redisA, keyPrefix });
    await limiter.acquire({ provider: 'p', model: 'a', estimatedTokens: 1 });
    await limiter.acquire({ provider: 'p', model: 'b', estimatedTokens: 1 });
    await expect(limiter.acquire({ provider: 'p', model: 'a', estimatedTokens: 1 })).rejects.toBeInstanceOf(
      RateLimitedError,
    );
  });

  it('frees the budget when the window ends', async () => {
    const keyPrefix = `test-${randomUUID()}`;
    const limiter = createSharedRateLimiter({
      limits: { '*': { rpm: 1, windowSeconds: 1 } },
      redis: redisA,
      keyPrefix,
    });
    const request = { provider: 'p', model: 'm', estimatedTokens: 1 };
    await limiter.acquire(request);
    const rejection = (await limiter.acquire(request).catch((e: unknown) => e)) as RateLimitedError;
    expect(rejection.retryAfterMs).toBeLessThanOrEqual(1_000);
    await new Promise((resolve) => setTimeout(resolve, rejection.retryAfterMs + 50));
    await expect(limiter.acquire(request)).resolves.toBeDefined();
  });

  it('reserves estimated tokens and settles them to the real usage', async () => {
    const keyPrefix = `test-${randomUUID()}`;
    const limits = { 'p:m': { tpm: 1_000 } };
    const limiterA = createSharedRateLimiter({ limits, redis: redisA, keyPrefix });
    const limiterB = createSharedRateLimiter({ limits, redis: redisB, keyPrefix });
    const reservation = await limiterA.acquire({ provider: 'p', model: 'm', estimatedTokens: 900 });
    await expect(limiterB.acquire({ provider: 'p', model: 'm', estimatedTokens: 200 })).rejects.toMatchObject(
      {
        code: 'gateway.rate_limited',
        details: { limit: 'tpm' },
      },
    );
    await reservation.settle(100);
    await expect(
      limiterB.acquire({ provider: 'p', model: 'm', estimatedTokens: 800 }),
    ).resolves.toBeDefined();
    expect(Number(await redisA.get(`${keyPrefix}:tpm:p:m`))).toBe(900);
  });

  it('waits in place for a short shared-limit wait instead of failing the call', async () => {
    const gateway = createGateway({
      forceProvider: 'mock',
      rateLimits: { 'mock:m': { rpm: 1, windowSeconds: 1 } },
      rateLimitPrefix: `test-${randomUUID()}`,
      retry: { maxInPlaceWaitMs: 1_500 },
      redis: redisA,
    });
    await gateway.complete({ messages, model: { id: 'm' } });
    const started = Date.now();
    await gateway.complete({ messages, model: { id: 'm' } });
    expect(Date.now() - started).toBeGreaterThan(100);
    await gateway.close();
  });

  it('lets two gateways make only 10 calls a minute between them', async () => {
    const rateLimitPrefix = `test-${randomUUID()}`;
    const options = {
      forceProvider: 'mock',
      rateLimits: { 'mock:m': { rpm: 10 } },
      rateLimitPrefix,
      retry: { maxInPlaceWaitMs: 0 },
    };
    const gatewayA = createGateway({ ...options, redis: redisA });
    const gatewayB = createGateway({ ...options, redis: redisB });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 14 }, (_, i) =>
        (i % 2 === 0 ? gatewayA : gatewayB).complete({ messages, model: { id: 'm' } }),
      ),
    );
    const rejected = outcomes
      .filter((o) => o.status === 'rejected')
      .map((o) => (o as PromiseRejectedResult).reason);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(10);
    expect(rejected).toHaveLength(4);
    for (const reason of rejected) {
      expect(reason).toBeInstanceOf(RateLimitedError);
      expect((reason as RateLimitedError).retryAfterMs).toBeGreaterThan(0);
      expect((reason as RateLimitedError).attempts).toEqual([]);
    }
    await Promise.all([gatewayA.close(), gatewayB.close()]);
  });
});
