import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { describe, expect, it } from 'vitest';
import { classifyFailure } from '../../../src/gateway/classify.js';
import { GatewayError } from '../../../src/gateway/errors.js';

const context = { isTimedOut: false, now: Date.parse('2026-01-01T00:00:00Z') };
const statusError = (status: number, headers: Record<string, string> = {}) =>
  APIError.generate(
    status,
    { error: { message: `status ${status}` } },
    `status ${status}`,
    new Headers(headers),
  );

describe('classifyFailure', () => {
  it.each([500, 502, 503, 504, 408, 409])('retries HTTP %i as transient', (status) => {
    expect(classifyFailure(statusError(status), context)).toMatchObject({
      code: 'gateway.transient',
      action: 'retry',
      status,
    });
  });

  it('retries 429 as rate limited and reads Retry-After seconds', () => {
    expect(classifyFailure(statusError(429, { 'retry-after': '3' }), context)).toEqual({
      code: 'gateway.rate_limited',
      action: 'retry',
      message: expect.any(String),
      status: 429,
      retryAfterMs: 3000,
    });
  });

  it('prefers retry-after-ms over retry-after', () => {
    const failure = classifyFailure(
      statusError(429, { 'retry-after-ms': '150', 'retry-after': '9' }),
      context,
    );
    expect(failure.retryAfterMs).toBe(150);
  });

  it.each([400, 404, 422])('fails fast on HTTP %i as permanent', (status) => {
    expect(classifyFailure(statusError(status), context)).toMatchObject({
      code: 'gateway.permanent',
      action: 'fail',
    });
  });

  it.each([401, 403])('sends HTTP %i to a different provider', (status) => {
    expect(classifyFailure(statusError(status), context)).toMatchObject({
      code: 'gateway.auth',
      action: 'different_provider',
    });
  });

  it('falls back on 402 without retrying the same model', () => {
    expect(classifyFailure(statusError(402), context)).toMatchObject({
      code: 'gateway.payment_required',
      action: 'next',
    });
  });

  it('waits out an OpenRouter in-flight budget 402 instead of falling back', () => {
    const error = APIError.generate(
      402,
      { error: { message: 'budget', metadata: { limit_source: 'openrouter_in_flight_budget' } } },
      'budget',
      new Headers({ 'retry-after': '1' }),
    );
    expect(classifyFailure(error, context)).toMatchObject({
      code: 'gateway.rate_limited',
      action: 'retry',
      retryAfterMs: 1000,
    });
  });

  it('retries connection resets and SDK timeouts', () => {
    expect(classifyFailure(new APIConnectionError({ message: 'Connection error.' }), context)).toMatchObject({
      code: 'gateway.transient',
      action: 'retry',
    });
    expect(classifyFailure(new APIConnectionTimeoutError(), context)).toMatchObject({
      code: 'gateway.timeout',
      action: 'retry',
    });
  });

  it('retries malformed bodies and errors inside a started stream', () => {
    expect(classifyFailure(new SyntaxError('Unexpected token'), context)).toMatchObject({
      code: 'gateway.transient',
      action: 'retry',
    });
    const streamError = new APIError(undefined, { message: 'mid-stream' }, undefined, undefined);
    expect(classifyFailure(streamError, context)).toMatchObject({
      code: 'gateway.transient',
      action: 'retry',
    });
  });

  it('treats anything as a timeout once the attempt timer fired', () => {
    expect(classifyFailure(new APIUserAbortError(), { ...context, isTimedOut: true })).toMatchObject({
      code: 'gateway.timeout',
      action: 'retry',
    });
  });

  it('fails on a caller abort', () => {
    expect(classifyFailure(new APIUserAbortError(), context)).toMatchObject({
      code: 'gateway.aborted',
      action: 'fail',
    });
  });

  it('keeps the code of a GatewayError raised by a provider', () => {
    const error = new GatewayError('gateway.invalid_output', 'not JSON');
    expect(classifyFailure(error, context)).toMatchObject({
      code: 'gateway.invalid_output',
      action: 'retry',
    });
    const bodyError = new GatewayError('gateway.transient', 'HTTP 200 body carries an error', {
      details: { status: 200 },
    });
    expect(classifyFailure(bodyError, context)).toMatchObject({ action: 'retry', status: 200 });
  });
});
