import { sql } from 'drizzle-orm';
import { describe, expect } from 'vitest';
import { countRuns, createRunWriter, getRunByJobId } from '../../../src/store/index.js';
import { BACKENDS, databaseTest } from '../../support/db.js';
import { sampleRun } from './fixtures.js';

describe.each(BACKENDS)('createRunWriter on %s', (backend) => {
  const it = databaseTest(backend);

  it('resolves a write only once its row is committed', async ({ testDb }) => {
    const { db } = testDb.database;
    const writer = createRunWriter({ db });
    await writer.write(sampleRun({ jobId: 'durable' }));
    expect((await getRunByJobId(db, 'durable'))?.status).toBe('completed');
    await writer.close();
  });

  it('groups 1,000 concurrent writes into a few inserts and stores them all', async ({ testDb }) => {
    const { db } = testDb.database;
    const writer = createRunWriter({ db, maxBatch: 500, maxDelayMs: 5 });
    const writes = Array.from({ length: 1000 }, (_, i) => writer.write(sampleRun({ jobId: `w-${i}` })));
    await Promise.all(writes);
    expect(await countRuns(db)).toBe(1000);
    expect(writer.stats()).toMatchObject({ rowsWritten: 1000, failedBatches: 0 });
    expect(writer.stats().batches).toBeLessThanOrEqual(4);
    await writer.close();
  });

  it('never puts more than maxBatch runs in one insert', async ({ testDb }) => {
    const { db } = testDb.database;
    const writer = createRunWriter({ db, maxBatch: 100, maxDelayMs: 50 });
    await Promise.all(Array.from({ length: 1000 }, (_, i) => writer.write(sampleRun({ jobId: `m-${i}` }))));
    expect(writer.stats().batches).toBeGreaterThanOrEqual(10);
    expect(await countRuns(db)).toBe(1000);
    await writer.close();
  });

  it('stores a job written twice at once as one row and resolves both writers', async ({ testDb }) => {
    const { db } = testDb.database;
    const writer = createRunWriter({ db });
    await Promise.all([
      writer.write(sampleRun({ jobId: 'same', outputText: 'first' })),
      writer.write(sampleRun({ jobId: 'same', outputText: 'second' })),
    ]);
    await writer.write(sampleRun({ jobId: 'same', outputText: 'third' }));
    expect(await countRuns(db)).toBe(1);
    expect((await getRunByJobId(db, 'same'))?.outputText).toBe('first');
    await writer.close();
  });

  it('rejects every writer of a failed batch and writes later batches again', async ({ testDb }) => {
    const { db } = testDb.database;
    const writer = createRunWriter({ db, maxDelayMs: 20 });
    await db.execute(sql`alter table runs rename to runs_away`);
    const failed = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => writer.write(sampleRun({ jobId: `lost-${i}` }))),
    );
    expect(failed.every((result) => result.status === 'rejected')).toBe(true);
    expect(failed[0]).toMatchObject({ reason: { code: 'store.query_failed' } });
    await db.execute(sql`alter table runs_away rename to runs`);
    await Promise.all(Array.from({ length: 20 }, (_, i) => writer.write(sampleRun({ jobId: `lost-${i}` }))));
    expect(await countRuns(db)).toBe(20);
    expect(writer.stats().failedBatches).toBeGreaterThanOrEqual(1);
    await writer.close();
  });

  it('rejects only the writer of a row the database refuses, storing the rest of its batch', async ({
    testDb,
  }) => {
    const { db } = testDb.database;
    const writer = createRunWriter({ db, maxDelayMs: 20 });
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        writer.write(
          sampleRun({ jobId: `mixed-${i}`, status: (i === 13 ? 'running' : 'completed') as 'completed' }),
        ),
      ),
    );
    expect(results.filter((result) => result.status === 'rejected')).toEqual([
      { status: 'rejected', reason: expect.objectContaining({ code: 'store.query_failed' }) },
    ]);
    expect(results[13]?.status).toBe('rejected');
    expect(await countRuns(db)).toBe(19);
    await writer.close();
  });

  it('flushes pending writes on close and refuses writes afterwards', async ({ testDb }) => {
    const { db } = testDb.database;
    const writer = createRunWriter({ db, maxDelayMs: 60_000 });
    const pending = writer.write(sampleRun({ jobId: 'late' }));
    await writer.close();
    await pending;
    expect(await countRuns(db)).toBe(1);
    await writer.close();
    await expect(writer.write(sampleRun())).rejects.toMatchObject({ code: 'store.unavailable' });
  });
});
