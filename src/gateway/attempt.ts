import { type ClassifyContext, classifyFailure, type Failure } from './classify.js';
import { GatewayError } from './errors.js';
import type { Provider, ProviderReply } from './providers/index.js';
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

/** One call with its own timeout; every failure comes out as an {@link AttemptFailure}. */
export async function runAttempt(input: AttemptInput): Promise<AttemptSuccess> {
  const controller = new AbortController();
  const context: ClassifyContext = { isTimedOut: false, now: input.now() };
  const timer = setTimeout(() => {
    context.isTimedOut = true;
    controller.abort(new GatewayError('gateway.timeout', `attempt timed out after ${input.timeoutMs} ms`));
  }, input.timeoutMs);
  const onAbort = () => controller.abort(input.signal?.reason);
  if (input.signal?.aborted) onAbort();
  else input.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const reply = await input.provider.call({
      target: input.target,
      messages: input.messages,
      responseFormat: input.responseFormat,
      signal: controller.signal,
    });
    const json = input.responseFormat ? parseStructuredOutput(reply.text, input.responseFormat) : null;
    return { reply, json };
  } catch (error) {
    if (input.signal?.aborted && !context.isTimedOut) {
      throw new AttemptFailure(
        { code: 'gateway.aborted', action: 'fail', message: 'aborted by the caller' },
        error,
      );
    }
    context.now = input.now();
    throw new AttemptFailure(classifyFailure(error, context), error);
  } finally {
    clearTimeout(timer);
    input.signal?.removeEventListener('abort', onAbort);
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
