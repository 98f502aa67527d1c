import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import { migrate as migrateNodePg } from 'drizzle-orm/node-postgres/migrator';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { type Database, databaseHandle } from './client.js';
import { STORE_ERROR_CODES, StoreError, toStoreError } from './errors.js';

/** Options for {@link migrate}. */
export interface MigrateOptions {
  /** The folder drizzle-kit generated. @default the package's top-level `migrations/` */
  migrationsFolder?: string;
}

/** Finds the package's `migrations/` by walking up, so it works from `src/` (tsx) and from `dist/src/`. */
export function defaultMigrationsFolder(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'migrations');
    if (existsSync(join(candidate, 'meta', '_journal.json'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new StoreError(STORE_ERROR_CODES.migrationFailed, 'Cannot find the migrations/ folder', {
    details: { from: fileURLToPath(import.meta.url) },
  });
}

const pgliteLocks = new WeakMap<PGlite, Promise<unknown>>();

/**
 * Applies every pending migration. Safe to run twice and from several processes at once: on
 * Postgres a session advisory lock serialises migrators, and the journal makes a rerun a no-op.
 * The journal lives in the database's `schema` when one was given, else in `drizzle`.
 */
export async function migrate(database: Database, options: MigrateOptions = {}): Promise<void> {
  const handle = databaseHandle(database);
  const config = {
    migrationsFolder: options.migrationsFolder ?? defaultMigrationsFolder(),
    migrationsSchema: handle.schema ?? 'drizzle',
  };
  try {
    if (handle.kind === 'postgres') {
      const client = await handle.pool.connect();
      try {
        if (handle.schema === undefined) {
          // A search_path set in the URL (`?options=-c search_path=x`) needs its own journal too,
          // or a second schema would find the shared journal complete and get no tables.
          const current = await client.query<{ name: string | null }>('select current_schema() as name');
          const name = current.rows[0]?.name;
          if (typeof name === 'string' && name !== 'public') config.migrationsSchema = name;
        }
        const lockKey = `opm.migrate:${config.migrationsSchema}`;
        await client.query('select pg_advisory_lock(hashtext($1))', [lockKey]);
        try {
          await migrateNodePg(drizzleNodePg({ client }), config);
        } finally {
          await client.query('select pg_advisory_unlock(hashtext($1))', [lockKey]);
        }
      } finally {
        client.release();
      }
      return;
    }
    // PGlite is single-process; chaining calls on one instance is all the locking it needs.
    const client = handle.client;
    const previous = pgliteLocks.get(client) ?? Promise.resolve();
    const run = previous.catch(() => {}).then(() => migratePglite(drizzlePglite({ client }), config));
    pgliteLocks.set(client, run);
    await run;
  } catch (error) {
    const storeError = toStoreError(error, 'migrate');
    if (storeError.code === STORE_ERROR_CODES.queryFailed) {
      throw new StoreError(STORE_ERROR_CODES.migrationFailed, storeError.message, {
        cause: error,
        ...(storeError.details === undefined ? {} : { details: storeError.details }),
      });
    }
    throw storeError;
  }
}
