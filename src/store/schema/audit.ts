import { bigserial, index, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** What an audit row records. */
export const AUDIT_ACTIONS = ['publish', 'deploy', 'weight', 'rollback'] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/**
 * The audit trail: one immutable row per publish, deploy, weight change and rollback. No query
 * updates or deletes it, and a migration trigger refuses UPDATE and DELETE.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    /** A person (git identity or `--actor`), an API key, or `guard`. */
    actor: text('actor').notNull(),
    action: text('action', { enum: AUDIT_ACTIONS }).notNull(),
    slug: text('slug').notNull(),
    label: text('label'),
    before: jsonb('before'),
    after: jsonb('after'),
    reason: text('reason'),
  },
  (table) => [index('audit_log_slug_at_idx').on(table.slug, table.at)],
);

/** A stored audit row. */
export type AuditEntry = typeof auditLog.$inferSelect;
export type NewAuditEntry = typeof auditLog.$inferInsert;
