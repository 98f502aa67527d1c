import type { RunReader, RunRecord, RunResult } from '../queue/index.js';
import { type Db, getRunByJobId, type NewRun, type Run, type RunWriter } from '../store/index.js';
import type { RunStore } from './types.js';

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
    finishedAt: (row.finishedAt ?? new Date()).getTime(),
  };
}

/** A stored run as the SDK's `result()` returns it. */
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

/** The SDK's `database` option over the store: `createClient({ redis, database: createRunReader(db) })`. */
export function createRunReader(db: Db): RunReader {
  return {
    async getRun(jobId) {
      const row = await getRunByJobId(db, jobId);
      return row ? toRunRecord(row) : null;
    },
  };
}

/** The worker's RunStore over the store: group-commit writes, point reads. */
export function createRunStore(options: { db: Db; writer: RunWriter }): RunStore {
  return {
    write: (run) => options.writer.write(run),
    find: (jobId) => getRunByJobId(options.db, jobId),
  };
}
