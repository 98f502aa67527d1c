import type { RunResult } from '../queue/index.js';
import type { BadLine, BatchItem } from './batch-input.js';
import { quantile } from './run-format.js';

/** How one input line ended. `pending` = still running when the wait ended; `queued` = --no-wait. */
export type BatchLineStatus = 'completed' | 'failed' | 'invalid' | 'pending' | 'queued';

/** One line of the results file, in input order. */
export interface BatchRecord {
  line: number;
  jobId: string | null;
  status: BatchLineStatus;
  text?: string | null;
  json?: unknown;
  modelUsed?: string | null;
  inputTokens?: number | null;
  outputTokens?: number | null;
  costUsd?: number | null;
  latencyMs?: number | null;
  error?: { code: string; message: string } | null;
}

/** The totals printed at the end of a batch. */
export interface BatchSummary {
  lines: number;
  enqueued: number;
  invalid: number;
  completed: number;
  failed: number;
  pending: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  latencyMs: { p50: number | null; p95: number | null };
  wallMs: number;
}

function fromResult(line: number, result: RunResult): BatchRecord {
  return {
    line,
    jobId: result.jobId,
    status: result.status,
    text: result.text,
    json: result.json,
    modelUsed: result.modelUsed,
    inputTokens: result.inputTokens,
    outputTokens: result.outputTokens,
    costUsd: result.costUsd,
    latencyMs: result.totalMs,
    error: result.error ? { code: result.error.code, message: result.error.message } : null,
  };
}

/**
 * Merges enqueued items, their results and the bad lines back into input order. Items without a
 * result are `pending`, or `queued` when nobody waited (`results` undefined).
 */
export function buildRecords(
  items: readonly (BatchItem & { jobId: string })[],
  bad: readonly BadLine[],
  results: ReadonlyMap<string, RunResult> | undefined,
): BatchRecord[] {
  const records: BatchRecord[] = bad.map((entry) => ({
    line: entry.line,
    jobId: null,
    status: 'invalid',
    error: { code: 'cli.invalid_input_line', message: entry.message },
  }));
  for (const item of items) {
    const result = results?.get(item.jobId);
    if (result) records.push(fromResult(item.line, result));
    else records.push({ line: item.line, jobId: item.jobId, status: results ? 'pending' : 'queued' });
  }
  return records.sort((a, b) => a.line - b.line);
}

/** Counts, tokens, cost and latency quantiles over the records. */
export function summarize(records: readonly BatchRecord[], wallMs: number): BatchSummary {
  const count = (status: BatchLineStatus): number => records.filter((r) => r.status === status).length;
  const finished = records.filter((r) => r.status === 'completed' || r.status === 'failed');
  const latencies = finished.flatMap((r) => (typeof r.latencyMs === 'number' ? [r.latencyMs] : []));
  const sum = (pick: (r: BatchRecord) => number | null | undefined): number =>
    finished.reduce((total, r) => total + (pick(r) ?? 0), 0);
  return {
    lines: records.length,
    enqueued: records.filter((r) => r.jobId !== null).length,
    invalid: count('invalid'),
    completed: count('completed'),
    failed: count('failed'),
    pending: count('pending'),
    inputTokens: sum((r) => r.inputTokens),
    outputTokens: sum((r) => r.outputTokens),
    costUsd: sum((r) => r.costUsd),
    latencyMs: { p50: quantile(latencies, 0.5), p95: quantile(latencies, 0.95) },
    wallMs,
  };
}
