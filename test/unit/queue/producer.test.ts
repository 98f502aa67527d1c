import { describe, expect, it } from 'vitest';
import { jobOptionsFrom, prepareJob } from '../../../src/queue/producer.js';

const base = jobOptionsFrom({});

describe('prepareJob', () => {
  it('gives every job its own UUID, so run rows never collide after a Redis flush', () => {
    const a = prepareJob('acme/a', {}, {}, base);
    const b = prepareJob('acme/a', {}, {}, base);
    expect(a.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.id).not.toBe(b.id);
    expect(a.opts.jobId).toBe(a.id);
  });

  it('derives the job id from the idempotency key and keeps the key on the payload', () => {
    const job = prepareJob('acme/a', {}, { idempotencyKey: 'order-1' }, base);
    expect(job.id).toBe('idem-order-1');
    expect(job.data.idempotencyKey).toBe('order-1');
  });

  it('maps the SDK options onto the payload and the BullMQ job options', () => {
    const job = prepareJob(
      'acme/a',
      { x: 1 },
      {
        label: 'production',
        version: 'abc1234',
        assignmentKey: 'u1',
        model: 'openai/gpt-4o',
        priority: 3,
        delayMs: 500,
        attempts: 7,
        metadata: { m: 1 },
        tags: ['t'],
      },
      base,
    );
    expect(job.data).toMatchObject({
      slug: 'acme/a',
      vars: { x: 1 },
      label: 'production',
      version: 'abc1234',
      assignmentKey: 'u1',
      modelOverride: 'openai/gpt-4o',
      metadata: { m: 1 },
      tags: ['t'],
    });
    expect(job.data.enqueuedAt).toBeGreaterThan(0);
    expect(job.opts).toMatchObject({ priority: 3, delay: 500, attempts: 7 });
  });

  it('rejects unknown option values with queue.invalid_options', () => {
    expect(() => prepareJob('acme/a', {}, { priority: 0 }, base)).toThrow(
      expect.objectContaining({ code: 'queue.invalid_options' }),
    );
  });
});

describe('jobOptionsFrom', () => {
  it('applies the configured attempts and backoff base over the catalog defaults', () => {
    expect(jobOptionsFrom({ attempts: 5, backoffDelayMs: 200 })).toMatchObject({
      attempts: 5,
      backoff: { type: 'exponential', delay: 200 },
      removeOnComplete: { age: 3_600 },
    });
    expect(base).toMatchObject({ attempts: 3, backoff: { delay: 1_000 } });
  });
});
