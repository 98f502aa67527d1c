import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import pg from 'pg';
import { STORE_ERROR_CODES, StoreError, withStoreErrors } from './errors.js';
import { lockDataDir } from './pglite-lock.js';
import * as schema from './schema/index.js';

/** The drizzle instance every query function takes first; the same type on Postgres and PGlite. */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

export type DatabaseKind = 'postgres' | 'pglite';

/** Options for {@link createDatabase}. */
export interface CreateDatabaseOptions {
  /** A `postgres://` URL. When given, a pg Pool is used; otherwise embedded PGlite. */
  url?: string | undefined;
  /**
   * Where PGlite keeps its files (ignored with `url`). `memory://` keeps nothing on disk.
   * One PGlite directory can be opened by one process at a time.
   * @default '.opm/pglite'
   */
  dataDir?: string | undefined;
  /**
   * A Postgres schema to create (if missing) and put first on the search path, so that tables and
   * the migrations journal live there. Meant for tests that share one database.
   */
  schema?: string | undefined;
  /** Maximum pooled connections (Postgres only). @default 10 */
  poolSize?: number | undefined;
  /** How long to wait for a new connection before failing with `store.unavailable` (Postgres only). @default 5000 */
  connectTimeoutMs?: number | undefined;
}

/** An open database: a drizzle instance plus the handle to close it. */
export interface Database {
  readonly kind: DatabaseKind;
  readonly db: Db;
  /** The schema given at creation, if any. */
  readonly schema: string | undefined;
  /** Ends the pool or closes PGlite. Safe to call twice. */
  close(): Promise<void>;
}

/** What `migrate` needs beyond the drizzle instance: the raw client, for locks and the right migrator. */
export type DatabaseHandle =
  | { kind: 'postgres'; pool: pg.Pool; schema: string | undefined }
  | { kind: 'pglite'; client: PGlite; schema: string | undefined };

const handles = new WeakMap<Database, DatabaseHandle>();
const pools = new WeakMap<object, pg.Pool>();

/**
 * @internal The pg Pool behind a Postgres `Db` from {@link createDatabase} (not a transaction's,
 * nor PGlite's), so a hot statement can run as a named prepared statement.
 */
export function poolOf(db: object): pg.Pool | undefined {
  return pools.get(db);
}

/** @internal The raw client behind a Database created by {@link createDatabase}. */
export function databaseHandle(database: Database): DatabaseHandle {
  const handle = handles.get(database);
  if (handle === undefined) {
    throw new StoreError(STORE_ERROR_CODES.queryFailed, 'Not a Database created by createDatabase()');
  }
  return handle;
}

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,62}$/;

/** Double-quotes a schema name that {@link SCHEMA_NAME} has already validated. */
export function quoteSchema(name: string): string {
  if (!SCHEMA_NAME.test(name)) {
    throw new StoreError(STORE_ERROR_CODES.queryFailed, `Invalid schema name "${name}"`, {
      details: { schema: name },
    });
  }
  return `"${name}"`;
}

/**
 * Opens Postgres (when `url` is given) or embedded PGlite, returning a drizzle instance that the
 * query functions in this module accept either way.
 *
 * @example
 * const database = await createDatabase({ url: process.env.DATABASE_URL });
 * await migrate(database);
 * await insertRuns(database.db, rows);
 */
export async function createDatabase(options: CreateDatabaseOptions = {}): Promise<Database> {
  const schemaName = options.schema;
  const quoted = schemaName === undefined ? undefined : quoteSchema(schemaName);
  return options.url === undefined
    ? openPglite(options.dataDir ?? '.opm/pglite', schemaName, quoted)
    : openPostgres(options, options.url, schemaName, quoted);
}

async function openPostgres(
  options: CreateDatabaseOptions,
  url: string,
  schemaName: string | undefined,
  quoted: string | undefined,
): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    ...(quoted === undefined ? {} : { options: `-c search_path=${quoted}` }),
  });
  // An idle client dying (Postgres restarted) is reported here; the pool drops it and reconnects later.
  pool.on('error', () => {});
  if (quoted !== undefined) {
    await withStoreErrors('create schema', async () => {
      try {
        await pool.query(`create schema if not exists ${quoted}`);
      } catch (error) {
        // Two callers creating the same schema at once race on the catalog's unique index.
        if ((error as { code?: unknown }).code !== '23505') throw error;
      }
    }).catch(async (error: unknown) => {
      await pool.end();
      throw error;
    });
  }
  const db: Db = drizzleNodePg({ client: pool, schema });
  let closing: Promise<void> | undefined;
  const database: Database = {
    kind: 'postgres',
    db,
    schema: schemaName,
    close() {
      closing ??= pool.end();
      return closing;
    },
  };
  handles.set(database, { kind: 'postgres', pool, schema: schemaName });
  pools.set(db, pool);
  return database;
}

async function openPglite(
  dataDir: string,
  schemaName: string | undefined,
  quoted: string | undefined,
): Promise<Database> {
  const isInMemory = dataDir.startsWith('memory://');
  const location = isInMemory ? dataDir : resolve(dataDir);
  let unlock = () => {};
  if (!isInMemory) {
    await mkdir(location, { recursive: true });
    unlock = lockDataDir(location);
  }
  let client: PGlite;
  try {
    client = await withStoreErrors('open pglite', () => PGlite.create(location));
    if (quoted !== undefined) {
      await withStoreErrors('create schema', () =>
        client.exec(`create schema if not exists ${quoted}; set search_path to ${quoted};`),
      );
    }
  } catch (error) {
    unlock();
    throw error;
  }
  const db: Db = drizzlePglite({ client, schema });
  let closing: Promise<void> | undefined;
  const database: Database = {
    kind: 'pglite',
    db,
    schema: schemaName,
    close() {
      closing ??= (client.closed ? Promise.resolve() : client.close()).finally(unlock);
      return closing;
    },
  };
  handles.set(database, { kind: 'pglite', client, schema: schemaName });
  return database;
}
