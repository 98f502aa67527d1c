import { describe, expect, it } from 'vitest';
import { editDistance, nearestSlugs } from '../../../src/registry/nearest.js';

const slugs = [
  'acme/marketing/tagline',
  'acme/support/classify-language',
  'acme/support/reply',
  'acme/support/triage',
  'research/papers/extract-citations',
  'research/papers/summarize',
];

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['abc', '', 3],
    ['kitten', 'sitting', 3],
    ['triage', 'triag', 1],
    ['reply', 'replay', 1],
  ])('is %s ↔ %s = %i', (a, b, expected) => {
    expect(editDistance(a, b)).toBe(expected);
    expect(editDistance(b, a)).toBe(expected);
  });
});

describe('nearestSlugs', () => {
  it('suggests the slug one typo away', () => {
    expect(nearestSlugs('acme/support/triag', slugs)).toEqual(['acme/support/triage']);
  });

  it('suggests a slug when only its last segment was typed', () => {
    expect(nearestSlugs('summarize', slugs)).toEqual(['research/papers/summarize']);
  });

  it('suggests a slug in the right folder when the folder was mistyped', () => {
    expect(nearestSlugs('acme/suport/reply', slugs)[0]).toBe('acme/support/reply');
  });

  it('is case-insensitive about what was typed', () => {
    expect(nearestSlugs('ACME/SUPPORT/TRIAGE', slugs)).toEqual(['acme/support/triage']);
  });

  it('suggests nothing for a name far from every slug', () => {
    expect(nearestSlugs('billing/invoices/dunning-letter', slugs)).toEqual([]);
  });

  it('returns at most `limit` suggestions, best first', () => {
    const many = ['a/b1', 'a/b2', 'a/b3', 'a/b4', 'a/bb'];
    expect(nearestSlugs('a/b', many, { limit: 2 })).toEqual(['a/b1', 'a/b2']);
  });
});
