import { sql } from 'drizzle-orm';
import { describe, expect } from 'vitest';
import {
  countRuns,
  getRunByJobId,
  insertRuns,
  insertWebhookDelivery,
  listRuns,
  listWebhookDeliveries,
  MAX_RUNS_PER_INSERT,
  type NewRun,
} from '../../../src/store/index.js';
import { BACKENDS, databaseTest } from '../../support/db.js';
import { sampleRun } from './fixtures.js';

describe.each(BACKENDS)('run queries on %s', (backend) => {
  const it = databaseTest(backend);

  it('stores a run and reads every column back by job id', async ({ testDb }) => {
    const { db } = testDb.database;
    const run = sampleRun({ jobId: 'job-1', errorDetails: null });
    expect(await insertRuns(db, [run])).toBe(1);
    const stored = await getRunByJobId(db, 'job-1');
    expect(stored).toMatchObject({ ...run, id: expect.any(String), createdAt: expect.any(Date) });
    expect(stored?.costUsd).toBeCloseTo(0.0000123, 10);
  });

  it('fills omitted columns with their defaults and nulls', async ({ testDb }) => {
    const { db } = testDb.database;
    await insertRuns(db, [
      { jobId: 'minimal', slug: 'x', status: 'failed', errorCode: 'prompty.missing_input' },
    ]);
    const stored = await getRunByJobId(db, 'minimal');
    expect(stored).toMatchObject({
      inputs: {},
      attempts: [],
      metadata: {},
      tags: [],
      messages: null,
      costUsd: null,
      finishedAt: null,
      errorCode: 'prompty.missing_input',
    });
    // Made by the client in time order (UUIDv7), not by gen_random_uuid().
    expect(stored?.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(Math.abs((stored?.createdAt.getTime() ?? 0) - Date.now())).toBeLessThan(60_000);
  });

  it('keeps JSON values that look like other types intact', async ({ testDb }) => {
    const { db } = testDb.database;
    const tricky = { quote: 'it\'s "fine"', unicode: 'naïve ✓', nested: [1, null, { a: true }], empty: '' };
    await insertRuns(db, [
      sampleRun({ jobId: 'tricky', inputs: tricky, outputJson: 'a plain string', tags: ['a,b', '{c}', ''] }),
    ]);
    const stored = await getRunByJobId(db, 'tricky');
    expect(stored?.inputs).toEqual(tricky);
    expect(stored?.outputJson).toBe('a plain string');
    expect(stored?.tags).toEqual(['a,b', '{c}', '']);
  });

  it('keeps every millisecond of the instants it stores', async ({ testDb }) => {
    const { db } = testDb.database;
    const instants = [
      new Date('1970-01-01T00:00:00.001Z'),
      new Date('1999-12-31T23:59:59.999Z'),
      new Date('2026-06-30T12:34:56.789Z'),
      new Date('2099-12-31T23:59:59.999Z'),
      ...Array.from({ length: 40 }, (_, i) => new Date(Date.UTC(2020, 0, 1) + i * 7_919_993_117)),
    ];
    await insertRuns(
      db,
      instants.map((instant, i) => sampleRun({ jobId: `ms-${i}`, finishedAt: instant, createdAt: instant })),
    );
    for (const [i, instant] of instants.entries()) {
      const stored = await getRunByJobId(db, `ms-${i}`);
      expect(stored?.finishedAt?.toISOString()).toBe(instant.toISOString());
      expect(stored?.createdAt.toISOString()).toBe(instant.toISOString());
    }
  });

  it('stores tags with quotes, backslashes, braces and the word NULL as given', async ({ testDb }) => {
    const { db } = testDb.database;
    const tags = ['say "hi"', 'back\\slash', '{x,y}', 'NULL', ' spaced ', 'naïve ✓'];
    await insertRuns(db, [sampleRun({ jobId: 'tags', tags })]);
    expect((await getRunByJobId(db, 'tags'))?.tags).toEqual(tags);
  });

  it('stores NUL characters, which Postgres text cannot hold, as U+FFFD', async ({ testDb }) => {
    const { db } = testDb.database;
    await insertRuns(db, [
      sampleRun({
        jobId: 'nul',
        outputText: 'a\u0000b',
        outputJson: { text: 'c\u0000' },
        inputs: { raw: '\\u0000' },
      }),
    ]);
    const stored = await getRunByJobId(db, 'nul');
    expect(stored?.outputText).toBe('a\ufffdb');
    expect(stored?.outputJson).toEqual({ text: 'c\ufffd' });
    expect(stored?.inputs).toEqual({ raw: '\\u0000' });
  });

  it('returns null for a job that has no run', async ({ testDb }) => {
    expect(await getRunByJobId(testDb.database.db, 'missing')).toBeNull();
  });

  it('keeps the first write when the same job id is inserted again', async ({ testDb }) => {
    const { db } = testDb.database;
    expect(await insertRuns(db, [sampleRun({ jobId: 'dup', outputText: 'first' })])).toBe(1);
    expect(await insertRuns(db, [sampleRun({ jobId: 'dup', outputText: 'second' })])).toBe(0);
    expect(await countRuns(db)).toBe(1);
    expect((await getRunByJobId(db, 'dup'))?.outputText).toBe('first');
  });

  it('stores a job id once when it appears twice in one insert', async ({ testDb }) => {
    const { db } = testDb.database;
    const rows = [
      sampleRun({ jobId: 'twice', outputText: 'a' }),
      sampleRun({ jobId: 'twice', outputText: 'b' }),
    ];
    expect(await insertRuns(db, rows)).toBe(1);
    expect(await countRuns(db)).toBe(1);
  });

  it('writes more rows than one statement carries in a single call', async ({ testDb }) => {
    const { db } = testDb.database;
    const total = MAX_RUNS_PER_INSERT * 2 + 17;
    const rows = Array.from({ length: total }, (_, i) => sampleRun({ jobId: `bulk-${i}` }));
    expect(await insertRuns(db, rows)).toBe(total);
    expect(await countRuns(db)).toBe(total);
  });

  it('rejects a status outside completed and failed with store.query_failed', async ({ testDb }) => {
    const bad = sampleRun({ status: 'running' as NewRun['status'] });
    await expect(insertRuns(testDb.database.db, [bad])).rejects.toMatchObject({
      code: 'store.query_failed',
      retryable: false,
      details: { sqlState: '23514' },
    });
  });

  it('lists runs newest first, filtered by slug and status', async ({ testDb }) => {
    const { db } = testDb.database;
    // Explicit timestamps: PGlite's clock can give back-to-back transactions the same now().
    const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, second));
    await insertRuns(db, [
      sampleRun({ jobId: 'a1', slug: 'a', createdAt: at(1) }),
      sampleRun({
        jobId: 'a2',
        slug: 'a',
        status: 'failed',
        errorCode: 'gateway.all_failed',
        createdAt: at(2),
      }),
      sampleRun({ jobId: 'b1', slug: 'b', createdAt: at(3) }),
    ]);
    expect((await listRuns(db, { limit: 10 })).map((run) => run.jobId)).toEqual(['b1', 'a2', 'a1']);
    expect((await listRuns(db, { slug: 'a', limit: 10 })).map((run) => run.jobId)).toEqual(['a2', 'a1']);
    expect((await listRuns(db, { status: 'failed', limit: 10 })).map((run) => run.jobId)).toEqual(['a2']);
    expect(await countRuns(db, { slug: 'a' })).toBe(2);
    expect(await countRuns(db, { slug: 'a', status: 'completed' })).toBe(1);
  });

  it('pages with a cursor through runs that share a created_at', async ({ testDb }) => {
    const { db } = testDb.database;
    // One statement, one transaction: all five rows get the same now().
    await insertRuns(
      db,
      Array.from({ length: 5 }, (_, i) => sampleRun({ jobId: `page-${i}` })),
    );
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 5; page++) {
      const runs = await listRuns(db, { limit: 2, cursor });
      if (runs.length === 0) break;
      seen.push(...runs.map((run) => run.jobId));
      cursor = runs.at(-1)?.id;
    }
    expect(seen.sort()).toEqual(['page-0', 'page-1', 'page-2', 'page-3', 'page-4']);
  });

  it('filters runs created before an instant', async ({ testDb }) => {
    const { db } = testDb.database;
    await insertRuns(db, [sampleRun({ jobId: 'old' })]);
    await db.execute(sql`update runs set created_at = now() - interval '1 day' where job_id = 'old'`);
    await insertRuns(db, [sampleRun({ jobId: 'new' })]);
    const cutoff = new Date(Date.now() - 60_000);
    expect((await listRuns(db, { limit: 10, before: cutoff })).map((run) => run.jobId)).toEqual(['old']);
    expect(await countRuns(db, { before: cutoff })).toBe(1);
  });

  it('records webhook deliveries per job in order', async ({ testDb }) => {
    const { db } = testDb.database;
    const base = { jobId: 'wh', url: 'https://example.test/hook', event: 'run.completed' };
    await insertWebhookDelivery(db, {
      ...base,
      attempt: 1,
      ok: false,
      statusCode: 503,
      error: 'HTTP 503',
      durationMs: 12,
    });
    await insertWebhookDelivery(db, { ...base, attempt: 2, ok: true, statusCode: 204, durationMs: 8 });
    const deliveries = await listWebhookDeliveries(db, 'wh');
    expect(deliveries.map((d) => [d.attempt, d.ok, d.statusCode])).toEqual([
      [1, false, 503],
      [2, true, 204],
    ]);
  });
});
