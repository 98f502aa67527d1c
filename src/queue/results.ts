import { z } from 'zod';

/** The error stored on a failed run. */
export const RunErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});

/**
 * A finished run as opm reports it: the payload of our completion events and of `run()`.
 * The worker publishes it only after the run row is committed, so a listener may read the row at once.
 */
export const RunResultSchema = z.object({
  jobId: z.string(),
  status: z.enum(['completed', 'failed']),
  slug: z.string(),
  version: z.string().nullable(),
  label: z.string().nullable(),
  variant: z.string().nullable(),
  /** The model's reply text; null when the run failed. */
  text: z.string().nullable(),
  /** The parsed structured output when the prompt declares `outputs`, else null. */
  json: z.unknown(),
  provider: z.string().nullable(),
  modelRequested: z.string().nullable(),
  /** The model that actually answered (a fallback, maybe). */
  modelUsed: z.string().nullable(),
  inputTokens: z.number().nullable(),
  outputTokens: z.number().nullable(),
  costUsd: z.number().nullable(),
  queueWaitMs: z.number().nullable(),
  llmLatencyMs: z.number().nullable(),
  totalMs: z.number().nullable(),
  error: RunErrorSchema.nullable(),
  /** Epoch ms. */
  finishedAt: z.number(),
});
export type RunResult = z.infer<typeof RunResultSchema>;

/** A stored run as `result(jobId)` returns it: the result plus what went in and how it went. */
export const RunRecordSchema = RunResultSchema.extend({
  inputs: z.record(z.string(), z.unknown()).nullable(),
  metadata: z.record(z.string(), z.unknown()).nullable(),
  tags: z.array(z.string()),
  /** Every gateway attempt (model, outcome, latency, error), as the gateway reported them. */
  attempts: z.array(z.unknown()),
  traceId: z.string().nullable(),
  /** Epoch ms. */
  enqueuedAt: z.number().nullable(),
  startedAt: z.number().nullable(),
});
export type RunRecord = z.infer<typeof RunRecordSchema>;

/** A failed RunResult for a job that ended without a run result from opm's worker. */
export function unreportedFailure(jobId: string, reason: string, status: 'completed' | 'failed'): RunResult {
  return {
    jobId,
    status: 'failed',
    slug: '',
    version: null,
    label: null,
    variant: null,
    text: null,
    json: null,
    provider: null,
    modelRequested: null,
    modelUsed: null,
    inputTokens: null,
    outputTokens: null,
    costUsd: null,
    queueWaitMs: null,
    llmLatencyMs: null,
    totalMs: null,
    error: { code: status === 'failed' ? 'queue.job_failed' : 'queue.no_result', message: reason },
    finishedAt: Date.now(),
  };
}
