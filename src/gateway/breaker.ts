import {
  BrokenCircuitError,
  type CircuitBreakerPolicy,
  CircuitState,
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
   * Runs `fn` through the breaker of `key`; `countsAsFailure(error)` decides which errors trip it
   * (transient ones: a 400 says nothing about the model's health).
   */
  execute<T>(key: string, fn: () => Promise<T>): Promise<T>;
  state(key: string): 'closed' | 'open' | 'half-open' | 'isolated';
}

/** One consecutive-failure circuit breaker per provider+model, held in this process. */
export function createBreakers(
  settings: BreakerSettings,
  countsAsFailure: (error: Error) => boolean,
): Breakers {
  const policies = new Map<string, CircuitBreakerPolicy>();
  const policyFor = (key: string) => {
    let policy = policies.get(key);
    if (!policy) {
      policy = circuitBreaker(handleWhen(countsAsFailure), {
        halfOpenAfter: settings.halfOpenAfterMs,
        breaker: new ConsecutiveBreaker(settings.threshold),
      });
      policies.set(key, policy);
    }
    return policy;
  };
  return {
    async execute(key, fn) {
      try {
        return await policyFor(key).execute(fn);
      } catch (error) {
        if (error instanceof BrokenCircuitError || error instanceof IsolatedCircuitError) {
          throw new CircuitOpenError(key);
        }
        throw error;
      }
    },
    state(key) {
      const state = policies.get(key)?.state ?? CircuitState.Closed;
      if (state === CircuitState.Open) return 'open';
      if (state === CircuitState.HalfOpen) return 'half-open';
      if (state === CircuitState.Isolated) return 'isolated';
      return 'closed';
    },
  };
}
