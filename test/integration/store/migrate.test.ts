import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { describe, expect, test } from 'vitest';
import {
  createDatabase,
  defaultMigrationsFolder,
  executeRows,
  insertRuns,
  migrate,
} from '../../../src/store/index.js';
import { BACKENDS, createTestDatabase, databaseTest, dropSchema, postgresUrl } from '../../support/db.js';
import { sampleRun } from './fixtures.js';

async function journalEntries(): Promise<number> {
  const journal = JSON.parse(
    await readFile(join(defaultMigrationsFolder(), 'meta', '_journal.json'), 'utf8'),
  );
  return (journal as { entries: unknown[] }).entries.length;
}

describe.each(BACKENDS)('migrate on %s', (backend) => {
  const it = databaseTest(backend);

  it('creates every table of the schema', async ({ testDb }) => {
    const result = await executeRows<{ table_name: string }>(
      testDb.database.db,
      sql`select table_name from information_schema.tables
          where table_schema = current_schema() and table_name not like '\\_\\_%' order by table_name`,
    );
    expect(result.map((row) => row.table_name)).toEqual([
      'api_keys',
      'audit_log',
      'prompt_labels',
      'prompt_versions',
      'prompts',
      'run_feedback',
      'runs',
      'webhook_deliveries',
    ]);
  });

  it('is a no-op when run a second time', async ({ testDb }) => {
    const { db } = testDb.database;
    await insertRuns(db, [sampleRun({ jobId: 'kept' })]);
    await migrate(testDb.database);
    await migrate(testDb.database);
    const journalSchema = testDb.schema ?? 'drizzle';
    const applied = await executeRows<{ n: number }>(
      db,
      sql`select count(*)::int as n from ${sql.identifier(journalSchema)}.__drizzle_migrations`,
    );
    expect(applied[0]?.n).toBe(await journalEntries());
    const rows = await executeRows<{ job_id: string }>(db, sql`select job_id from runs`);
    expect(rows).toEqual([{ job_id: 'kept' }]);
  });

  it('applies each migration once when migrators race', async () => {
    const testDb = await createTestDatabase(backend, { migrate: false });
    // A second handle on the same storage: another pool on the same schema, or the same PGlite.
    const other =
      testDb.backend === 'postgres'
        ? await createDatabase({ url: testDb.url, schema: testDb.schema })
        : testDb.database;
    try {
      await Promise.all([migrate(testDb.database), migrate(other), migrate(testDb.database)]);
      const journalSchema = testDb.schema ?? 'drizzle';
      const applied = await executeRows<{ n: number }>(
        testDb.database.db,
        sql`select count(*)::int as n from ${sql.identifier(journalSchema)}.__drizzle_migrations`,
      );
      expect(applied[0]?.n).toBe(await journalEntries());
    } finally {
      if (other !== testDb.database) await other.close();
      await testDb.dispose();
    }
  });
});

describe('migrate with a search_path given in the URL', () => {
  test('keeps a journal per schema so each schema gets its own tables', async () => {
    const url = await postgresUrl();
    const schemas = [`test-${randomUUID()}`, `test-${randomUUID()}`];
    try {
      for (const schema of schemas) {
        const setup = await createDatabase({ url, schema });
        await setup.close();
        const viaUrl = new URL(url);
        viaUrl.searchParams.set('options', `-c search_path="${schema}"`);
        const database = await createDatabase({ url: viaUrl.toString() });
        try {
          await migrate(database);
          await insertRuns(database.db, [sampleRun({ jobId: schema })]);
          const rows = await executeRows<{ schema: string }>(
            database.db,
            sql`select table_schema as schema from information_schema.tables where table_name = '__drizzle_migrations'
                and table_schema = ${schema}`,
          );
          expect(rows).toEqual([{ schema }]);
        } finally {
          await database.close();
        }
      }
    } finally {
      for (const schema of schemas) await dropSchema(url, schema);
    }
  });
});
