import { describe, expect, it } from 'vitest';
import { RunRecordSchema, RunResultSchema } from '../../../src/queue/index.js';
import type { Run } from '../../../src/store/index.js';
import { toRunRecord, toRunResult } from '../../../src/worker/index.js';

const row: Run = {
  id: '00000000-0000-4000-8000-000000000000',
  jobId: 'job-9',
  slug: 'acme/support/triage',
  version: 'abc1234',
  label: null,
  variant: null,
  inputs: { ticket: 'x' },
  messages: [{ role: 'user', content: 'x' }],
  outputText: null,
  outputJson: null,
  status: 'failed',
  errorCode: 'gateway.all_failed',
  errorMessage: 'every model failed',
  errorDetails: { provider: 'openrouter' },
  modelRequested: 'openai/gpt-4o-mini',
  modelUsed: null,
  provider: 'openrouter',
  attempts: [{ model: 'openai/gpt-4o-mini', outcome: 'error' }],
  tokensIn: null,
  tokensOut: null,
  costUsd: null,
  queueWaitMs: 5,
  llmLatencyMs: null,
  totalMs: 900,
  traceId: null,
  metadata: { ticketId: 'T-9' },
  tags: ['nightly'],
  idempotencyKey: null,
  enqueuedAt: new Date(1_000),
  startedAt: new Date(1_005),
  finishedAt: new Date(1_900),
  createdAt: new Date(1_901),
  fellBack: false,
};

describe('toRunResult', () => {
  it('carries the stored error, details included, and validates against RunResultSchema', () => {
    const result = toRunResult(row);
    expect(result.error).toEqual({
      code: 'gateway.all_failed',
      message: 'every model failed',
      details: { provider: 'openrouter' },
    });
    expect(result.finishedAt).toBe(1_900);
    expect(RunResultSchema.parse(result)).toEqual(result);
  });
});

describe('toRunRecord', () => {
  it('adds inputs, metadata, tags, attempts and timestamps in epoch ms', () => {
    const record = toRunRecord(row);
    expect(record).toMatchObject({
      inputs: { ticket: 'x' },
      metadata: { ticketId: 'T-9' },
      tags: ['nightly'],
      attempts: [{ model: 'openai/gpt-4o-mini', outcome: 'error' }],
      enqueuedAt: 1_000,
      startedAt: 1_005,
    });
    expect(RunRecordSchema.parse(record)).toEqual(record);
  });
});
