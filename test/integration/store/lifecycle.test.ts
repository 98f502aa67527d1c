import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDatabase, getRunByJobId, insertRuns, migrate } from '../../../src/store/index.js';
import { BACKENDS, createTestDatabase } from '../../support/db.js';
import { sampleRun } from './fixtures.js';

describe.each(BACKENDS)('database lifecycle on %s', (backend) => {
  it('reports its kind, closes twice without error and then fails with store.unavailable', async () => {
    const testDb = await createTestDatabase(backend);
    try {
      expect(testDb.database.kind).toBe(backend);
      await testDb.database.close();
      await testDb.database.close();
      await expect(insertRuns(testDb.database.db, [sampleRun()])).rejects.toMatchObject({
        code: 'store.unavailable',
        retryable: true,
      });
    } finally {
      await testDb.dispose();
    }
  });
});

describe('createDatabase with PGlite', () => {
  it('keeps runs in its data directory across close and reopen', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'opm-pglite-reopen-'));
    try {
      const first = await createDatabase({ dataDir: join(dataDir, 'nested', 'pglite') });
      await migrate(first);
      await insertRuns(first.db, [sampleRun({ jobId: 'persisted' })]);
      await first.close();

      const second = await createDatabase({ dataDir: join(dataDir, 'nested', 'pglite') });
      try {
        await migrate(second);
        expect((await getRunByJobId(second.db, 'persisted'))?.slug).toBe('acme/support/triage');
      } finally {
        await second.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses a data directory another live process holds, naming DATABASE_URL', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'opm-pglite-lock-'));
    try {
      await writeFile(join(dataDir, 'opm.lock'), String(process.ppid));
      const opening = createDatabase({ dataDir });
      await expect(opening).rejects.toMatchObject({
        code: 'store.unavailable',
        details: { pid: process.ppid },
      });
      await expect(opening).rejects.toThrow(/DATABASE_URL/);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses to open one data directory twice in a process and takes over a dead owner', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'opm-pglite-lock-'));
    try {
      const exited = spawnSync(process.execPath, ['-e', '']);
      await writeFile(join(dataDir, 'opm.lock'), String(exited.pid));
      const database = await createDatabase({ dataDir });
      await expect(createDatabase({ dataDir })).rejects.toMatchObject({ code: 'store.unavailable' });
      await database.close();
      const again = await createDatabase({ dataDir });
      await again.close();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('rejects a schema name that would need escaping', async () => {
    await expect(createDatabase({ dataDir: 'memory://', schema: 'bad"; drop' })).rejects.toMatchObject({
      code: 'store.query_failed',
    });
  });
});
