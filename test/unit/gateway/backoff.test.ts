import { describe, expect, it } from 'vitest';
import { backoffDelayMs, parseRetryAfterMs, sleep } from '../../../src/gateway/backoff.js';

const settings = { baseDelayMs: 100, maxDelayMs: 1_000 };

describe('backoffDelayMs', () => {
  it('doubles the ceiling with each retry', () => {
    const almostOne = () => 0.999_999;
    expect(backoffDelayMs(1, settings, almostOne)).toBe(99);
    expect(backoffDelayMs(2, settings, almostOne)).toBe(199);
    expect(backoffDelayMs(3, settings, almostOne)).toBe(399);
  });

  it('never exceeds maxDelayMs', () => {
    expect(backoffDelayMs(20, settings, () => 0.999_999)).toBeLessThan(1_000);
  });

  it('spreads waits over the whole range (full jitter)', () => {
    expect(backoffDelayMs(3, settings, () => 0)).toBe(0);
    expect(backoffDelayMs(3, settings, () => 0.5)).toBe(200);
  });
});

describe('parseRetryAfterMs', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');

  it('reads seconds', () => {
    expect(parseRetryAfterMs(new Headers({ 'retry-after': '2' }), now)).toBe(2_000);
    expect(parseRetryAfterMs(new Headers({ 'retry-after': '0.5' }), now)).toBe(500);
  });

  it('reads an HTTP date relative to now', () => {
    const headers = new Headers({ 'retry-after': new Date(now + 5_000).toUTCString() });
    expect(parseRetryAfterMs(headers, now)).toBe(5_000);
  });

  it('reads retry-after-ms first', () => {
    expect(parseRetryAfterMs(new Headers({ 'retry-after-ms': '250', 'retry-after': '9' }), now)).toBe(250);
  });

  it('returns undefined when absent or unreadable', () => {
    expect(parseRetryAfterMs(new Headers(), now)).toBeUndefined();
    expect(parseRetryAfterMs(new Headers({ 'retry-after': 'soon' }), now)).toBeUndefined();
    expect(parseRetryAfterMs(undefined, now)).toBeUndefined();
  });
});

describe('sleep', () => {
  it('rejects with the abort reason when the signal aborts', async () => {
    const controller = new AbortController();
    const pending = sleep(10_000, controller.signal);
    controller.abort(new Error('stop'));
    await expect(pending).rejects.toThrow('stop');
  });
});
