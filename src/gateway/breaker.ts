import {
  BrokenCircuitError,
  type CircuitBreakerPolicy,
  ConsecutiveBreaker,
  circuitBreaker,
  handleWhen,
  IsolatedCircuitError,
} from 'cockatiel';

export interface BreakerSettings {
  threshold: number;
  halfOpenAfterMs: number;
}

/** Thrown instead of calling when a provider+model's breaker is open (or half-open and busy). */
export class CircuitOpenError extends Error {
  readonly key: string;

  constructor(key: string) {
    super(`circuit open for ${key}`);
    this.key = key;
    this.name = 'CircuitOpenError';
  }
}

export interface Breakers {
  /**
   * Runs `fn` through the breaker of `key`. When the breaker is open it rejects without calling
   * `fn`, with an error {@link toCircuitOpenError} turns into a {@link CircuitOpenError}.
   */
  execute<T>(key: string, fn: () => Promise<T>): Promise<T>;
  /** True while the breaker of `key` is open and its half-open trial is not yet due. */
  isOpen(key: string): boolean;
}

/** The error `execute` rejected with, as a {@link CircuitOpenError} when the breaker refused the call. */
export function toCircuitOpenError(error: unknown, key: string): unknown {
  return error instanceof BrokenCircuitError || error instanceof IsolatedCircuitError
    ? new CircuitOpenError(key)
    : error;
}

/**
 * One consecutive-failure circuit breaker per provider+model, held in this process.
 * `countsAsFailure` decides which errors trip it: a 400 says nothing about the model's health.
 */
export function createBreakers(
  settings: BreakerSettings,
  countsAsFailure: (error: Error) => boolean,
): Breakers {
  const policies = new Map<string, CircuitBreakerPolicy>();
  // cockatiel reports "open" until the next call even once the trial is due, so the deadline is kept here
  // (on Date.now, the clock cockatiel itself uses).
  const openUntil = new Map<string, number>();
  const policyFor = (key: string) => {
    let policy = policies.get(key);
    if (!policy) {
      policy = circuitBreaker(handleWhen(countsAsFailure), {
        halfOpenAfter: settings.halfOpenAfterMs,
        breaker: new ConsecutiveBreaker(settings.threshold),
      });
      policy.onBreak(() => openUntil.set(key, Date.now() + settings.halfOpenAfterMs));
      policy.onHalfOpen(() => openUntil.delete(key));
      policy.onReset(() => openUntil.delete(key));
      policies.set(key, policy);
    }
    return policy;
  };
  return {
    // Not wrapped in a catch that maps the breaker's refusal: that would cost a promise per call,
    // and the caller's catch block maps it instead.
    execute: (key, fn) => policyFor(key).execute(fn),
    isOpen(key) {
      return openUntil.size > 0 && (openUntil.get(key) ?? 0) > Date.now();
    },
  };
}
