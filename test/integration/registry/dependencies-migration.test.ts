import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { createStoreSource } from '../../../src/registry/index.js';
import { defaultMigrationsFolder, executeRows, findVersion, migrate } from '../../../src/store/index.js';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../../support/db.js';
import { promptText } from './git-repo.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A copy of the migrations folder that stops before `tag`. */
function migrationsBefore(tag: string): string {
  const source = defaultMigrationsFolder();
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'opm-migrations-'));
  cleanups.push(() => fs.rmSync(copy, { recursive: true, force: true }));
  fs.cpSync(source, copy, { recursive: true });
  const journalPath = path.join(copy, 'meta', '_journal.json');
  const journal = JSON.parse(fs.readFileSync(journalPath, 'utf8')) as { entries: { tag: string }[] };
  const index = journal.entries.findIndex((entry) => entry.tag === tag);
  expect(index).toBeGreaterThan(0);
  journal.entries = journal.entries.slice(0, index);
  fs.writeFileSync(journalPath, JSON.stringify(journal));
  return copy;
}

describe.each(BACKENDS)('migration 0004_version_dependencies (%s)', (backend) => {
  it('adds the column to a table holding immutable versions, which default to no dependencies and stay immutable', async () => {
    const testDb: TestDatabase = await createTestDatabase(backend, { migrate: false });
    cleanups.push(() => testDb.dispose());
    const { db } = testDb.database;
    await migrate(testDb.database, { migrationsFolder: migrationsBefore('0004_version_dependencies') });
    await executeRows(
      db,
      sql`
      insert into prompt_versions (slug, version, commit_sha, content_hash, content, path, author_name, author_email, committed_at, message)
      values ('acme/old', 'aaaaaaa', 'aaaaaaa0', 'h', ${promptText('Before the migration.')}, 'acme/old.prompty', 'A', 'a@x', now(), 'old')`,
    );

    await migrate(testDb.database);

    expect(await findVersion(db, 'acme/old', 'aaaaaaa')).toMatchObject({ dependencies: {} });
    await expect(
      executeRows(db, sql`update prompt_versions set dependencies = '{"x.md": "x"}'::jsonb`),
    ).rejects.toThrow(/immutable/);
    const source = createStoreSource({ db });
    cleanups.push(() => source.close());
    expect((await source.resolve({ slug: 'acme/old' })).prompt.instructions).toContain(
      'Before the migration.',
    );
  });
});
