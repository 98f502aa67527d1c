import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  matchesSlugPattern,
  type RunResult,
  selectWebhooks,
  signWebhookBody,
  unreportedFailure,
  verifyWebhookSignature,
} from '../../../src/queue/index.js';

describe('signWebhookBody', () => {
  it('is sha256= followed by the hex HMAC-SHA256 of the body', () => {
    const expected = createHmac('sha256', 's3cret').update('{"a":1}').digest('hex');
    expect(signWebhookBody('s3cret', '{"a":1}')).toBe(`sha256=${expected}`);
  });
});

describe('verifyWebhookSignature', () => {
  it('accepts the right signature and refuses a wrong secret, a changed body or no header', () => {
    const header = signWebhookBody('k', 'body');
    expect(verifyWebhookSignature('k', 'body', header)).toBe(true);
    expect(verifyWebhookSignature('other', 'body', header)).toBe(false);
    expect(verifyWebhookSignature('k', 'body!', header)).toBe(false);
    expect(verifyWebhookSignature('k', 'body', undefined)).toBe(false);
    expect(verifyWebhookSignature('k', 'body', 'sha256=short')).toBe(false);
  });
});

describe('matchesSlugPattern', () => {
  it.each([
    ['acme/support/*', 'acme/support/triage', true],
    ['acme/support/*', 'acme/support/deep/triage', false],
    ['acme/**', 'acme/support/deep/triage', true],
    ['acme/*/triage', 'acme/sales/triage', true],
    ['acme/support/triage', 'acme/support/triage', true],
    ['acme/support/triage', 'acme/support/triage2', false],
    ['acme.x/*', 'acmeZx/y', false],
  ])('matches %s against %s → %s', (pattern, slug, expected) => {
    expect(matchesSlugPattern(pattern, slug)).toBe(expected);
  });
});

describe('selectWebhooks', () => {
  const completed: RunResult = {
    ...unreportedFailure('j1', 'x', 'failed'),
    status: 'completed',
    slug: 'acme/a',
    error: null,
  };
  const failed: RunResult = { ...completed, status: 'failed', error: { code: 'x', message: 'y' } };
  const targets = [
    { url: 'https://all.example/hook', secret: 's' },
    { url: 'https://acme.example/hook', secret: 's', slugPattern: 'acme/*' },
    { url: 'https://other.example/hook', secret: 's', slugPattern: 'other/**' },
    { url: 'https://failures.example/hook', secret: 's', events: ['failed' as const] },
  ];

  it('picks global targets and those whose slug pattern matches', () => {
    expect(selectWebhooks(targets, completed).map((t) => t.url)).toEqual([
      'https://all.example/hook',
      'https://acme.example/hook',
    ]);
  });

  it('honours the events a target subscribed to', () => {
    expect(selectWebhooks(targets, failed).map((t) => t.url)).toContain('https://failures.example/hook');
  });
});
