import { z } from 'zod';
import { RunRecordSchema } from '../../queue/results.js';

/**
 * Per-run options, the same fields as the SDK's `EnqueueOptionsSchema` (a type test keeps them
 * equal). Declared here so that HTTP clients and the UI do not load the Redis SDK.
 */
export const RunOptionsSchema = z.object({
  /** Deployment label to resolve. */
  label: z.string().min(1).optional(),
  /** A pinned version. */
  version: z.string().min(1).optional(),
  /** Sticky key for canary splits (a user or tenant id). */
  assignmentKey: z.string().min(1).optional(),
  /** Run this model instead of the prompt's own. */
  model: z.string().min(1).optional(),
  /** 1 is highest; unset jobs go before prioritised ones. */
  priority: z.number().int().min(1).max(2_097_152).optional(),
  /** Start no earlier than this many ms from now. */
  delayMs: z.number().int().nonnegative().optional(),
  /** Total attempts for transient failures. */
  attempts: z.number().int().min(1).max(100).optional(),
  /** The same key always maps to the same job: enqueued once, run once. */
  idempotencyKey: z.string().min(1).max(256).optional(),
  /** Stored on the run. */
  metadata: z.record(z.string(), z.unknown()).optional(),
  /** Stored on the run. */
  tags: z.array(z.string().min(1)).optional(),
});
export type RunOptions = z.infer<typeof RunOptionsSchema>;

/** `POST /v1/runs` body. */
export const EnqueueRequestSchema = z.object({
  slug: z.string().min(1).max(512),
  vars: z.record(z.string(), z.unknown()).default({}),
  options: RunOptionsSchema.optional(),
});
export type EnqueueRequest = z.input<typeof EnqueueRequestSchema>;

/** `POST /v1/runs` query: `wait=true` answers with the finished run. */
export const EnqueueQuerySchema = z.object({
  wait: z.enum(['true', 'false']).optional(),
  /** How long `wait=true` waits before 504 `queue.run_timeout`. @default 60000 */
  timeoutMs: z.coerce.number().int().min(1).max(600_000).optional(),
});

/** The answer to an enqueue without `wait`. */
export const EnqueuedSchema = z.object({ jobId: z.string(), status: z.literal('queued') });
export type Enqueued = z.infer<typeof EnqueuedSchema>;

/** `POST /v1/runs:batch` body. */
export const EnqueueBatchRequestSchema = z.object({
  items: z.array(EnqueueRequestSchema).min(1).max(10_000),
});
export type EnqueueBatchRequest = z.input<typeof EnqueueBatchRequestSchema>;
export const EnqueuedBatchSchema = z.object({ jobIds: z.array(z.string()) });
export type EnqueuedBatch = z.infer<typeof EnqueuedBatchSchema>;

/**
 * Finished runs have one shape for the SDK, the API and its clients: the queue's zod-only schemas
 * (`src/queue/results.ts` imports nothing but zod, so clients still load no Redis code).
 */
export {
  RunErrorSchema,
  type RunRecord,
  RunRecordSchema,
  type RunResult,
  RunResultSchema,
} from '../../queue/results.js';

/** `GET /v1/runs` query. */
export const RunListQuerySchema = z.object({
  slug: z.string().min(1).optional(),
  status: z.enum(['completed', 'failed']).optional(),
  label: z.string().min(1).optional(),
  /** ISO time: runs created at or after it. */
  after: z.iso.datetime({ offset: true }).optional(),
  /** ISO time: runs created before it. */
  before: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  /** `nextCursor` of the previous page. */
  cursor: z.uuid().optional(),
});
export type RunListQuery = z.input<typeof RunListQuerySchema>;

export const RunListSchema = z.object({
  runs: z.array(RunRecordSchema),
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: z.string().nullable(),
});
export type RunList = z.infer<typeof RunListSchema>;

/** `POST /v1/runs/{id}/feedback` body: the end user's verdict. */
export const FeedbackRequestSchema = z.object({
  /** 0 (bad) to 1 (good); a thumbs-up is 1. */
  score: z.number().min(0).max(1),
  comment: z.string().max(10_000).optional(),
});
export type FeedbackRequest = z.infer<typeof FeedbackRequestSchema>;

export const FeedbackSchema = z.object({
  id: z.string(),
  jobId: z.string(),
  score: z.number(),
  comment: z.string().nullable(),
  actor: z.string().nullable(),
  createdAt: z.string(),
});
export type Feedback = z.infer<typeof FeedbackSchema>;

/** Query of the event streams. */
export const EventsQuerySchema = z.object({
  /** Only runs of this slug, or under it when it ends in `/`. */
  slug: z.string().min(1).optional(),
  /** Close the stream after this long. @default 300000 */
  timeoutMs: z.coerce.number().int().min(1).max(3_600_000).optional(),
});
