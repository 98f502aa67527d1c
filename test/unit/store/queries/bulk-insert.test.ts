import { getTableColumns } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { describe, expect, it } from 'vitest';
import { buildBulkInsert } from '../../../../src/store/queries/bulk-insert.js';
import { runs } from '../../../../src/store/schema/index.js';

const dialect = new PgDialect();
/** The inserted columns' property names, in the order each row array carries them. */
const keys = Object.entries(getTableColumns(runs))
  .filter(([, column]) => column.generated === undefined)
  .map(([key]) => key);

function render(rows: Record<string, unknown>[]) {
  return dialect.sqlToQuery(buildBulkInsert(runs, runs.jobId, rows));
}

/** The rows parameter decoded back into objects keyed by property name. */
function decodedRows(rows: Record<string, unknown>[]): Record<string, unknown>[] {
  const { params } = render(rows);
  expect(params).toHaveLength(1);
  return (JSON.parse(params[0] as string) as unknown[][]).map((cells) =>
    Object.fromEntries(keys.map((key, index) => [key, cells[index]])),
  );
}

describe('buildBulkInsert', () => {
  it('sends any number of rows as one jsonb parameter of positional row arrays', () => {
    const rows = Array.from({ length: 3000 }, (_, i) => ({ jobId: `j${i}`, slug: 's', status: 'completed' }));
    const query = render(rows);
    expect(query.params).toHaveLength(1);
    const decoded = JSON.parse(query.params[0] as string) as unknown[][];
    expect(decoded).toHaveLength(3000);
    expect(decoded[0]).toHaveLength(keys.length);
    expect(decodedRows([rows[0] as Record<string, unknown>])[0]).toMatchObject({
      jobId: 'j0',
      slug: 's',
      status: 'completed',
      label: null,
    });
    expect(query.sql).toContain('from jsonb_array_elements($1::jsonb) as r(x)');
    expect(query.sql).toContain('on conflict ("job_id") do nothing');
  });

  it('keeps the same statement text whatever the rows, so Postgres can prepare it once', () => {
    const one = render([{ jobId: 'a', slug: 's', status: 'completed' }]);
    const many = render([
      { jobId: 'b', slug: 's', status: 'failed', tags: ['x'], enqueuedAt: new Date() },
      { jobId: 'c', slug: 't', status: 'completed', inputs: { q: 1 } },
    ]);
    expect(many.sql).toBe(one.sql);
  });

  it('falls back to each column default for omitted values', () => {
    const { sql } = render([{ jobId: 'j', slug: 's', status: 'failed' }]);
    expect(sql).toMatch(/coalesce\(\(r\.x ->> \d+\)::uuid, gen_random_uuid\(\)\)/);
    expect(sql).toMatch(/coalesce\(to_timestamp\(\(r\.x ->> \d+\)::float8 \/ 1000\), now\(\)\)/);
    expect(sql).toMatch(/coalesce\(nullif\(r\.x -> \d+, 'null'::jsonb\), '\{\}'::jsonb\)/);
    expect(sql).toMatch(/coalesce\(\(r\.x ->> \d+\)::text\[\], '\{\}'::text\[\]\)/);
  });

  it('writes dates as epoch milliseconds and an invalid date as null', () => {
    const [record] = decodedRows([
      {
        jobId: 'j',
        slug: 's',
        status: 'completed',
        enqueuedAt: new Date('2026-01-02T03:04:05.678Z'),
        startedAt: new Date(Number.NaN),
      },
    ]);
    expect(record).toMatchObject({ enqueuedAt: Date.UTC(2026, 0, 2, 3, 4, 5, 678), startedAt: null });
  });

  it('fills a column a row leaves out from the client defaults, and keeps a given value', () => {
    const rows = [
      { jobId: 'a', slug: 's', status: 'completed' },
      { id: 'given', jobId: 'b', slug: 's', status: 'completed' },
    ];
    const query = dialect.sqlToQuery(buildBulkInsert(runs, runs.jobId, rows, { id: () => 'made' }));
    const decoded = JSON.parse(query.params[0] as string) as unknown[][];
    const idAt = keys.indexOf('id');
    expect(decoded.map((cells) => cells[idAt])).toEqual(['made', 'given']);
  });

  it('writes text arrays as Postgres array literals', () => {
    const [record] = decodedRows([{ jobId: 'j', slug: 's', status: 'completed', tags: ['a,b', 'q"\\', ''] }]);
    expect(record?.tags).toBe('{"a,b","q\\"\\\\",""}');
  });

  it('replaces NUL characters but keeps an escaped backslash followed by u0000', () => {
    const [record] = decodedRows([
      { jobId: 'j', slug: 's', status: 'completed', outputText: 'a\u0000b', label: '\\u0000' },
    ]);
    expect(record).toMatchObject({ outputText: 'a\ufffdb', label: '\\u0000' });
  });
});
