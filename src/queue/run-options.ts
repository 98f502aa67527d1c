import { z } from 'zod';

// Zod only: the HTTP API contract (and so its clients and the UI) shares this schema.

/** Per-job options of `enqueue`, `enqueueMany` and `run`. */
export const EnqueueOptionsSchema = z.object({
  /** Deployment label to resolve (`production`, `staging`...; `latest` or none = newest published). */
  label: z.string().min(1).optional(),
  /** A pinned version (short sha from `opm history`), overriding the label's choice. */
  version: z.string().min(1).optional(),
  /** Sticky key for canary splits (a user or tenant id). */
  assignmentKey: z.string().min(1).optional(),
  /** Run this model instead of the prompt's own. */
  model: z.string().min(1).optional(),
  /** BullMQ priority: 1 is highest; unset jobs go before prioritised ones. */
  priority: z.number().int().min(1).max(2_097_152).optional(),
  /** Start no earlier than this many ms from now. */
  delayMs: z.number().int().nonnegative().optional(),
  /** Total attempts for transient failures. @default 3 */
  attempts: z.number().int().min(1).max(100).optional(),
  /** The same key always maps to the same job: enqueued once, run once. */
  idempotencyKey: z.string().min(1).max(256).optional(),
  /** Stored on the run. */
  metadata: z.record(z.string(), z.unknown()).optional(),
  /** Stored on the run. */
  tags: z.array(z.string().min(1)).optional(),
});
export type EnqueueOptions = z.infer<typeof EnqueueOptionsSchema>;
