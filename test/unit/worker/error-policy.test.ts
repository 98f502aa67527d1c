import { describe, expect, it } from 'vitest';
import { OpmError } from '../../../src/errors/index.js';
import { decideQueueAction } from '../../../src/worker/index.js';

const first = { attemptsMade: 0, attemptsStarted: 1, maxAttempts: 3 };
const rateLimited = (retryAfterMs?: number) =>
  new OpmError('gateway.rate_limited', 'slow down', {
    retryable: true,
    ...(retryAfterMs === undefined ? {} : { details: { retryAfterMs } }),
  });

describe('decideQueueAction', () => {
  it('fails a permanent OpmError at once, whatever attempts are left', () => {
    const error = new OpmError('prompty.missing_input', 'ticket is required');
    expect(decideQueueAction(error, first)).toEqual({ kind: 'fail', isFinal: true });
  });

  it('retries a retryable OpmError and marks only the last attempt final', () => {
    const error = new OpmError('gateway.all_failed', 'every model failed', { retryable: true });
    expect(decideQueueAction(error, first)).toEqual({ kind: 'retry', isFinal: false });
    expect(decideQueueAction(error, { attemptsMade: 2, attemptsStarted: 3, maxAttempts: 3 })).toEqual({
      kind: 'retry',
      isFinal: true,
    });
  });

  it('retries unexpected errors such as a lost database connection', () => {
    expect(decideQueueAction(new Error('ECONNREFUSED'), first)).toEqual({ kind: 'retry', isFinal: false });
  });

  it('delays a rate-limited job by its retryAfterMs without counting an attempt', () => {
    expect(decideQueueAction(rateLimited(4_000), first)).toEqual({
      kind: 'delay',
      delayMs: 4_000,
      isFinal: false,
    });
  });

  it('delays even on the last attempt, since a rate limit is not a failure', () => {
    const last = { attemptsMade: 2, attemptsStarted: 3, maxAttempts: 3 };
    expect(decideQueueAction(rateLimited(100), last, { minDelayMs: 50 })).toMatchObject({ kind: 'delay' });
  });

  it('clamps the delay between minDelayMs and maxDelayMs and defaults it when absent', () => {
    const options = { minDelayMs: 500, maxDelayMs: 10_000 };
    expect(decideQueueAction(rateLimited(1), first, options)).toMatchObject({ delayMs: 500 });
    expect(decideQueueAction(rateLimited(3_600_000), first, options)).toMatchObject({ delayMs: 10_000 });
    expect(decideQueueAction(rateLimited(), first, options)).toMatchObject({ delayMs: 1_000 });
  });

  it('counts waits beyond maxWaits as failed attempts', () => {
    const state = { attemptsMade: 0, attemptsStarted: 6, maxAttempts: 3 };
    expect(decideQueueAction(rateLimited(100), state, { maxWaits: 5 })).toEqual({
      kind: 'retry',
      isFinal: false,
    });
    expect(decideQueueAction(rateLimited(100), state, { maxWaits: 6 })).toMatchObject({
      kind: 'delay',
    });
  });

  it('waits out a database outage with growing delays and no attempt burned', () => {
    const outage = new OpmError('store.unavailable', 'connection refused', { retryable: true });
    expect(decideQueueAction(outage, first)).toEqual({ kind: 'delay', delayMs: 1_000, isFinal: false });
    expect(decideQueueAction(outage, { attemptsMade: 0, attemptsStarted: 3, maxAttempts: 3 })).toMatchObject({
      delayMs: 4_000,
    });
  });

  it('fails a query error of the store like any permanent error', () => {
    const broken = new OpmError('store.query_failed', 'relation "runs" does not exist');
    expect(decideQueueAction(broken, first)).toEqual({ kind: 'fail', isFinal: true });
  });

  it('recognises an OpmError from another copy of the package by its brand, not its class', () => {
    const foreign = Object.assign(new Error('bad'), {
      code: 'gateway.permanent',
      retryable: false,
      [Symbol.for('opm.error')]: true,
    });
    expect(decideQueueAction(foreign, first)).toEqual({ kind: 'fail', isFinal: true });
  });
});
