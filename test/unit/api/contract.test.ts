import { describe, expect, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import * as contract from '../../../src/api/contract.js';
import {
  EnqueueOptionsSchema,
  RunRecordSchema as SdkRunRecordSchema,
  type RunResultSchema as SdkRunResultSchema,
} from '../../../src/queue/index.js';

describe('API contract', () => {
  it('declares the same run options, results and records as the SDK', () => {
    expectTypeOf<z.infer<typeof contract.RunOptionsSchema>>().toEqualTypeOf<
      z.infer<typeof EnqueueOptionsSchema>
    >();
    expectTypeOf<contract.RunResult>().toEqualTypeOf<z.infer<typeof SdkRunResultSchema>>();
    expectTypeOf<contract.RunRecord>().toEqualTypeOf<z.infer<typeof SdkRunRecordSchema>>();
    expect(Object.keys(contract.RunOptionsSchema.shape).sort()).toEqual(
      Object.keys(EnqueueOptionsSchema.shape).sort(),
    );
    expect(Object.keys(contract.RunRecordSchema.shape).sort()).toEqual(
      Object.keys(SdkRunRecordSchema.shape).sort(),
    );
  });

  it('accepts and refuses the same run options as the SDK', () => {
    const samples: unknown[] = [
      {},
      { priority: 1, delayMs: 0, tags: ['a'] },
      { priority: 0 },
      { attempts: 101 },
      { idempotencyKey: '' },
      { metadata: { a: 1 }, label: 'production' },
      { tags: [''] },
    ];
    for (const sample of samples) {
      expect(contract.RunOptionsSchema.safeParse(sample).success).toBe(
        EnqueueOptionsSchema.safeParse(sample).success,
      );
    }
  });

  it('defaults vars to {} and refuses an empty slug', () => {
    expect(contract.EnqueueRequestSchema.parse({ slug: 'a/b' })).toEqual({ slug: 'a/b', vars: {} });
    expect(contract.EnqueueRequestSchema.safeParse({ slug: '' }).success).toBe(false);
  });

  it('exports no name twice and only zod schemas and their types at run time', () => {
    for (const [name, value] of Object.entries(contract)) {
      expect(name).toMatch(/Schema$/);
      expect(typeof (value as { safeParse?: unknown }).safeParse).toBe('function');
    }
  });
});
