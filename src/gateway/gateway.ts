import {
  AttemptFailure,
  type AttemptInput,
  type AttemptSuccess,
  errorRecord,
  isHealthFailure,
  okRecord,
  runAttempt,
} from './attempt.js';
import { backoffDelayMs, sleep } from './backoff.js';
import { CircuitOpenError, createBreakers, toCircuitOpenError } from './breaker.js';
import type { Failure } from './classify.js';
import { computeCostUsd } from './cost.js';
import { GatewayError, RateLimitedError } from './errors.js';
import { type GatewayOptions, type GatewaySettings, parseGatewaySettings } from './options.js';
import { exhaustedError, stopError, type TargetEnding, withAttempts } from './outcome.js';
import { canonicalProvider } from './provider-names.js';
import { BUILT_IN_PROVIDERS, createProviderRegistry } from './providers/index.js';
import { createSharedRateLimiter, type Reservation, type SharedRateLimiter } from './rate-limit.js';
import { estimateTokens } from './request-mapping.js';
import { buildResponseFormat, type JsonSchemaResponseFormat } from './structured-output.js';
import { resolveTargets } from './targets.js';
import { recordCost, recordFallback, recordRateLimitWait, tracedAttempt } from './telemetry.js';
import type { AttemptRecord, CompletionRequest, CompletionResult, OutputProperty, Target } from './types.js';

/** What every attempt of one `complete` call shares. */
interface CallState {
  request: CompletionRequest;
  attempts: AttemptRecord[];
  responseFormat: JsonSchemaResponseFormat | undefined;
  signal: AbortSignal | undefined;
}

/** Sleeps `ms` in place; the caller's abort fails the call with `gateway.aborted`. */
function waitOrAbort(call: CallState, ms: number): Promise<void> {
  return sleep(ms, call.signal).catch(() => {
    throw new GatewayError('gateway.aborted', 'aborted by the caller', {
      details: { attempts: call.attempts },
    });
  });
}

