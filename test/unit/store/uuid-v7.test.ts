import { describe, expect, it } from 'vitest';
import { uuidV7 } from '../../../src/store/uuid-v7.js';

describe('uuidV7', () => {
  it('writes version 7 UUIDs with the RFC 9562 variant', () => {
    for (let i = 0; i < 100; i++) {
      expect(uuidV7()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
  });

  it('starts with the epoch milliseconds, so ids of later instants sort after earlier ones', () => {
    const at = Date.UTC(2026, 5, 30, 12, 34, 56, 789);
    expect(uuidV7(at).replace('-', '').slice(0, 12)).toBe(at.toString(16).padStart(12, '0'));
    const ids = [at, at + 1, at + 1_000, at + 86_400_000].map((ms) => uuidV7(ms));
    expect([...ids].sort()).toEqual(ids);
  });

  it('never repeats within one millisecond', () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => uuidV7(1_700_000_000_000)));
    expect(ids.size).toBe(10_000);
  });
});
