import { createHash } from 'node:crypto';
import type { JobsOptions } from 'bullmq';
import { z } from 'zod';
import { QueueError } from './errors.js';
import { RunResultSchema } from './results.js';

/** The queue that carries prompt runs. Kebab-case, no `:` (BullMQ refuses it). */
export const PROMPT_RUNS_QUEUE = 'prompt-runs';
/** The job name of one prompt run. */
export const PROMPT_RUN_JOB = 'prompt.run';

/**
 * The payload of a `prompt.run` job: what to run and with which values.
 * Changes are additive only: a new field starts optional, because workers parse payloads written by
 * older producers during a rolling deploy.
 */
export const PromptRunPayloadSchema = z.object({
  /** The prompt's slug, e.g. `acme/support/triage`. */
  slug: z.string().min(1).max(512),
  /** The template variables. */
  vars: z.record(z.string(), z.unknown()),
  /** Deployment label to resolve (`production`, `staging`...; `latest` or none = newest published). */
  label: z.string().min(1).optional(),
  /** A pinned version (short sha from `opm history`), overriding the label's choice. */
  version: z.string().min(1).optional(),
  /** Sticky key for traffic splits between versions (a user or tenant id). */
  assignmentKey: z.string().min(1).optional(),
  /** Run this model instead of the prompt's own (fallbacks still apply). */
  modelOverride: z.string().min(1).optional(),
  /** Caller's data stored on the run, e.g. `{ ticketId: 'T-1' }`. */
  metadata: z.record(z.string(), z.unknown()).optional(),
  /** Caller's labels stored on the run, for filtering. */
  tags: z.array(z.string().min(1)).optional(),
  /** The client-supplied deduplication key; the job id is derived from it. */
  idempotencyKey: z.string().min(1).max(256).optional(),
  /** When the producer enqueued the job, epoch ms (for queue-wait metrics). */
  enqueuedAt: z.number().int().nonnegative(),
  /** W3C trace context of the producer, when tracing is on. */
  traceparent: z.string().optional(),
});
export type PromptRunPayload = z.infer<typeof PromptRunPayloadSchema>;

/** The queue that carries webhook deliveries, apart so slow endpoints never hold prompt runs back. */
export const WEBHOOKS_QUEUE = 'webhook-deliveries';
/** The job name of one webhook delivery (all its attempts). */
export const WEBHOOK_DELIVER_JOB = 'webhook.deliver';

/**
 * The payload of a `webhook.deliver` job. It names the endpoint by URL only: secrets stay in the
 * configuration of the process that signs, never in Redis.
 */
export const WebhookDeliveryPayloadSchema = z.object({
  url: z.url(),
  event: z.enum(['completed', 'failed']),
  result: RunResultSchema,
});
export type WebhookDeliveryPayload = z.infer<typeof WebhookDeliveryPayloadSchema>;

/** How a job kind is validated and retried. */
export interface JobDefinition<S extends z.ZodType = z.ZodType> {
  queue: string;
  schema: S;
  options: JobsOptions & { attempts: number };
}

/**
 * The one typed catalog of queues, job names, payload schemas and job options.
 * Producers and the worker's handler map are both typed from it, so a job without a handler
 * fails to compile.
 */
export const jobCatalog = {
  [PROMPT_RUN_JOB]: {
    queue: PROMPT_RUNS_QUEUE,
    schema: PromptRunPayloadSchema,
    options: {
      attempts: 3,
      backoff: { type: 'exponential', delay: 1_000, jitter: 0.5 },
      // Kept for an hour so late `run()` callers and idempotent re-enqueues still find the job;
      // the durable record is the Postgres row.
      removeOnComplete: { age: 3_600, count: 10_000 },
      removeOnFail: { age: 7 * 24 * 3_600, count: 10_000 },
    },
  },
  [WEBHOOK_DELIVER_JOB]: {
    queue: WEBHOOKS_QUEUE,
    schema: WebhookDeliveryPayloadSchema,
    options: {
      // 2 s, 4 s, 8 s ... about 8.5 minutes in all before giving up.
      attempts: 9,
      backoff: { type: 'exponential', delay: 2_000, jitter: 0.3 },
      removeOnComplete: { age: 3_600, count: 1_000 },
      removeOnFail: { age: 7 * 24 * 3_600, count: 10_000 },
    },
  },
} as const satisfies Record<string, JobDefinition>;

export type JobName = keyof typeof jobCatalog;
export type JobPayload<N extends JobName> = z.infer<(typeof jobCatalog)[N]['schema']>;

/** The job names that travel on queue `Q`. */
export type QueueJobName<Q extends string> = {
  [N in JobName]: (typeof jobCatalog)[N]['queue'] extends Q ? N : never;
}[JobName];

/** One handler per job name of queue `Q`; a worker of that queue must provide all of them. */
export type JobHandlers<Q extends string, Context, Result = unknown> = {
  [N in QueueJobName<Q>]: (payload: JobPayload<N>, context: Context) => Promise<Result>;
};

/**
 * Parses a payload against the catalog, at enqueue time and again on dequeue (Redis data is
 * untrusted and may come from an older producer).
 * @throws QueueError `queue.invalid_payload` listing every issue.
 */
export function parseJobPayload<N extends JobName>(name: N, data: unknown): JobPayload<N> {
  const result = jobCatalog[name].schema.safeParse(data);
  if (result.success) return result.data as JobPayload<N>;
  const issues = result.error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
  throw new QueueError(
    'queue.invalid_payload',
    `Invalid ${name} payload: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`,
    { status: 400, details: { job: name, issues } },
  );
}

const SAFE_KEY = /^[A-Za-z0-9._-]{1,128}$/;

/**
 * The job id an idempotency key maps to: the same key always yields the same id, so BullMQ adds
 * the job once. Keys outside `[A-Za-z0-9._-]{1,128}` are hashed (BullMQ forbids `:` in ids).
 */
export function jobIdForIdempotencyKey(key: string): string {
  if (SAFE_KEY.test(key)) return `idem-${key}`;
  return `idem-sha256-${createHash('sha256').update(key).digest('hex')}`;
}
