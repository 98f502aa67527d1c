import { describe, expect, it } from 'vitest';
import {
  jobCatalog,
  jobIdForIdempotencyKey,
  PROMPT_RUN_JOB,
  PROMPT_RUNS_QUEUE,
  PromptRunPayloadSchema,
  parseJobPayload,
  QueueError,
} from '../../../src/queue/index.js';

const valid = { slug: 'acme/support/triage', vars: { ticket: 'late order' }, enqueuedAt: 1_700_000_000_000 };

describe('jobCatalog', () => {
  it('maps prompt.run to the prompt-runs queue with retries, backoff and bounded retention', () => {
    const definition = jobCatalog[PROMPT_RUN_JOB];
    expect(definition.queue).toBe(PROMPT_RUNS_QUEUE);
    expect(definition.options.attempts).toBeGreaterThan(1);
    expect(definition.options.backoff).toMatchObject({ type: 'exponential' });
    expect(definition.options.removeOnComplete).toMatchObject({
      age: expect.any(Number),
      count: expect.any(Number),
    });
    expect(definition.options.removeOnFail).toMatchObject({ age: expect.any(Number) });
  });

  it('uses a queue name without ":" and a dot.case job name', () => {
    expect(PROMPT_RUNS_QUEUE).toMatch(/^[a-z][a-z-]*$/);
    expect(PROMPT_RUN_JOB).toMatch(/^[a-z]+(\.[a-z]+)+$/);
  });
});

describe('PromptRunPayloadSchema', () => {
  it('accepts a payload with every optional field', () => {
    const full = {
      ...valid,
      label: 'production',
      version: 'abc1234',
      assignmentKey: 'user-1',
      modelOverride: 'openai/gpt-4o',
      metadata: { ticketId: 'T-1' },
      tags: ['batch-7'],
      idempotencyKey: 'ticket-T-1',
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    };
    expect(PromptRunPayloadSchema.parse(full)).toEqual(full);
  });

  it('drops unknown fields so a newer producer cannot smuggle data into the worker', () => {
    expect(PromptRunPayloadSchema.parse({ ...valid, extra: 1 })).toEqual(valid);
  });
});

describe('parseJobPayload', () => {
  it('returns the parsed payload', () => {
    expect(parseJobPayload(PROMPT_RUN_JOB, valid)).toEqual(valid);
  });

  it('throws queue.invalid_payload listing every issue with its path', () => {
    let caught: unknown;
    try {
      parseJobPayload(PROMPT_RUN_JOB, { slug: '', vars: 'x' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(QueueError);
    const error = caught as QueueError;
    expect(error.code).toBe('queue.invalid_payload');
    const paths = ((error.details?.issues ?? []) as { path: string }[]).map((issue) => issue.path).sort();
    expect(paths).toEqual(['enqueuedAt', 'slug', 'vars']);
  });
});

describe('jobIdForIdempotencyKey', () => {
  it('maps the same key to the same id', () => {
    expect(jobIdForIdempotencyKey('order-42')).toBe(jobIdForIdempotencyKey('order-42'));
    expect(jobIdForIdempotencyKey('order-42')).not.toBe(jobIdForIdempotencyKey('order-43'));
  });

  it('keeps readable keys readable', () => {
    expect(jobIdForIdempotencyKey('order-42')).toBe('idem-order-42');
  });

  it('hashes keys BullMQ would refuse as ids, such as ones with ":"', () => {
    const id = jobIdForIdempotencyKey('tenant:1/order 42');
    expect(id).toMatch(/^idem-sha256-[0-9a-f]{64}$/);
    expect(id).not.toContain(':');
  });
});
