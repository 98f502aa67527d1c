import { AttemptFailure, errorRecord, isHealthFailure, okRecord, runAttempt } from './attempt.js';
import { backoffDelayMs, sleep } from './backoff.js';
import { CircuitOpenError, createBreakers } from './breaker.js';
import { computeCostUsd } from './cost.js';
import { GatewayError, RateLimitedError } from './errors.js';
import { type GatewayOptions, type GatewaySettings, parseGatewaySettings } from './options.js';
import { exhaustedError, stopError, type TargetEnding, withAttempts } from './outcome.js';
import { BUILT_IN_PROVIDERS, createProviderRegistry, type Provider } from './providers/index.js';
import { createSharedRateLimiter, type Reservation, type SharedRateLimiter } from './rate-limit.js';
import { estimateTokens } from './request-mapping.js';
import { buildResponseFormat } from './structured-output.js';
import { canonicalProvider, resolveTargets } from './targets.js';
import type { AttemptRecord, CompletionRequest, CompletionResult, Target } from './types.js';

export interface CompleteOptions {
  /** Aborting fails the call at once with `gateway.aborted` (no retry, no fallback). */
  signal?: AbortSignal;
}

/** Runs chat completions with retries, fallbacks, circuit breakers, shared rate limits and costing. */
export interface Gateway {
  /**
   * Calls the prompt's model, retrying transient failures and walking `opm.fallbacks` in order.
   * Resolves with the answer and every attempt; rejects with a {@link GatewayError} (whose
   * `details.attempts` lists every attempt) or a {@link RateLimitedError} (`retryAfterMs`).
   */
  complete(request: CompletionRequest, options?: CompleteOptions): Promise<CompletionResult>;
  /** Releases provider clients. Safe to call twice; the Redis client given in options stays open. */
  close(): Promise<void>;
}

/**
 * Creates a gateway. Options are validated here, so a bad configuration fails at start-up.
 * @example
 * const gateway = createGateway({ providers: { openrouter: { apiKey: config.openrouterApiKey } }, redis });
 * const result = await gateway.complete({ messages, model: prompt.model, outputs: prompt.outputs, opm: prompt.opm });
 */
