import { boolean, index, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

/**
 * Immutable prompt versions imported from git by `opm publish`: one row per commit that changed a
 * prompt file. `version` is the short sha of that commit (`draft-<hash>` for an uncommitted draft).
 * A migration trigger refuses UPDATE and DELETE.
 */
export const promptVersions = pgTable(
  'prompt_versions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    slug: text('slug').notNull(),
    version: text('version').notNull(),
    /** The full commit sha; null for drafts. */
    commitSha: text('commit_sha'),
    /** sha256 (hex) of `content`. */
    contentHash: text('content_hash').notNull(),
    content: text('content').notNull(),
    /** The file's path under the prompts folder at that commit (differs from the slug after a rename). */
    path: text('path').notNull(),
    /** The slug the file had at that commit, when it has since been renamed. */
    renamedFrom: text('renamed_from'),
    authorName: text('author_name').notNull(),
    authorEmail: text('author_email').notNull(),
    committedAt: timestamp('committed_at', { withTimezone: true, mode: 'date' }).notNull(),
    message: text('message').notNull(),
    isDraft: boolean('is_draft').notNull().default(false),
    /**
     * The files the prompt read when it loaded at that commit (`${file:}` references, v1 `base:`
     * parents, `prompty.json`), by path under the prompts folder: the store loads the version from
     * this snapshot, exactly as it resolved in git.
     */
    dependencies: jsonb('dependencies').$type<Record<string, string>>().notNull().default({}),
    publishedAt: timestamp('published_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('prompt_versions_slug_version_unique').on(table.slug, table.version),
    index('prompt_versions_slug_committed_at_idx').on(table.slug, table.committedAt),
  ],
);

/** A stored prompt version. */
export type PromptVersion = typeof promptVersions.$inferSelect;
/** A version to insert; `id` and `publishedAt` are filled by the database. */
export type NewPromptVersion = typeof promptVersions.$inferInsert;
