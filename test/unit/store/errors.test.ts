import { describe, expect, it } from 'vitest';
import { OpmError } from '../../../src/errors/index.js';
import { StoreError, toStoreError } from '../../../src/store/errors.js';

function withCode(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('toStoreError', () => {
  it('classifies a refused connection as retryable store.unavailable', () => {
    const error = toStoreError(withCode('connect ECONNREFUSED 127.0.0.1:1', 'ECONNREFUSED'), 'insert runs');
    expect(error).toBeInstanceOf(StoreError);
    expect(error).toMatchObject({ code: 'store.unavailable', retryable: true });
    expect(error.message).toBe('insert runs failed: connect ECONNREFUSED 127.0.0.1:1');
  });

  it('looks inside the AggregateError Node raises for localhost', () => {
    const aggregate = new AggregateError([withCode('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED')], '');
    expect(toStoreError(aggregate, 'x').code).toBe('store.unavailable');
  });

  it('classifies a terminated connection and SQLSTATE class 08 / 57P01 as unavailable', () => {
    expect(toStoreError(new Error('Connection terminated unexpectedly'), 'x').code).toBe('store.unavailable');
    expect(toStoreError(withCode('connection failure', '08006'), 'x').code).toBe('store.unavailable');
    expect(
      toStoreError(withCode('terminating connection due to administrator command', '57P01'), 'x').code,
    ).toBe('store.unavailable');
  });

  it('unwraps the driver error that drizzle puts in cause', () => {
    const driver = withCode('duplicate key value violates unique constraint', '23505');
    const wrapped = new Error('Failed query: insert into "runs" ...', { cause: driver });
    const error = toStoreError(wrapped, 'insert runs');
    expect(error).toMatchObject({
      code: 'store.query_failed',
      retryable: false,
      details: { operation: 'insert runs', sqlState: '23505' },
    });
    expect(error.message).toContain('duplicate key value');
  });

  it('classifies other database errors as store.query_failed', () => {
    expect(toStoreError(withCode('relation "runs" does not exist', '42P01'), 'x')).toMatchObject({
      code: 'store.query_failed',
      retryable: false,
    });
  });

  it('passes an OpmError through unchanged', () => {
    const original = new OpmError('store.unavailable', 'closed', { retryable: true });
    expect(toStoreError(original, 'x')).toBe(original);
  });
});
