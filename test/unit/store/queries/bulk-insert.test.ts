import { PgDialect } from 'drizzle-orm/pg-core';
import { describe, expect, it } from 'vitest';
import { buildBulkInsert } from '../../../../src/store/queries/bulk-insert.js';
import { runs } from '../../../../src/store/schema/index.js';

const dialect = new PgDialect();

function render(rows: Record<string, unknown>[]) {
  return dialect.sqlToQuery(buildBulkInsert(runs, runs.jobId, rows));
}

describe('buildBulkInsert', () => {
  it('sends any number of rows as one jsonb parameter keyed by column name', () => {
    const rows = Array.from({ length: 3000 }, (_, i) => ({ jobId: `j${i}`, slug: 's', status: 'completed' }));
    const query = render(rows);
    const recordsParam = query.params.find((param) => typeof param === 'string' && param.startsWith('[{'));
    expect(JSON.parse(recordsParam as string)).toHaveLength(3000);
    expect(JSON.parse(recordsParam as string)[0]).toEqual({ job_id: 'j0', slug: 's', status: 'completed' });
    expect(query.params.length).toBeLessThan(10);
    expect(query.sql).toContain('jsonb_populate_recordset(null::"runs"');
    expect(query.sql).toContain('on conflict ("job_id") do nothing');
  });

  it('falls back to each column default for omitted values', () => {
    const { sql } = render([{ jobId: 'j', slug: 's', status: 'failed' }]);
    expect(sql).toContain('coalesce(r."id", gen_random_uuid())');
    expect(sql).toContain('coalesce(r."created_at", now())');
    expect(sql).toMatch(/coalesce\(r\."inputs", \$\d+::jsonb\)/);
    expect(sql).toContain(`coalesce(r."tags", '{}'::text[])`);
    expect(sql).toContain('r."output_text"');
  });

  it('writes dates as ISO text and an invalid date as null, as JSON.stringify would', () => {
    const query = render([
      {
        jobId: 'j',
        slug: 's',
        status: 'completed',
        enqueuedAt: new Date('2026-01-02T03:04:05.678Z'),
        startedAt: new Date(Number.NaN),
      },
    ]);
    const [record] = JSON.parse(
      query.params.find((p) => typeof p === 'string' && p.startsWith('[{')) as string,
    );
    expect(record).toMatchObject({ enqueued_at: '2026-01-02T03:04:05.678Z', started_at: null });
  });

  it('replaces NUL characters but keeps an escaped backslash followed by u0000', () => {
    const query = render([
      { jobId: 'j', slug: 's', status: 'completed', outputText: 'a\u0000b', label: '\\u0000' },
    ]);
    const [record] = JSON.parse(
      query.params.find((p) => typeof p === 'string' && p.startsWith('[{')) as string,
    );
    expect(record).toMatchObject({ output_text: 'a\ufffdb', label: '\\u0000' });
  });
});
