import { APIConnectionError, APIError } from 'openai';
import { z } from 'zod';
import { sleep } from '../backoff.js';
import { GatewayError } from '../errors.js';
import { sampleFromSchema } from '../json-schema.js';
import type { GatewayMessage } from '../types.js';
import { renderTranscript, transcriptLength } from './echo.js';
import type { Provider, ProviderCall, ProviderReply } from './types.js';

/** One scripted behaviour of the mock provider. `{}` is a plain successful reply. */
export const MockReplySchema = z.object({
  /** Only calls for this model consume the step. */
  forModel: z.string().optional(),
  /** How many calls the step answers. @default 1 */
  times: z.number().int().positive().optional(),
  text: z.string().optional(),
  /** Reply content as JSON; wins over `text`. */
  json: z.unknown().optional(),
  /** The model reported as having answered. @default the requested model */
  model: z.string().optional(),
  usage: z
    .object({
      inputTokens: z.number().int().nonnegative().optional(),
      outputTokens: z.number().int().nonnegative().optional(),
      costUsd: z.number().nonnegative().optional(),
    })
    .optional(),
  /** Overrides the provider-wide latency for this reply. */
  latencyMs: z.number().nonnegative().optional(),
  /** Fail with this HTTP status, exactly as the openai SDK reports it. */
  status: z.number().int().min(400).max(599).optional(),
  /** Sent as `retry-after-ms` with `status`. */
  retryAfterMs: z.number().int().nonnegative().optional(),
  /** `timeout` never answers; the others mimic the wire faults of the fake server. */
  fault: z.enum(['timeout', 'reset', 'malformed', 'error-200', 'truncated']).optional(),
});
export type MockReply = z.infer<typeof MockReplySchema>;

export const MockSettingsSchema = z.object({
  /** Latency of every call. @default 0 */
  latencyMs: z.number().nonnegative().default(0),
  /** Adds uniform random latency in [0, latencyJitterMs). @default 0 */
  latencyJitterMs: z.number().nonnegative().default(0),
  /** Replies consumed in order (per `forModel`); then `reply` answers. */
  script: z.array(MockReplySchema).default([]),
  /** The reply when the script has nothing for the call. @default echo of the last user message */
  reply: MockReplySchema.default({}),
  /** Probability that an unscripted call fails with `failureStatus`. @default 0 */
  failureRate: z.number().min(0).max(1).default(0),
  /** @default 503 */
  failureStatus: z.number().int().min(400).max(599).default(503),
});
export type MockSettings = z.infer<typeof MockSettingsSchema>;

/** The scripted provider for tests and benchmarks: replies, latency and failures from settings. */
export function createMockProvider(settings: MockSettings, random: () => number): Provider {
  const script = settings.script.map((step) => ({ ...step }));

  const take = (model: string): MockReply | undefined => {
    const index = script.findIndex((s) => s.forModel === undefined || s.forModel === model);
    const step = script[index];
    if (!step) return undefined;
    const remaining = (step.times ?? 1) - 1;
    if (remaining <= 0) script.splice(index, 1);
    else step.times = remaining;
    return step;
  };

  return {
    // `call.signal` is read only when the reply waits: reading it arms the attempt's timeout timer.
    async call(call: ProviderCall): Promise<ProviderReply> {
      const { target, messages, responseFormat } = call;
      const scripted = script.length > 0 ? take(target.model) : undefined;
      const failing =
        !scripted && settings.failureRate > 0 && random() < settings.failureRate
          ? { status: settings.failureStatus }
          : undefined;
      const reply: MockReply = scripted ?? failing ?? settings.reply;
      const jitter = settings.latencyJitterMs > 0 ? random() * settings.latencyJitterMs : 0;
      const latency = (reply.latencyMs ?? settings.latencyMs) + jitter;
      if (reply.fault === 'timeout') await new Promise<never>((_, reject) => onAbort(call.signal, reject));
      if (latency > 0) await sleep(latency, call.signal);
      throwScriptedFailure(reply);
      const text =
        reply.json !== undefined
          ? JSON.stringify(reply.json)
          : (reply.text ??
            (responseFormat
              ? JSON.stringify(sampleFromSchema(responseFormat.json_schema.schema))
              : `mock: ${lastUserText(messages)}`));
      return {
        text,
        modelUsed: reply.model ?? target.model,
        inputTokens: reply.usage?.inputTokens ?? Math.ceil(transcriptLength(messages) / 4),
        outputTokens: reply.usage?.outputTokens ?? Math.ceil(text.length / 4),
        reportedCostUsd: reply.usage?.costUsd ?? null,
        finishReason: 'stop',
      };
    },
    close: async () => {},
  };
}

/** The transcript text of the last user message, as the echo provider would show it. */
function lastUserText(messages: readonly GatewayMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i] as GatewayMessage;
    if (message.role !== 'user') continue;
    return typeof message.content === 'string'
      ? message.content
      : renderTranscript([message]).slice('user: '.length);
  }
  return '';
}

function throwScriptedFailure(reply: MockReply): void {
  if (reply.status !== undefined) {
    const headers = new Headers();
    if (reply.retryAfterMs !== undefined) headers.set('retry-after-ms', String(reply.retryAfterMs));
    const message = `mock ${reply.status}`;
    throw APIError.generate(reply.status, { error: { message } }, message, headers);
  }
  switch (reply.fault) {
    case 'reset':
      throw new APIConnectionError({ message: 'Connection error.', cause: new Error('socket hang up') });
    case 'malformed':
      throw new SyntaxError('Unexpected token in JSON (mock malformed body)');
    case 'truncated':
      throw new GatewayError('gateway.transient', 'stream ended before a finish_reason (mock truncated)');
    case 'error-200':
      throw new GatewayError('gateway.transient', 'HTTP 200 body carries an error (mock)', {
        details: { status: 200 },
      });
    default:
  }
}

function onAbort(signal: AbortSignal, reject: (reason: unknown) => void): void {
  if (signal.aborted) reject(signal.reason);
  else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
}
