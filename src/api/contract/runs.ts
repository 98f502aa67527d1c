import { z } from 'zod';
import { RunRecordSchema } from '../../queue/results.js';
import { EnqueueOptionsSchema } from '../../queue/run-options.js';

/** Per-run options: the SDK's own `EnqueueOptionsSchema` (zod only, so clients load no Redis code). */
export {
  type EnqueueOptions as RunOptions,
  EnqueueOptionsSchema as RunOptionsSchema,
} from '../../queue/run-options.js';

/** `POST /v1/runs` body. */
export const EnqueueRequestSchema = z.object({
  slug: z.string().min(1).max(512),
  vars: z.record(z.string(), z.unknown()).default({}),
  options: EnqueueOptionsSchema.optional(),
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
