import { randomUUID } from 'node:crypto';
import type { NewRun } from '../../../src/store/index.js';

/** A completed run with every column filled, overridable per test. */
export function sampleRun(overrides: Partial<NewRun> = {}): NewRun {
  return {
    jobId: `job-${randomUUID()}`,
    slug: 'acme/support/triage',
    version: null,
    label: null,
    variant: null,
    inputs: { question: 'Where is my parcel?' },
    messages: [{ role: 'user', content: 'Where is my parcel?' }],
    outputText: '{"category":"shipping"}',
    outputJson: { category: 'shipping' },
    status: 'completed',
    modelRequested: 'openai/gpt-4o-mini',
    modelUsed: 'openai/gpt-4o-mini-2024-07-18',
    provider: 'openrouter',
    attempts: [{ provider: 'openrouter', model: 'openai/gpt-4o-mini', outcome: 'ok', latencyMs: 420 }],
    tokensIn: 31,
    tokensOut: 7,
    costUsd: 0.0000123,
    queueWaitMs: 3,
    llmLatencyMs: 420,
    totalMs: 431,
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    metadata: { tenant: 'acme' },
    tags: ['demo', 'support'],
    idempotencyKey: null,
    enqueuedAt: new Date('2026-01-01T00:00:00.000Z'),
    startedAt: new Date('2026-01-01T00:00:00.003Z'),
    finishedAt: new Date('2026-01-01T00:00:00.431Z'),
    ...overrides,
  };
}
