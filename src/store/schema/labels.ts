import { integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

/** One version a label serves, with its share of the traffic in percent. */
export interface LabelTarget {
  version: string;
  /** Percent of jobs, > 0; a label's weights sum to 100. */
  weight: number;
  /** Name recorded on runs when the label splits traffic (`stable`, `canary`, `a`, `b`). */
  variant: string;
}

/** Thresholds under which a canary may keep running; breaching one rolls the label back. */
export interface LabelGuard {
  /** The version under watch. */
  canary: string;
  /** Canary runs needed before judging. */
  minRuns: number;
  /** Highest acceptable canary error rate minus the stable versions' (0..1). */
  maxErrorRateDelta?: number | undefined;
  /** Highest acceptable canary p95 latency divided by the stable p95. */
  maxP95Ratio?: number | undefined;
  /** Highest acceptable canary mean cost per run divided by the stable mean. */
  maxCostRatio?: number | undefined;
  /** Only runs finished after this instant (ISO) count: the deploy time of the canary. */
  since: string;
}

/**
 * Where each label of a slug points. The row is a mutable pointer; every move is also written to
 * the immutable audit log. `history` is the stack of earlier targets that rollback pops.
 */
export const promptLabels = pgTable(
  'prompt_labels',
  {
    slug: text('slug').notNull(),
    label: text('label').notNull(),
    targets: jsonb('targets').$type<LabelTarget[]>().notNull(),
    history: jsonb('history').$type<LabelTarget[][]>().notNull().default([]),
    guard: jsonb('guard').$type<LabelGuard>(),
    /** Bumped on every change, so readers can tell two states apart. */
    revision: integer('revision').notNull().default(1),
    updatedBy: text('updated_by').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.slug, table.label] })],
);

/** A stored label. */
export type PromptLabel = typeof promptLabels.$inferSelect;
export type NewPromptLabel = typeof promptLabels.$inferInsert;
