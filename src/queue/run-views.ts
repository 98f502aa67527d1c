import type { NewRun, Run } from '../store/index.js';
import type { RunRecord, RunResult } from './results.js';

/** The completion event of a stored (or about to be stored) run. */
export function toRunResult(row: NewRun): RunResult {
  return {
    jobId: row.jobId,
    status: row.status,
    slug: row.slug,
    version: row.version ?? null,
    label: row.label ?? null,
    variant: row.variant ?? null,
    text: row.outputText ?? null,
    json: row.outputJson ?? null,
    provider: row.provider ?? null,
    modelRequested: row.modelRequested ?? null,
    modelUsed: row.modelUsed ?? null,
    inputTokens: row.tokensIn ?? null,
    outputTokens: row.tokensOut ?? null,
    costUsd: row.costUsd ?? null,
    queueWaitMs: row.queueWaitMs ?? null,
    llmLatencyMs: row.llmLatencyMs ?? null,
    totalMs: row.totalMs ?? null,
    error:
      row.status === 'failed'
        ? {
            code: row.errorCode ?? 'internal.unexpected',
            message: row.errorMessage ?? '',
            ...(row.errorDetails ? { details: row.errorDetails } : {}),
          }
        : null,
    finishedAt: (row.finishedAt ?? row.createdAt ?? new Date()).getTime(),
  };
}

/** A stored run as the SDK's `result()` and the HTTP API return it. */
export function toRunRecord(row: Run): RunRecord {
  return {
    ...toRunResult(row),
    inputs: row.inputs,
    metadata: row.metadata,
    tags: row.tags,
    attempts: row.attempts,
    traceId: row.traceId,
    enqueuedAt: row.enqueuedAt?.getTime() ?? null,
    startedAt: row.startedAt?.getTime() ?? null,
  };
}