const NO_RESERVATION: Reservation = { settle: async () => {} };

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
  const { telemetry } = options;
  const hasPrices = Object.keys(settings.prices).length > 0;
  let isClosed = false;
  // A prompt's model and opm block are the same objects on every call of that prompt, so its
  // targets are resolved once (a model override is rare and resolved per call).
  const resolvedTargets = new WeakMap<object, { opm: object | undefined; targets: readonly Target[] }>();
  const targetsOf = (request: CompletionRequest): readonly Target[] => {
    if (request.modelOverride !== undefined) return resolveTargets(request, settings);
    const cached = resolvedTargets.get(request.model);
    if (cached !== undefined && cached.opm === request.opm) return cached.targets;
    const targets = resolveTargets(request, settings);
    resolvedTargets.set(request.model, { opm: request.opm, targets });
    return targets;
  };
  const breakerKeys = new WeakMap<Target, string>();
  const breakerKeyOf = (target: Target): string => {
    let key = breakerKeys.get(target);
    if (key === undefined) {
      key = `${target.providerKey}|${target.model}`;
      breakerKeys.set(target, key);
    }
    return key;
  };

  /** Tries one model up to `maxAttemptsPerModel` times; returns the result or how its turn ended. */
  const tryTarget = async (
    target: Target,
    fallbackIndex: number,
    call: CallState,
  ): Promise<AttemptSuccess | TargetEnding> => {
    const provider = registry.get(target.provider);
    const breakerKey = breakerKeyOf(target);
    for (let attempt = 1; ; attempt++) {
      if (breakers.isOpen(breakerKey)) {
        const failure = {
          code: 'gateway.circuit_open',
          action: 'next',
          message: `circuit open for ${breakerKey}`,
        } as const;
        call.attempts.push(errorRecord(target, now(), 0, failure, true));
        return { target, failure };
      }
      // Without any rule every acquire would grant at once: skip it (and its token estimate).
      const reservation = limiter.hasRules
        ? await acquire(limiter, target, call, settings, (waitMs) =>
            recordRateLimitWait(telemetry, target, waitMs),
          )
        : NO_RESERVATION;
      const attemptStartedAt = now();
      try {
        const attemptInput: AttemptInput = {
          messages: call.request.messages,
          responseFormat: call.responseFormat,
          signal: call.signal,
          provider,
          target,
          timeoutMs: settings.attemptTimeoutMs,
          now,
        };
        const success = await breakers.execute(breakerKey, () =>
          telemetry === undefined
            ? runAttempt(attemptInput)
            : tracedAttempt(
                telemetry,
                {
                  target,
                  settings,
                  attempt,
                  fallbackIndex,
                  messages: call.request.messages,
                  isJson: call.responseFormat !== undefined,
                },
                () => runAttempt(attemptInput),
              ),
        );
        call.attempts.push(okRecord(target, attemptStartedAt, now() - attemptStartedAt));
        if (reservation !== NO_RESERVATION) {
          await reservation.settle(success.reply.inputTokens + success.reply.outputTokens);
        }
        return success;
      } catch (thrown) {
        if (reservation !== NO_RESERVATION) await reservation.settle(0);
        const error = toCircuitOpenError(thrown, breakerKey);
        const isSkipped = error instanceof CircuitOpenError;
        const failure: Failure | undefined = isSkipped
          ? { code: 'gateway.circuit_open', action: 'next', message: error.message }
          : error instanceof AttemptFailure
            ? error.failure
            : undefined;
        if (!failure) throw error;
        call.attempts.push(
          errorRecord(target, attemptStartedAt, now() - attemptStartedAt, failure, isSkipped),
        );
        if (failure.action === 'fail') throw stopError(failure, target, call.attempts);
        const isLastTry = attempt >= settings.retry.maxAttemptsPerModel;
        const isLongWait = (failure.retryAfterMs ?? 0) > settings.retry.maxInPlaceWaitMs;
        if (failure.action !== 'retry' || isLastTry || isLongWait) return { target, failure };
        await waitOrAbort(call, failure.retryAfterMs ?? backoffDelayMs(attempt, settings.retry, random));
      }
    }
  };

  const run = async (
    request: CompletionRequest,
    signal: AbortSignal | undefined,
  ): Promise<CompletionResult> => {
    const startedAt = now();
    const targets = targetsOf(request);
    const responseFormat = request.outputs?.length ? responseFormatOf(request.outputs) : undefined;
    const attempts: AttemptRecord[] = [];
    const call: CallState = { request, attempts, responseFormat, signal };
    const endings: TargetEnding[] = [];
    let refusedProviders: Set<string> | undefined;
    for (let index = 0; index < targets.length; index++) {
      const target = targets[index] as Target;
      const previous = targets[index - 1];
      if (previous !== undefined) recordFallback(telemetry, previous, target);
      if (refusedProviders?.has(target.providerKey)) {
        const failure = {
          code: 'gateway.auth',
          action: 'different_provider',
          message: 'skipped: this provider already refused the credentials',
        } as const;
        attempts.push(errorRecord(target, now(), 0, failure, true));
        endings.push({ target, failure });
        continue;
      }
      let outcome: AttemptSuccess | TargetEnding;
      try {
        outcome = await tryTarget(target, index, call);
      } catch (error) {
        const hasAttempts = error instanceof GatewayError && error.details?.attempts !== undefined;
        throw error instanceof GatewayError && !hasAttempts ? withAttempts(error, attempts) : error;
      }
      if ('failure' in outcome) {
        if (outcome.failure.action === 'different_provider') {
          refusedProviders ??= new Set();
          refusedProviders.add(target.providerKey);
        }
        endings.push(outcome);
        continue;
      }
      const { reply, json } = outcome;
      const usage = { inputTokens: reply.inputTokens, outputTokens: reply.outputTokens };
      const costUsd =
        reply.reportedCostUsd === null && !hasPrices
          ? null
          : computeCostUsd({
              usage,
              reportedCostUsd: reply.reportedCostUsd,
              models: [reply.modelUsed, target.model],
              prices: settings.prices,
            });
      recordCost(telemetry, target, reply.modelUsed, costUsd);
      return {
        text: reply.text,
        json,
        provider: target.provider,
        modelRequested: (targets[0] as Target).model,
        modelUsed: reply.modelUsed,
        attempts,
        usage,
        costUsd,
        latencyMs: now() - startedAt,
        finishReason: reply.finishReason,
      };
    }
    throw exhaustedError(endings, attempts, settings.retry.maxDelayMs);
  };

  return {
    complete(request, callOptions = {}) {
      if (isClosed) return Promise.reject(new GatewayError('gateway.config', 'the gateway is closed'));
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
  call: CallState,
  settings: GatewaySettings,
  onWait: (ms: number) => void,
): Promise<Reservation> {
  const estimatedTokens = estimateTokens(call.request.messages, target.options.maxOutputTokens);
  let waitedMs = 0;
  for (;;) {
    try {
      return await limiter.acquire({ provider: target.provider, model: target.model, estimatedTokens });
    } catch (error) {
      if (
        error instanceof RateLimitedError &&
        waitedMs + error.retryAfterMs <= settings.retry.maxInPlaceWaitMs
      ) {
        onWait(error.retryAfterMs);
        await waitOrAbort(call, error.retryAfterMs);
        waitedMs += error.retryAfterMs;
        continue;
      }
      throw error instanceof GatewayError ? withAttempts(error, call.attempts) : error;
    }
  }
}

/** Response formats per `outputs` array: a prompt's outputs are one object, so its schema is built once. */
const responseFormats = new WeakMap<readonly OutputProperty[], JsonSchemaResponseFormat>();

function responseFormatOf(outputs: readonly OutputProperty[]): JsonSchemaResponseFormat {
  let format = responseFormats.get(outputs);
  if (format === undefined) {
    format = buildResponseFormat(outputs);
    responseFormats.set(outputs, format);
  }
  return format;
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
