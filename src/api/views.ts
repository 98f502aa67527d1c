import type { ApiKey, Run, RunFeedback } from '../store/index.js';
import { roleAllows } from './auth/roles.js';
import type { ApiKeyView, Feedback, RunRecord } from './contract.js';
import type { Principal } from './types.js';

/** Metadata key naming the API key that enqueued a run, so runners read only their own runs. */
export const ENQUEUED_BY_METADATA_KEY = 'opm.apiKeyId';

/** Whether a principal may read a run enqueued with this metadata: readers all, runners their own. */
export function mayReadRun(principal: Principal, metadata: Record<string, unknown> | null): boolean {
  if (roleAllows(principal.role, ['runs:read'])) return true;
  return metadata?.[ENQUEUED_BY_METADATA_KEY] === principal.keyId;
}

/** A stored run as the API (and the SDK's `result()`) shows it. */
export function toRunRecord(row: Run): RunRecord {
  return {
    jobId: row.jobId,
    status: row.status,
    slug: row.slug,
    version: row.version,
    label: row.label,
    variant: row.variant,
    text: row.outputText,
    json: row.outputJson ?? null,
    provider: row.provider,
    modelRequested: row.modelRequested,
    modelUsed: row.modelUsed,
    inputTokens: row.tokensIn,
    outputTokens: row.tokensOut,
    costUsd: row.costUsd,
    queueWaitMs: row.queueWaitMs,
    llmLatencyMs: row.llmLatencyMs,
    totalMs: row.totalMs,
    error:
      row.status === 'failed'
        ? {
            code: row.errorCode ?? 'internal.unexpected',
            message: row.errorMessage ?? '',
            ...(row.errorDetails ? { details: row.errorDetails } : {}),
          }
        : null,
    finishedAt: (row.finishedAt ?? row.createdAt).getTime(),
    inputs: row.inputs,
    metadata: row.metadata,
    tags: row.tags,
    attempts: row.attempts,
    traceId: row.traceId,
    enqueuedAt: row.enqueuedAt?.getTime() ?? null,
    startedAt: row.startedAt?.getTime() ?? null,
  };
}

export function toFeedbackView(row: RunFeedback): Feedback {
  return {
    id: row.id,
    jobId: row.jobId,
    score: row.score,
    comment: row.comment,
    actor: row.actor,
    createdAt: row.createdAt.toISOString(),
  };
}

export function toApiKeyView(row: ApiKey): ApiKeyView {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    prefix: row.prefix,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
  };
}
