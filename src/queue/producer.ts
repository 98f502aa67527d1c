import { randomUUID } from 'node:crypto';
import type { JobsOptions } from 'bullmq';
import {
  jobCatalog,
  jobIdForIdempotencyKey,
  PROMPT_RUN_JOB,
  type PromptRunPayload,
  parseJobPayload,
} from './catalog.js';
import { QueueError } from './errors.js';
import { type EnqueueOptions, EnqueueOptionsSchema } from './run-options.js';

export { type EnqueueOptions, EnqueueOptionsSchema };

/** Queue-level retry defaults of the client's jobs. */
export interface JobDefaults {
  /** Attempts per job, the first included. @default 3 */
  attempts?: number;
  /** Base of the exponential backoff between attempts. @default 1000 */
  backoffDelayMs?: number;
}

const NO_OPTIONS: EnqueueOptions = {};

function parseEnqueueOptions(opts: EnqueueOptions): EnqueueOptions {
  // Batches usually carry no per-item options; skipping the parse keeps enqueueMany near addBulk speed.
  if (Object.keys(opts).length === 0) return NO_OPTIONS;
  const checked = EnqueueOptionsSchema.safeParse(opts);
  if (!checked.success) {
    throw new QueueError('queue.invalid_options', `Invalid enqueue options: ${checked.error.message}`, {
      status: 400,
    });
  }
  return checked.data;
}

/** A validated job, ready for `add`/`addBulk`. */
export interface PreparedJob {
  id: string;
  data: PromptRunPayload;
  opts: JobsOptions;
}

/** The catalog's options for `prompt.run`, with the client's retry defaults. */
export function jobOptionsFrom(defaults: JobDefaults): JobsOptions {
  const catalog = jobCatalog[PROMPT_RUN_JOB].options;
  return {
    ...catalog,
    attempts: defaults.attempts ?? catalog.attempts,
    backoff: { ...catalog.backoff, delay: defaults.backoffDelayMs ?? catalog.backoff.delay },
  };
}

/** Validates options and payload (throwing QueueError) and derives the job id and options. */
export function prepareJob(
  slug: string,
  vars: Record<string, unknown>,
  opts: EnqueueOptions,
  base: JobsOptions,
): PreparedJob {
  const o = parseEnqueueOptions(opts);
  const data = parseJobPayload(PROMPT_RUN_JOB, {
    slug,
    vars,
    enqueuedAt: Date.now(),
    ...(o.label === undefined ? {} : { label: o.label }),
    ...(o.version === undefined ? {} : { version: o.version }),
    ...(o.assignmentKey === undefined ? {} : { assignmentKey: o.assignmentKey }),
    ...(o.model === undefined ? {} : { modelOverride: o.model }),
    ...(o.metadata === undefined ? {} : { metadata: o.metadata }),
    ...(o.tags === undefined ? {} : { tags: o.tags }),
    ...(o.idempotencyKey === undefined ? {} : { idempotencyKey: o.idempotencyKey }),
  });
  // Our own ids (not BullMQ's counter) so run rows never collide after a Redis flush.
  const id = o.idempotencyKey === undefined ? randomUUID() : jobIdForIdempotencyKey(o.idempotencyKey);
  return {
    id,
    data,
    opts: {
      ...base,
      jobId: id,
      ...(o.attempts === undefined ? {} : { attempts: o.attempts }),
      ...(o.priority === undefined ? {} : { priority: o.priority }),
      ...(o.delayMs === undefined ? {} : { delay: o.delayMs }),
    },
  };
}
