import { isOpmError, toErrorJson } from '../errors/index.js';
import type { ChatMessage } from '../prompty/index.js';
import type { PromptRunPayload } from '../queue/index.js';
import type { ResolvedPrompt } from '../registry/index.js';
import type { NewRun } from '../store/index.js';
import type { CompletionGateway, PromptRenderer, PromptResolver } from './types.js';

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
    resolved = await deps.prompts.resolve({
      slug: payload.slug,
      ...(payload.label === undefined ? {} : { label: payload.label }),
      ...(payload.version === undefined ? {} : { version: payload.version }),
      ...(payload.assignmentKey === undefined ? {} : { assignmentKey: payload.assignmentKey }),
    });
    messages = deps.render(resolved, payload.vars).messages;
    const { prompt } = resolved;
    const completion = await deps.gateway.complete(
      {
        messages,
        model: prompt.model,
        outputs: prompt.outputs,
        ...(prompt.opm === undefined ? {} : { opm: prompt.opm }),
        ...(payload.modelOverride === undefined ? {} : { modelOverride: payload.modelOverride }),
        metadata: { jobId: context.jobId, slug: payload.slug },
      },
      context.signal === undefined ? {} : { signal: context.signal },
    );
    const finishedAt = clock();
    // Object.assign, not `{ ...baseRow(), status, ... }`: V8 builds a spread of this many fields
    // followed by more fields in dictionary mode, which cost ~14 µs and most of a job's garbage.
    const row = Object.assign(baseRow(payload, context, resolved, messages, finishedAt), {
      status: 'completed',
      outputText: completion.text,
      outputJson: completion.json ?? null,
      provider: completion.provider,
      modelRequested: completion.modelRequested,
      modelUsed: completion.modelUsed,
      attempts: completion.attempts.map((attempt) => ({ ...attempt })),
      tokensIn: completion.usage.inputTokens,
      tokensOut: completion.usage.outputTokens,
      costUsd: completion.costUsd,
      llmLatencyMs: Math.round(completion.latencyMs),
    } satisfies Partial<NewRun>);
    return { ok: true, row };
  } catch (error) {
    return { ok: false, error, row: failedRow(payload, context, error, resolved, messages, clock()) };
  }
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
  const row: NewRun = Object.assign(baseRow(payload, context, resolved, messages, finishedAt), {
    status: 'failed',
    errorCode: json.code,
    errorMessage: json.message,
    errorDetails: Object.keys(details).length > 0 ? details : null,
    attempts: Array.isArray(attempts) ? (attempts as Record<string, unknown>[]) : [],
    modelRequested: payload.modelOverride ?? resolved?.prompt.model.id ?? null,
  } satisfies Partial<NewRun>);
  if (isOpmError(error) && typeof error.details?.provider === 'string') row.provider = error.details.provider;
  return row;
}

function baseRow(
  payload: PromptRunPayload,
  context: RunContext,
  resolved: ResolvedPrompt | undefined,
  messages: ChatMessage[] | undefined,
  finishedAt: number,
): NewRun {
  return {
    jobId: context.jobId,
    slug: payload.slug,
    version: resolved?.version ?? payload.version ?? null,
    label: resolved?.label ?? payload.label ?? null,
    variant: resolved?.variant ?? null,
    inputs: payload.vars,
    messages: messages ?? null,
    status: 'failed',
    queueWaitMs: Math.max(0, context.startedAt - payload.enqueuedAt),
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
