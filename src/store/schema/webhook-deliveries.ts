import { boolean, index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * One row per webhook delivery attempt, successful or not, so a user can see why a
 * completion event did or did not reach their endpoint.
 */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    jobId: text('job_id').notNull(),
    url: text('url').notNull(),
    event: text('event').notNull(),
    attempt: integer('attempt').notNull(),
    statusCode: integer('status_code'),
    ok: boolean('ok').notNull(),
    error: text('error'),
    durationMs: integer('duration_ms'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (table) => [index('webhook_deliveries_job_id_idx').on(table.jobId, table.createdAt)],
);

/** A recorded webhook delivery attempt. */
export type WebhookDelivery = typeof webhookDeliveries.$inferSelect;
/** A webhook delivery attempt to record. */
export type NewWebhookDelivery = typeof webhookDeliveries.$inferInsert;
