import { classifyFailure, type Failure } from './classify.js';
import { GatewayError } from './errors.js';
import type { Provider, ProviderCall, ProviderReply } from './providers/index.js';
import { type JsonSchemaResponseFormat, parseStructuredOutput } from './structured-output.js';
import type { AttemptRecord, GatewayMessage, Target } from './types.js';

/** A failed attempt, already classified; what the breaker and the fallback loop look at. */
export class AttemptFailure extends Error {
  readonly failure: Failure;

  constructor(failure: Failure, cause: unknown) {
    super(failure.message, { cause });
    this.name = 'AttemptFailure';
    this.failure = failure;
  }
}

export interface AttemptInput {
  provider: Provider;
  target: Target;
  messages: readonly GatewayMessage[];
  responseFormat: JsonSchemaResponseFormat | undefined;
  timeoutMs: number;
  /** The caller's signal: aborting it fails the call at once, without retry. */
  signal: AbortSignal | undefined;
  now: () => number;
}

export interface AttemptSuccess {
  reply: ProviderReply;
  json: unknown;
}

/**
 * What a provider receives for one attempt. Its `signal` (and with it the attempt's timeout timer)
 * is created on first read: a provider that never reads it cannot be interrupted anyway, and an
 * AbortController plus a timer cost more than a whole in-process reply (mock, echo).
 */
class AttemptCall implements ProviderCall {
  readonly target: Target;
  readonly messages: readonly GatewayMessage[];
  readonly responseFormat: JsonSchemaResponseFormat | undefined;
  isTimedOut = false;
  readonly #timeoutMs: number;
  readonly #callerSignal: AbortSignal | undefined;
  #controller: AbortController | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(input: AttemptInput) {
    this.target = input.target;
    this.messages = input.messages;
    this.responseFormat = input.responseFormat;
    this.#timeoutMs = input.timeoutMs;
    this.#callerSignal = input.signal;
  }

  get signal(): AbortSignal {
    if (this.#controller !== undefined) return this.#controller.signal;
    const controller = new AbortController();
    this.#controller = controller;
    const timeoutMs = this.#timeoutMs;
    this.#timer = setTimeout(() => {
      this.isTimedOut = true;
      controller.abort(new GatewayError('gateway.timeout', `attempt timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    const caller = this.#callerSignal;
    if (caller?.aborted) controller.abort(caller.reason);
    else if (caller !== undefined) {
      this.#onCallerAbort = () => controller.abort(caller.reason);
      caller.addEventListener('abort', this.#onCallerAbort, { once: true });
    }
    return controller.signal;
  }

  #onCallerAbort: (() => void) | undefined;

  dispose(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    if (this.#onCallerAbort !== undefined)
      this.#callerSignal?.removeEventListener('abort', this.#onCallerAbort);
  }
}

/** One call with its own timeout; every failure comes out as an {@link AttemptFailure}. */
export async function runAttempt(input: AttemptInput): Promise<AttemptSuccess> {
  const call = new AttemptCall(input);
  try {
    if (input.signal?.aborted) throw input.signal.reason;
    const reply = await input.provider.call(call);
    const json = input.responseFormat ? parseStructuredOutput(reply.text, input.responseFormat) : null;
    return { reply, json };
  } catch (error) {
    if (input.signal?.aborted && !call.isTimedOut) {
      throw new AttemptFailure(
        { code: 'gateway.aborted', action: 'fail', message: 'aborted by the caller' },
        error,
      );
    }
    throw new AttemptFailure(
      classifyFailure(error, { isTimedOut: call.isTimedOut, now: input.now() }),
      error,
    );
  } finally {
    call.dispose();
  }
}

/** Whether a failure says something about the model's health (and so counts toward its breaker). */
export function isHealthFailure(error: Error): boolean {
  if (!(error instanceof AttemptFailure)) return true;
  const { code } = error.failure;
  return code === 'gateway.transient' || code === 'gateway.timeout' || code === 'gateway.rate_limited';
}

export function okRecord(target: Target, startedAt: number, latencyMs: number): AttemptRecord {
  return {
    provider: target.provider,
    model: target.model,
    startedAt,
    latencyMs,
    outcome: 'ok',
    errorCode: null,
    errorMessage: null,
  };
}

export function errorRecord(
  target: Target,
  startedAt: number,
  latencyMs: number,
  failure: Pick<Failure, 'code' | 'message' | 'status'>,
  isSkipped = false,
): AttemptRecord {
  return {
    provider: target.provider,
    model: target.model,
    startedAt,
    latencyMs,
    outcome: 'error',
    errorCode: failure.code,
    errorMessage: failure.message,
    ...(failure.status === undefined ? {} : { status: failure.status }),
    ...(isSkipped ? { skipped: true } : {}),
  };
}
