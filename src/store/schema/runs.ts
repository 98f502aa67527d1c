import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

/** The two terminal states a stored run can have. */
export const RUN_STATUSES = ['completed', 'failed'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** One gateway attempt as recorded on a run (the gateway owns the exact shape; stored as given). */
export type RunAttempt = Record<string, unknown>;

/**
 * One row per executed job: what was asked, what answered, what it cost and how long it took.
 * `job_id` is unique so that at-least-once delivery still stores a job once.
 */
export const runs = pgTable(
  'runs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    jobId: text('job_id').notNull(),
    slug: text('slug').notNull(),
    // label and variant are null for unlabelled jobs and unsplit labels; version is the content hash for folder prompts.
    version: text('version'),
    label: text('label'),
    variant: text('variant'),
    inputs: jsonb('inputs').$type<Record<string, unknown>>().notNull().default({}),
    messages: jsonb('messages').$type<unknown[]>(),
    outputText: text('output_text'),
    outputJson: jsonb('output_json'),
    status: text('status', { enum: RUN_STATUSES }).notNull(),
    errorCode: text('error_code'),
    errorMessage: text('error_message'),
    errorDetails: jsonb('error_details').$type<Record<string, unknown>>(),
    modelRequested: text('model_requested'),
    modelUsed: text('model_used'),
    provider: text('provider'),
    attempts: jsonb('attempts').$type<RunAttempt[]>().notNull().default([]),
    tokensIn: integer('tokens_in'),
    tokensOut: integer('tokens_out'),
    costUsd: numeric('cost_usd', { precision: 18, scale: 10, mode: 'number' }),
    queueWaitMs: integer('queue_wait_ms'),
    llmLatencyMs: integer('llm_latency_ms'),
    totalMs: integer('total_ms'),
    traceId: text('trace_id'),
    metadata: jsonb('metadata').$type<Record<string, unknown>>().notNull().default({}),
    tags: text('tags').array().notNull().default(sql`'{}'::text[]`),
    idempotencyKey: text('idempotency_key'),
    enqueuedAt: timestamp('enqueued_at', { withTimezone: true, mode: 'date' }),
    startedAt: timestamp('started_at', { withTimezone: true, mode: 'date' }),
    finishedAt: timestamp('finished_at', { withTimezone: true, mode: 'date' }),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    /**
     * Whether the run moved past its primary model (its last attempt used another model). Computed
     * by Postgres on insert so `opm stats` counts fallbacks without reading every `attempts` document.
     */
    fellBack: boolean('fell_back')
      .notNull()
      .generatedAlwaysAs(
        sql`coalesce((attempts -> -1 ->> 'model') is distinct from (attempts -> 0 ->> 'model'), false)`,
      ),
  },
  (table) => [
    uniqueIndex('runs_job_id_unique').on(table.jobId),
    index('runs_slug_created_at_idx').on(table.slug, table.createdAt),
    index('runs_status_idx').on(table.status),
    index('runs_created_at_idx').on(table.createdAt),
    check('runs_status_check', sql`${table.status} in ('completed', 'failed')`),
  ],
);

/** A stored run, as read back. */
export type Run = typeof runs.$inferSelect;
/** A run to insert; `id` and `createdAt` are filled by the database. */
export type NewRun = typeof runs.$inferInsert;
