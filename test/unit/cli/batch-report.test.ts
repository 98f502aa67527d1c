import { describe, expect, it } from 'vitest';
import { buildRecords, summarize } from '../../../src/cli/batch-report.js';
import type { RunResult } from '../../../src/queue/index.js';

function result(jobId: string, overrides: Partial<RunResult> = {}): RunResult {
  return {
    jobId,
    status: 'completed',
    slug: 'acme/triage',
    version: null,
    label: null,
    variant: null,
    text: `answer ${jobId}`,
    json: null,
    provider: 'mock',
    modelRequested: 'm',
    modelUsed: 'm',
    inputTokens: 10,
    outputTokens: 5,
    costUsd: 0.001,
    queueWaitMs: 1,
    llmLatencyMs: 2,
    totalMs: 100,
    error: null,
    finishedAt: 0,
    ...overrides,
  };
}

const items = [
  { line: 1, vars: {}, jobId: 'a' },
  { line: 3, vars: {}, jobId: 'b' },
  { line: 4, vars: {}, jobId: 'c' },
];

describe('buildRecords', () => {
  it('puts results and bad lines back in input order', () => {
    const results = new Map([
      ['c', result('c')],
      ['a', result('a')],
    ]);
    const records = buildRecords(items, [{ line: 2, message: 'not valid JSON' }], results);
    expect(records.map((record) => [record.line, record.jobId, record.status])).toEqual([
      [1, 'a', 'completed'],
      [2, null, 'invalid'],
      [3, 'b', 'pending'],
      [4, 'c', 'completed'],
    ]);
    expect(records[1]?.error).toEqual({ code: 'cli.invalid_input_line', message: 'not valid JSON' });
    expect(records[0]?.text).toBe('answer a');
  });

  it('marks every enqueued line queued when nobody waited', () => {
    const records = buildRecords(items, [], undefined);
    expect(records.map((record) => record.status)).toEqual(['queued', 'queued', 'queued']);
  });

  it('keeps the code and message of a failed run', () => {
    const failed = result('a', {
      status: 'failed',
      text: null,
      error: { code: 'prompty.missing_input', message: 'Missing ticket', details: { input: 'ticket' } },
    });
    const [record] = buildRecords(items.slice(0, 1), [], new Map([['a', failed]]));
    expect(record).toMatchObject({
      status: 'failed',
      error: { code: 'prompty.missing_input', message: 'Missing ticket' },
    });
  });
});

describe('summarize', () => {
  it('counts statuses and adds up tokens and cost of finished runs', () => {
    const results = new Map([
      ['a', result('a', { totalMs: 100 })],
      [
        'b',
        result('b', { status: 'failed', totalMs: 300, inputTokens: 10, outputTokens: null, costUsd: null }),
      ],
    ]);
    const summary = summarize(buildRecords(items, [{ line: 2, message: 'x' }], results), 1234);
    expect(summary).toMatchObject({
      lines: 4,
      enqueued: 3,
      invalid: 1,
      completed: 1,
      failed: 1,
      pending: 1,
      inputTokens: 20,
      outputTokens: 5,
      costUsd: 0.001,
      wallMs: 1234,
    });
  });

  it('reports p50 and p95 latency by nearest rank', () => {
    const many = Array.from({ length: 20 }, (_, index) => ({
      line: index + 1,
      vars: {},
      jobId: `j${index}`,
    }));
    const results = new Map(
      many.map((item, index) => [item.jobId, result(item.jobId, { totalMs: (index + 1) * 10 })]),
    );
    expect(summarize(buildRecords(many, [], results), 0).latencyMs).toEqual({ p50: 100, p95: 190 });
  });

  it('has no latency figures when nothing finished', () => {
    expect(summarize(buildRecords(items, [], new Map()), 0).latencyMs).toEqual({ p50: null, p95: null });
  });
});
