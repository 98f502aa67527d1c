import { describe, expect, it } from 'vitest';
import { isOpmError } from '../../../src/errors/index.js';
import {
  errorFromResponse,
  ForbiddenError,
  NotFoundError,
  OpmHttpError,
  RateLimitedError,
  RunTimeoutError,
  ServerError,
  UnprocessableError,
} from '../../../src/http-client/index.js';

describe('errorFromResponse', () => {
  it('picks the subclass from the status and keeps the API code and details', () => {
    const error = errorFromResponse(404, {
      error: { code: 'registry.slug_not_found', message: 'not found', details: { suggestions: ['a/b'] } },
    });
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({
      code: 'registry.slug_not_found',
      status: 404,
      details: { suggestions: ['a/b'] },
    });
    expect(error.name).toBe('NotFoundError');
    expect(isOpmError(error)).toBe(true);
    expect(errorFromResponse(403, null)).toBeInstanceOf(ForbiddenError);
    expect(errorFromResponse(422, null)).toBeInstanceOf(UnprocessableError);
    expect(errorFromResponse(504, null)).toBeInstanceOf(RunTimeoutError);
    expect(errorFromResponse(502, null)).toBeInstanceOf(ServerError);
  });

  it('marks rate limits and unavailability retryable, and copes with bodies that are not API errors', () => {
    expect(errorFromResponse(429, null)).toBeInstanceOf(RateLimitedError);
    expect(errorFromResponse(429, null).retryable).toBe(true);
    expect(errorFromResponse(400, null).retryable).toBe(false);
    const odd = errorFromResponse(418, 'teapot');
    expect(odd).toBeInstanceOf(OpmHttpError);
    expect(odd).toMatchObject({ code: 'http.418', message: 'HTTP 418' });
  });
});
