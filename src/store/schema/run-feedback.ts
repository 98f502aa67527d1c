import { sql } from 'drizzle-orm';
import { check, index, pgTable, real, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * End-user feedback on a run: the signal A/B comparisons need. A table of its own rather than
 * columns on `runs`, because runs are written once by the worker and several people may rate one run.
 */
export const runFeedback = pgTable(
  'run_feedback',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    jobId: text('job_id').notNull(),
    /** Between 0 and 1 (a thumbs-up is 1). */
    score: real('score').notNull(),
    comment: text('comment'),
    /** The name of the API key that sent it. */
    actor: text('actor'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (table) => [
    index('run_feedback_job_id_idx').on(table.jobId, table.createdAt),
    check('run_feedback_score_check', sql`${table.score} >= 0 and ${table.score} <= 1`),
  ],
);

/** A stored feedback entry. */
export type RunFeedback = typeof runFeedback.$inferSelect;
/** Feedback to record. */
export type NewRunFeedback = typeof runFeedback.$inferInsert;
