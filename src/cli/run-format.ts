import type { RunResult } from '../queue/index.js';

/** `$0.000123`, or `-` when the provider reported no cost and no price is configured. */
export function formatCost(costUsd: number | null | undefined): string {
  if (costUsd === null || costUsd === undefined) return '-';
  return `$${costUsd < 0.01 ? costUsd.toPrecision(3) : costUsd.toFixed(4)}`;
}

/** `1 234 ms` or `2.3 s`. */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '-';
  return ms < 10_000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** `in→out` token counts. */
export function formatTokens(result: Pick<RunResult, 'inputTokens' | 'outputTokens'>): string {
  if (result.inputTokens === null && result.outputTokens === null) return '-';
  return `${result.inputTokens ?? 0}→${result.outputTokens ?? 0}`;
}

/** The run's answer as a user reads it: parsed structured output pretty-printed, else the text. */
export function outputText(result: Pick<RunResult, 'text' | 'json'>): string {
  if (result.json !== null && result.json !== undefined) return JSON.stringify(result.json, null, 2);
  return result.text ?? '';
}

/** One line of facts about a finished run: model, tokens, cost, latency. */
export function describeRun(result: RunResult): string {
  const model =
    result.modelUsed !== null && result.modelRequested !== null && result.modelUsed !== result.modelRequested
      ? `${result.modelUsed} (fallback from ${result.modelRequested})`
      : (result.modelUsed ?? result.modelRequested ?? '-');
  return [
    `model ${model}${result.provider ? ` via ${result.provider}` : ''}`,
    `tokens ${formatTokens(result)}`,
    `cost ${formatCost(result.costUsd)}`,
    `latency ${formatMs(result.totalMs)} (llm ${formatMs(result.llmLatencyMs)}, queued ${formatMs(result.queueWaitMs)})`,
    `job ${result.jobId}`,
  ].join(' · ');
}

/** The value at quantile `q` (0..1) of `values`, nearest-rank; null for none. */
export function quantile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] ?? null;
}
