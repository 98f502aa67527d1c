import { OPM, type OpmTelemetry, traceLlmCall } from '../telemetry/index.js';
import { AttemptFailure, type AttemptSuccess } from './attempt.js';
import type { GatewaySettings } from './options.js';
import { connectionString, ENDPOINT_KEYS } from './targets.js';
import type { GatewayMessage, Target } from './types.js';

const OPENROUTER_BASE_URL = 'https://openrouter.ai/api/v1';
const OPENAI_BASE_URL = 'https://api.openai.com/v1';

/** Where one target's calls go, for `server.address` / `server.port` (undefined for in-process providers). */
export function endpointOf(target: Target, settings: GatewaySettings): string | undefined {
  const configured = settings.providers[target.provider];
  const endpoint =
    connectionString(target.connection, ENDPOINT_KEYS) ?? configured?.baseURL ?? configured?.endpoint;
  if (endpoint !== undefined) return endpoint;
  if (target.provider === 'openrouter') return OPENROUTER_BASE_URL;
  if (target.provider === 'openai') return OPENAI_BASE_URL;
  return undefined;
}

/** What {@link tracedAttempt} needs to describe one call. */
export interface AttemptDescription {
  target: Target;
  settings: GatewaySettings;
  /** 1-based try of this model. */
  attempt: number;
  /** 0 for the primary model. */
  fallbackIndex: number;
  messages: readonly GatewayMessage[];
  isJson: boolean;
}

/** Runs one attempt inside a GenAI `chat {model}` span when telemetry is on; otherwise just runs it. */
export function tracedAttempt(
  telemetry: OpmTelemetry | undefined,
  description: AttemptDescription,
  run: () => Promise<AttemptSuccess>,
): Promise<AttemptSuccess> {
  if (telemetry === undefined) return run();
  const { target, settings } = description;
  return traceLlmCall(
    telemetry,
    {
      provider: target.provider,
      model: target.model,
      options: target.options,
      endpoint: endpointOf(target, settings),
      attempt: description.attempt,
      fallbackIndex: description.fallbackIndex,
      isStream: settings.providers[target.provider]?.stream ?? false,
      isJson: description.isJson,
      messages: description.messages,
    },
    run,
    ({ reply }) => ({
      responseModel: reply.modelUsed,
      inputTokens: reply.inputTokens,
      outputTokens: reply.outputTokens,
      finishReason: reply.finishReason,
      text: reply.text,
    }),
    (error) => (error instanceof AttemptFailure ? error.failure.code : 'gateway.internal'),
  );
}

/** Counts a move from one model to the next in the fallback chain. */
export function recordFallback(telemetry: OpmTelemetry | undefined, from: Target, to: Target): void {
  telemetry?.metrics.fallbacks.add(1, {
    [OPM.provider]: to.provider,
    [OPM.fallbackFrom]: from.model,
    [OPM.fallbackTo]: to.model,
  });
}

/** Records an in-place wait for a shared rate-limit slot. */
export function recordRateLimitWait(
  telemetry: OpmTelemetry | undefined,
  target: Target,
  waitMs: number,
): void {
  if (telemetry === undefined) return;
  const attributes = { [OPM.provider]: target.provider, [OPM.model]: target.model };
  telemetry.metrics.rateLimitWaits.add(1, attributes);
  telemetry.metrics.rateLimitWaitDuration.record(waitMs / 1000, attributes);
}

/** Adds a call's cost to `opm.llm.cost`. */
export function recordCost(
  telemetry: OpmTelemetry | undefined,
  target: Target,
  modelUsed: string,
  costUsd: number | null,
): void {
  if (telemetry === undefined || costUsd === null || costUsd <= 0) return;
  telemetry.metrics.cost.add(costUsd, { [OPM.provider]: target.provider, [OPM.model]: modelUsed });
}
