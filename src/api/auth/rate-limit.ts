import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

/** Options for {@link createKeyRateLimiter}. */
export interface KeyRateLimiterOptions {
  redis: Redis;
  /** Redis key prefix, shared by every API process of a deployment. */
  keyPrefix: string;
  /** Requests one key may make per window. */
  points: number;
  /** @default 60 */
  windowSeconds?: number;
}

export type RateDecision = { allowed: true } | { allowed: false; retryAfterMs: number };

/** Counts requests per API key in Redis, so the limit holds across API processes. */
export interface KeyRateLimiter {
  consume(keyId: string): Promise<RateDecision>;
}

/** A per-key limiter. When Redis does not answer it lets requests through (the queue will refuse them). */
export function createKeyRateLimiter(options: KeyRateLimiterOptions): KeyRateLimiter {
  const limiter = new RateLimiterRedis({
    storeClient: options.redis,
    keyPrefix: options.keyPrefix,
    points: options.points,
    duration: options.windowSeconds ?? 60,
  });
  return {
    async consume(keyId) {
      try {
        await limiter.consume(keyId);
        return { allowed: true };
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes)
          return { allowed: false, retryAfterMs: rejection.msBeforeNext };
        return { allowed: true };
      }
    },
  };
}
