import { sql } from 'drizzle-orm';
import { check, index, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

/** The roles an API key can hold, weakest first; each includes what the previous ones may do. */
export const API_KEY_ROLES = ['viewer', 'runner', 'editor', 'deployer', 'admin'] as const;
export type ApiKeyRole = (typeof API_KEY_ROLES)[number];

/**
 * One row per API key. Only the SHA-256 of the key is kept (a key carries 256 random bits, so a
 * fast hash is enough); `prefix` is the key's first characters, shown to tell keys apart.
 */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    role: text('role', { enum: API_KEY_ROLES }).notNull(),
    prefix: text('prefix').notNull(),
    keyHash: text('key_hash').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true, mode: 'date' }),
    revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
  },
  (table) => [
    uniqueIndex('api_keys_key_hash_unique').on(table.keyHash),
    index('api_keys_prefix_idx').on(table.prefix),
    check('api_keys_role_check', sql`${table.role} in ('viewer', 'runner', 'editor', 'deployer', 'admin')`),
  ],
);

/** A stored API key (never the key itself). */
export type ApiKey = typeof apiKeys.$inferSelect;
/** An API key row to insert. */
export type NewApiKey = typeof apiKeys.$inferInsert;
