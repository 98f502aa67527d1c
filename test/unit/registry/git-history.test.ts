import { describe, expect, it } from 'vitest';
import { similarity } from '../../../src/registry/git-history.js';

describe('similarity', () => {
  it('is 1 for identical texts and 0 for disjoint ones', () => {
    expect(similarity('a\nb\nc\n', 'a\nb\nc\n')).toBe(1);
    expect(similarity('a\nb\n', 'x\ny\n')).toBe(0);
  });

  it('measures the share of common lines, as git rename detection does', () => {
    expect(similarity('a\nb\nc\nd\n', 'a\nb\nc\nX\n')).toBe(0.75);
  });
});
