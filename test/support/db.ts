import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { test } from 'vitest';
import { createDatabase, type Database, migrate } from '../../src/store/index.js';

/** The database engines the store runs on; conformance suites iterate over both. */
export const BACKENDS = ['pglite', 'postgres'] as const;
export type Backend = (typeof BACKENDS)[number];

/** Tried when `DATABASE_URL` is unset: the local server this project's machines run. */
export const LOCAL_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

function hasDocker(): boolean {
  return process.env.DOCKER_HOST !== undefined || existsSync('/var/run/docker.sock');
}

async function startPostgresContainer(): Promise<string> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const container = await new GenericContainer('postgres:16-alpine')
    .withEnvironment({ POSTGRES_HOST_AUTH_METHOD: 'trust', POSTGRES_DB: 'test' })
    .withExposedPorts(5432)
    .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
    .start();
  return `postgres://postgres@${container.getHost()}:${container.getMappedPort(5432)}/test`;
}

let resolvedUrl: Promise<string> | undefined;

/**
 * A reachable Postgres for tests: `DATABASE_URL`, else {@link LOCAL_DATABASE_URL}, else a
 * testcontainers Postgres when Docker is available; otherwise it throws saying how to start one.
 */
export function postgresUrl(): Promise<string> {
  resolvedUrl ??= (async () => {
    const fromEnv = process.env.DATABASE_URL;
    if (fromEnv !== undefined && fromEnv !== '') {
      if (await canConnect(fromEnv)) return fromEnv;
      throw new Error(`DATABASE_URL=${fromEnv} is set but Postgres does not answer there.`);
    }
    if (await canConnect(LOCAL_DATABASE_URL)) return LOCAL_DATABASE_URL;
    if (hasDocker()) return startPostgresContainer();
    throw new Error(
      'No Postgres for the tests: set DATABASE_URL, or start one on 127.0.0.1:5432 with a database "test" ' +
        '(e.g. `docker compose up -d postgres`, or `docker run -d -p 5432:5432 -e POSTGRES_HOST_AUTH_METHOD=trust ' +
        '-e POSTGRES_DB=test postgres:16-alpine`).',
    );
  })();
  return resolvedUrl;
}

/** A database of its own on a Postgres server, for child processes that take a `DATABASE_URL`. */
export interface ScratchDatabase {
  url: string;
  /** Drops it, closing what is still connected. */
  drop(): Promise<void>;
}

/** Creates a new, empty database on the Postgres server at `serverUrl`. */
export async function createScratchDatabase(serverUrl: string): Promise<ScratchDatabase> {
  const name = `opm_test_${randomUUID().replaceAll('-', '')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}

/** A migrated database of its own for one test, and how to throw it away. */
export interface TestDatabase {
  backend: Backend;
  database: Database;
  /** Postgres only: the server URL and the test's own schema. */
  url: string | undefined;
  schema: string | undefined;
  /** PGlite only: the temporary data directory. */
  dataDir: string | undefined;
  dispose(): Promise<void>;
}

/** Options for {@link createTestDatabase}. */
export interface TestDatabaseOptions {
  /** Apply the migrations before returning. @default true */
  migrate?: boolean;
}

/**
 * Postgres: a fresh schema `test-<uuid>` on {@link postgresUrl} (dropped on dispose).
 * PGlite: a fresh instance in a temporary directory (deleted on dispose).
 */
export async function createTestDatabase(
  backend: Backend,
  options: TestDatabaseOptions = {},
): Promise<TestDatabase> {
  let result: TestDatabase;
  if (backend === 'postgres') {
    const url = await postgresUrl();
    const schema = `test-${randomUUID()}`;
    const database = await createDatabase({ url, schema });
    result = {
      backend,
      database,
      url,
      schema,
      dataDir: undefined,
      async dispose() {
        await database.close();
        await dropSchema(url, schema);
      },
    };
  } else {
    const dataDir = await mkdtemp(join(tmpdir(), 'opm-pglite-'));
    const database = await createDatabase({ dataDir });
    result = {
      backend,
      database,
      url: undefined,
      schema: undefined,
      dataDir,
      async dispose() {
        await database.close();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  }
  if (options.migrate ?? true) {
    try {
      await migrate(result.database);
    } catch (error) {
      await result.dispose();
      throw error;
    }
  }
  return result;
}

/** Drops a test schema and everything in it. */
export async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema.replaceAll('"', '""')}" cascade`);
  } finally {
    await client.end();
  }
}

/**
 * A vitest `test` with a `testDb` fixture on the given backend, migrated and disposed per test.
 *
 * @example
 * const it = databaseTest('postgres');
 * it('stores a run', async ({ testDb }) => { await insertRuns(testDb.database.db, [run]); });
 */
export function databaseTest(backend: Backend) {
  return test.extend<{ testDb: TestDatabase }>({
    // biome-ignore lint/correctness/noEmptyPattern: vitest reads fixture dependencies from this pattern.
    testDb: async ({}, use) => {
      const testDb = await createTestDatabase(backend);
      try {
        await use(testDb);
      } finally {
        await testDb.dispose();
      }
    },
  });
}
