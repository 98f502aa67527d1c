import { HTTPException } from 'hono/http-exception';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../src/api/errors.js';
import { statusForCode, toErrorResponse } from '../../../src/api/on-error.js';
import { PromptyError } from '../../../src/prompty/index.js';
import { QueueError, RunFailedError, RunTimeoutError } from '../../../src/queue/index.js';
import { RegistryError } from '../../../src/registry/index.js';
import { StoreError } from '../../../src/store/index.js';

describe('toErrorResponse', () => {
  it('answers an unknown slug with 404 and its suggestions', () => {
    const error = new RegistryError('registry.slug_not_found', 'Prompt "a/b" not found', {
      details: { slug: 'a/b', suggestions: ['a/c'] },
    });
    expect(toErrorResponse(error)).toEqual({
      status: 404,
      body: {
        error: { code: 'registry.slug_not_found', message: 'Prompt "a/b" not found', details: error.details },
      },
    });
  });

  it("keeps the server's file paths out of messages and details", () => {
    const error = new RegistryError(
      'registry.slug_not_found',
      'Prompt "a/b" not found in /srv/opm/prompts. Did you mean a/c?',
      {
        details: { slug: 'a/b', root: '/srv/opm/prompts', suggestions: ['a/c'] },
      },
    );
    expect(toErrorResponse(error).body.error).toEqual({
      code: 'registry.slug_not_found',
      message: 'Prompt "a/b" not found. Did you mean a/c?',
      details: { slug: 'a/b', suggestions: ['a/c'] },
    });
    const failed = new RunFailedError('job-9', {
      code: 'prompty.missing_input',
      message: "Missing required input 'x' in /srv/opm/prompts/a/b.prompty",
      details: { input: 'x', file: '/srv/opm/prompts/a/b.prompty' },
    });
    expect(toErrorResponse(failed).body.error).toEqual({
      code: 'prompty.missing_input',
      message: "Missing required input 'x' in b.prompty",
      details: { input: 'x', jobId: 'job-9' },
    });
  });

  it('answers a missing variable with 422 naming it', () => {
    const error = new PromptyError('prompty.missing_input', "Missing required input 'ticket'", {
      details: { input: 'ticket' },
    });
    expect(toErrorResponse(error)).toMatchObject({
      status: 422,
      body: { error: { code: 'prompty.missing_input', details: { input: 'ticket' } } },
    });
  });

  it("answers a failed run with the run's own error and status, plus the job id", () => {
    const error = new RunFailedError('job-1', {
      code: 'prompty.missing_input',
      message: "Missing required input 'ticket'",
      details: { input: 'ticket' },
    });
    expect(toErrorResponse(error)).toEqual({
      status: 422,
      body: {
        error: {
          code: 'prompty.missing_input',
          message: "Missing required input 'ticket'",
          details: { input: 'ticket', jobId: 'job-1' },
        },
      },
    });
    const gateway = new RunFailedError('job-2', {
      code: 'gateway.all_failed',
      message: 'every model failed',
    });
    expect(toErrorResponse(gateway).status).toBe(502);
  });

  it('maps timeouts to 504, an unreachable Redis or database to 503, bad options to 400', () => {
    expect(toErrorResponse(new RunTimeoutError('job-3', 1000)).status).toBe(504);
    expect(toErrorResponse(new QueueError('queue.unavailable', 'down')).status).toBe(503);
    expect(toErrorResponse(new StoreError('store.unavailable', 'down')).status).toBe(503);
    expect(toErrorResponse(new QueueError('queue.invalid_options', 'bad', { status: 400 })).status).toBe(400);
  });

  it("uses each ApiError's own status", () => {
    expect(toErrorResponse(new ApiError('api.unauthorized', 'no')).status).toBe(401);
    expect(toErrorResponse(new ApiError('api.forbidden', 'no')).status).toBe(403);
    expect(toErrorResponse(new ApiError('api.rate_limited', 'slow down')).status).toBe(429);
    expect(toErrorResponse(new ApiError('api.body_too_large', 'big')).status).toBe(413);
  });

  it("maps Hono's body errors to api.malformed_json and api.body_too_large", () => {
    const malformed = toErrorResponse(new HTTPException(400, { message: 'Malformed JSON in request body' }));
    expect(malformed).toEqual({
      status: 400,
      body: { error: { code: 'api.malformed_json', message: 'Malformed JSON in request body' } },
    });
    expect(toErrorResponse(new HTTPException(413)).body.error.code).toBe('api.body_too_large');
  });

  it('hides the message of unexpected errors behind a 500', () => {
    const answer = toErrorResponse(new Error('password=hunter2 at db.internal'));
    expect(answer).toEqual({
      status: 500,
      body: { error: { code: 'internal.unexpected', message: 'Internal server error' } },
    });
  });
});

describe('statusForCode', () => {
  it('falls back on the namespace of codes it does not list', () => {
    expect(statusForCode('prompty.template_error')).toBe(422);
    expect(statusForCode('gateway.permanent')).toBe(502);
    expect(statusForCode('gateway.rate_limited')).toBe(429);
    expect(statusForCode('worker.something')).toBe(500);
  });
});