export function createGateway(options: GatewayOptions): Gateway {
  const settings = parseGatewaySettings(options);
  for (const name of [settings.defaultProvider, settings.forceProvider]) {
    if (name !== undefined) assertKnownProvider(canonicalProvider(name), settings);
  }
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const registry = createProviderRegistry(settings, random);
  const limiter = createSharedRateLimiter({
    limits: settings.rateLimits,
    redis: options.redis,
    keyPrefix: settings.rateLimitPrefix,
  });
  const breakers = createBreakers(settings.breaker, isHealthFailure);
  let isClosed = false;

  const run = async (
    request: CompletionRequest,
    signal: AbortSignal | undefined,
  ): Promise<CompletionResult> => {
    const startedAt = now();
    const targets = resolveTargets(request, settings);
    const responseFormat = request.outputs?.length ? buildResponseFormat(request.outputs) : undefined;
    const attempts: AttemptRecord[] = [];
    const endings: TargetEnding[] = [];
    const refusedProviders = new Set<string>();
    const waitOrAbort = (ms: number) =>
      sleep(ms, signal).catch(() => {
        throw new GatewayError('gateway.aborted', 'aborted by the caller', { details: { attempts } });
      });

    for (const target of targets) {
      if (refusedProviders.has(target.providerKey)) {
        const failure = {
          code: 'gateway.auth',
          action: 'different_provider',
          message: 'skipped: same provider refused the credentials',
        } as const;
        attempts.push(errorRecord(target, now(), 0, failure, true));
        endings.push({ target, failure });
        continue;
      }
      let provider: Provider;
      try {
        provider = registry.get(target.provider);
      } catch (error) {
        throw error instanceof GatewayError ? withAttempts(error, attempts) : error;
      }
      const breakerKey = `${target.providerKey}|${target.model}`;
      const estimated = estimateTokens(request.messages, target.options.maxOutputTokens);
      for (let attempt = 1; attempt <= settings.retry.maxAttemptsPerModel; attempt++) {
        const reservation = await acquire(limiter, target, estimated, settings, attempts, waitOrAbort);
        const attemptStartedAt = now();
        try {
          const { reply, json } = await breakers.execute(breakerKey, () =>
            runAttempt({
              provider,
              target,
              messages: request.messages,
              responseFormat,
              timeoutMs: settings.attemptTimeoutMs,
              signal,
              now,
            }),
          );
          attempts.push(okRecord(target, attemptStartedAt, now() - attemptStartedAt));
          await reservation.settle(reply.inputTokens + reply.outputTokens);
          const usage = { inputTokens: reply.inputTokens, outputTokens: reply.outputTokens };
          return {
            text: reply.text,
            json,
            provider: target.provider,
            modelRequested: (targets[0] as Target).model,
            modelUsed: reply.modelUsed,
            attempts,
            usage,
            costUsd: computeCostUsd({
              usage,
              reportedCostUsd: reply.reportedCostUsd,
              models: [reply.modelUsed, target.model],
              prices: settings.prices,
            }),
            latencyMs: now() - startedAt,
            finishReason: reply.finishReason,
          };
        } catch (error) {
          await reservation.settle(0);
          if (error instanceof CircuitOpenError) {
            const failure = { code: 'gateway.circuit_open', action: 'next', message: error.message } as const;
            attempts.push(errorRecord(target, attemptStartedAt, 0, failure, true));
            endings.push({ target, failure });
            break;
          }
          if (!(error instanceof AttemptFailure)) throw error;
          const { failure } = error;
          attempts.push(errorRecord(target, attemptStartedAt, now() - attemptStartedAt, failure));
          if (failure.action === 'fail') throw stopError(failure, target, attempts);
          const isLastTry = attempt === settings.retry.maxAttemptsPerModel;
          const isLongWait = (failure.retryAfterMs ?? 0) > settings.retry.maxInPlaceWaitMs;
          if (failure.action !== 'retry' || isLastTry || isLongWait) {
            if (failure.action === 'different_provider') refusedProviders.add(target.providerKey);
            endings.push({ target, failure });
            break;
          }
          await waitOrAbort(failure.retryAfterMs ?? backoffDelayMs(attempt, settings.retry, random));
        }
      }
    }
    throw exhaustedError(endings, attempts);
  };

  return {
    async complete(request, callOptions = {}) {
      if (isClosed) throw new GatewayError('gateway.config', 'the gateway is closed');
      return run(request, callOptions.signal);
    },
    async close() {
      if (isClosed) return;
      isClosed = true;
      await registry.close();
    },
  };
}

/** Takes a rate-limit slot, sleeping in place for short waits; long waits surface as RateLimitedError. */
async function acquire(
  limiter: SharedRateLimiter,
  target: Target,
  estimatedTokens: number,
  settings: GatewaySettings,
  attempts: AttemptRecord[],
  waitOrAbort: (ms: number) => Promise<void>,
): Promise<Reservation> {
  let waitedMs = 0;
  for (;;) {
    try {
      return await limiter.acquire({ provider: target.provider, model: target.model, estimatedTokens });
    } catch (error) {
      if (
        error instanceof RateLimitedError &&
        waitedMs + error.retryAfterMs <= settings.retry.maxInPlaceWaitMs
      ) {
        await waitOrAbort(error.retryAfterMs);
        waitedMs += error.retryAfterMs;
        continue;
      }
      throw error instanceof GatewayError ? withAttempts(error, attempts) : error;
    }
  }
}

function assertKnownProvider(name: string, settings: GatewaySettings): void {
  if ((BUILT_IN_PROVIDERS as readonly string[]).includes(name) || settings.providers[name]) return;
  throw new GatewayError(
    'gateway.config',
    `unknown provider "${name}": configure providers.${name}.baseURL`,
    {
      details: { provider: name },
    },
  );
}
