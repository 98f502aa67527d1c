import { pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * One row per published slug: when it first appeared and, when its file was renamed, the slugs its
 * earlier versions were published under.
 */
export const prompts = pgTable('prompts', {
  slug: text('slug').primaryKey(),
  previousSlugs: text('previous_slugs').array().notNull().default([]),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});

/** A published slug, as read back. */
export type PromptRow = typeof prompts.$inferSelect;
export type NewPromptRow = typeof prompts.$inferInsert;
