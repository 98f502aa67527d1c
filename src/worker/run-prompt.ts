import { isOpmError, toErrorJson } from '../errors/index.js';
import type { ChatMessage } from '../prompty/index.js';
import type { PromptRunPayload } from '../queue/index.js';
import type { ResolvedPrompt } from '../registry/index.js';
import type { NewRun, RunAttempt } from '../store/index.js';
import type { CompletionGateway, CompletionOutcome, PromptRenderer, PromptResolver } from './types.js';

/** What the domain steps need; handed in by the composition root. */
export interface RunPromptDeps {
  prompts: PromptResolver;
  render: PromptRenderer;
  gateway: CompletionGateway;
  /** @default Date.now */
  clock?: () => number;
}

/** Facts about the job the steps run in. */
export interface RunContext {
  jobId: string;
  /** When this attempt started, epoch ms. */
  startedAt: number;
  traceId?: string;
  signal?: AbortSignal;
}

/** The outcome of one attempt: the row to store, and on failure the error that caused it. */
export type RunOutcome = { ok: true; row: NewRun } | { ok: false; row: NewRun; error: unknown };

/**
 * The domain steps of a prompt run, without BullMQ: resolve the slug → render → call the gateway →
 * build the run row. Never throws: a failure comes back with the failed row already built (with
 * whatever was known, such as the rendered messages and the gateway's attempts).
 */
export async function runPrompt(
  deps: RunPromptDeps,
  payload: PromptRunPayload,
  context: RunContext,
): Promise<RunOutcome> {
  const clock = deps.clock ?? Date.now;
  let resolved: ResolvedPrompt | undefined;
  let messages: ChatMessage[] | undefined;
  try {
    // The payload carries the reference's fields (slug, label, version, assignmentKey) itself.
    resolved = await deps.prompts.resolve(payload);
    messages = deps.render(resolved, payload.vars).messages;
    const { prompt } = resolved;
    const completion = await deps.gateway.complete(
      {
        messages,
        model: prompt.model,
        outputs: prompt.outputs,
        opm: prompt.opm,
        modelOverride: payload.modelOverride,
      },
      context.signal === undefined ? undefined : { signal: context.signal },
    );
    return { ok: true, row: completedRow(payload, context, resolved, messages, clock(), completion) };
  } catch (error) {
    return { ok: false, error, row: failedRow(payload, context, error, resolved, messages, clock()) };
  }
}

// Both rows are one object literal with every column in the same order: one hidden class for the
// writer to read, and no spread (V8 builds a spread of this many fields in dictionary mode).

function completedRow(
  payload: PromptRunPayload,
  context: RunContext,
  resolved: ResolvedPrompt,
  messages: ChatMessage[],
  finishedAt: number,
  completion: CompletionOutcome,
): NewRun {
  return {
    jobId: context.jobId,
    slug: payload.slug,
    version: resolved.version ?? payload.version ?? null,
    label: resolved.label ?? payload.label ?? null,
    variant: resolved.variant,
    inputs: payload.vars,
    messages,
    outputText: completion.text,
    outputJson: completion.json ?? null,
    status: 'completed',
    errorCode: null,
    errorMessage: null,
    errorDetails: null,
    modelRequested: completion.modelRequested,
    modelUsed: completion.modelUsed,
    provider: completion.provider,
    attempts: completion.attempts as RunAttempt[],
    tokensIn: completion.usage.inputTokens,
    tokensOut: completion.usage.outputTokens,
    costUsd: completion.costUsd,
    queueWaitMs: Math.max(0, context.startedAt - payload.enqueuedAt),
    llmLatencyMs: Math.round(completion.latencyMs),
    totalMs: Math.max(0, finishedAt - payload.enqueuedAt),
    traceId: context.traceId ?? null,
    metadata: payload.metadata ?? {},
    tags: payload.tags ?? [],
    idempotencyKey: payload.idempotencyKey ?? null,
    enqueuedAt: new Date(payload.enqueuedAt),
    startedAt: new Date(context.startedAt),
    finishedAt: new Date(finishedAt),
  };
}

/** The row of a failed run: the error's code, message and details, never a bare stack. */
export function failedRow(
  payload: PromptRunPayload,
  context: RunContext,
  error: unknown,
  resolved: ResolvedPrompt | undefined,
  messages: ChatMessage[] | undefined,
  finishedAt: number,
): NewRun {
  const json = toErrorJson(error);
  const { attempts, ...details } = json.details ?? {};
  const provider = isOpmError(error) ? error.details?.provider : undefined;
  return {
    jobId: context.jobId,
    slug: payload.slug,
    version: resolved?.version ?? payload.version ?? null,
    label: resolved?.label ?? payload.label ?? null,
    variant: resolved?.variant ?? null,
    inputs: payload.vars,
    messages: messages ?? null,
    outputText: null,
    outputJson: null,
    status: 'failed',
    errorCode: json.code,
    errorMessage: json.message,
    errorDetails: Object.keys(details).length > 0 ? details : null,
    modelRequested: payload.modelOverride ?? resolved?.prompt.model.id ?? null,
    modelUsed: null,
    provider: typeof provider === 'string' ? provider : null,
    attempts: Array.isArray(attempts) ? (attempts as RunAttempt[]) : [],
    tokensIn: null,
    tokensOut: null,
    costUsd: null,
    queueWaitMs: Math.max(0, context.startedAt - payload.enqueuedAt),
    llmLatencyMs: null,
    totalMs: Math.max(0, finishedAt - payload.enqueuedAt),
    traceId: context.traceId ?? null,
    metadata: payload.metadata ?? {},
    tags: payload.tags ?? [],
    idempotencyKey: payload.idempotencyKey ?? null,
    enqueuedAt: new Date(payload.enqueuedAt),
    startedAt: new Date(context.startedAt),
    finishedAt: new Date(finishedAt),
  };
}
