import { describe, expect, it } from 'vitest';
import {
  matchRoleBoundary,
  splitLines,
  V1_ROLES,
  V2_ROLES,
} from '../../../../src/prompty/parse/role-marker.js';

describe('matchRoleBoundary', () => {
  it.each([
    ['system:', 'system'],
    ['  USER :  ', 'user'],
    ['# System:', 'system'],
    ['#assistant:', 'assistant'],
    ['developer:', 'developer'],
  ])('recognises %j as %s', (line, role) => {
    expect(matchRoleBoundary(line, V2_ROLES)).toEqual({ role, attributes: {} });
  });

  it.each([
    ['text after the colon', 'user: hello'],
    ['a mid-line role', 'The user: said'],
    ['an unknown role', 'tool:'],
    ['two hashes', '## system:'],
    ['no colon', 'system'],
    ['a role glued to a word', 'ecosystem:'],
    ['an unclosed attribute list', 'user[name=a:'],
    ['an attribute list without key=value', 'user[oops]:'],
    ['an empty attribute list', 'user[]:'],
  ])('rejects %s', (_name, line) => {
    expect(matchRoleBoundary(line, V2_ROLES)).toBeNull();
  });

  it('knows function in v1 and not in v2', () => {
    expect(matchRoleBoundary('function:', V1_ROLES)?.role).toBe('function');
    expect(matchRoleBoundary('function:', V2_ROLES)).toBeNull();
  });

  it('parses attributes, allowing ] inside quotes', () => {
    expect(matchRoleBoundary('user[name="a]b", id=7]:', V2_ROLES)).toEqual({
      role: 'user',
      attributes: { name: 'a]b', id: 7 },
    });
  });

  it('accepts trailing text only when asked', () => {
    expect(matchRoleBoundary('system: you are free', V2_ROLES, { allowTrailingText: true })?.role).toBe(
      'system',
    );
  });

  describe('on adversarial input (upstream ReDoS #446)', () => {
    const hostile = [
      `user[${'a='.repeat(50_000)}`,
      `user[${'a=1,'.repeat(30_000)}`,
      `user[${'a="'.repeat(40_000)}]:`,
      `user[a=${' '.repeat(100_000)}x`,
      `#${' '.repeat(100_000)}user${' '.repeat(100_000)}:${' '.repeat(100_000)}x`,
      `${'user'.repeat(25_000)}:`,
      `user[${'\\'.repeat(100_000)}]:`,
    ];

    it.each(hostile.map((line, i) => [i, line] as const))(
      'scans hostile line %i to a verdict',
      (_i, line) => {
        // A scanner without backtracking decides these in one pass; the old regex took minutes.
        expect(() => matchRoleBoundary(line, V2_ROLES)).not.toThrow();
      },
    );

    it('decides a 100k-character attribute list in one pass', () => {
      const line = `user[${Array.from({ length: 10_000 }, (_, i) => `k${i}=v${i}`).join(', ')}]:`;
      expect(Object.keys(matchRoleBoundary(line, V2_ROLES)?.attributes ?? {})).toHaveLength(10_000);
    });
  });
});

describe('splitLines', () => {
  it('normalises CRLF and lone CR', () => {
    expect(splitLines('a\r\nb\rc\n')).toEqual(['a', 'b', 'c', '']);
  });
});
