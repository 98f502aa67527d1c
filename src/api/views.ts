import type { ApiKey, RunFeedback } from '../store/index.js';
import { roleAllows } from './auth/roles.js';
import type { ApiKeyView, Feedback } from './contract.js';
import type { Principal } from './types.js';

/** A stored run as the API shows it: the same record as the SDK's `result()`. */
export { toRunRecord } from '../queue/index.js';

/** Metadata key naming the API key that enqueued a run, so runners read only their own runs. */
export const ENQUEUED_BY_METADATA_KEY = 'opm.apiKeyId';

/** Whether a principal may read a run enqueued with this metadata: readers all, runners their own. */
export function mayReadRun(principal: Principal, metadata: Record<string, unknown> | null): boolean {
  if (roleAllows(principal.role, ['runs:read'])) return true;
  return metadata?.[ENQUEUED_BY_METADATA_KEY] === principal.keyId;
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
