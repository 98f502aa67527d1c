import type { ChatMessage, Model, Property } from '../prompty/index.js';
import type { PromptRef, ResolvedPrompt } from '../registry/index.js';
import type { NewRun, Run } from '../store/index.js';

/** Finds the prompt a job names (the registry's PromptSource satisfies it). */
export interface PromptResolver {
  resolve(ref: PromptRef): Promise<ResolvedPrompt>;
}

/** Turns a resolved prompt and the job's variables into chat messages. Throws PromptyError. */
export type PromptRenderer = (
  resolved: ResolvedPrompt,
  vars: Record<string, unknown>,
) => { messages: ChatMessage[] };

/** The gateway request the worker sends (a subset of the gateway's CompletionRequest). */
export interface CompletionCall {
  messages: ChatMessage[];
  model: Model;
  outputs?: Property[] | undefined;
  opm?: Record<string, unknown> | undefined;
  modelOverride?: string | undefined;
  metadata?: Record<string, string> | undefined;
}

/** What the worker reads from a completion (the gateway's CompletionResult satisfies it). */
export interface CompletionOutcome {
  text: string;
  json: unknown;
  provider: string;
  modelRequested: string;
  modelUsed: string;
  /** Stored on the run as given (the gateway's attempt records are plain objects it no longer touches). */
  attempts: readonly object[];
  usage: { inputTokens: number; outputTokens: number };
  costUsd: number | null;
  latencyMs: number;
}

/** Calls the LLM (the gateway satisfies it). Throws OpmErrors classified as retryable or not. */
export interface CompletionGateway {
  complete(request: CompletionCall, options?: { signal?: AbortSignal }): Promise<CompletionOutcome>;
}

/** Where run rows go: `write` resolves once the row is committed; duplicates by job id are ignored. */
export interface RunStore {
  write(run: NewRun): Promise<void>;
  /** The stored run of a job, if any (checked before re-running a job that may have finished). */
  find(jobId: string): Promise<Run | null>;
}
