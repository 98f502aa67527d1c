import { describe, expect, it } from 'vitest';
import { LruCache, templateKey } from '../../../../src/prompty/render/compile-cache.js';

describe('LruCache', () => {
  it('evicts the least recently used entry when full', () => {
    const cache = new LruCache<number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBe(1);
    cache.set('c', 3);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    expect(cache.size).toBe(2);
  });

  it('computes a missing value once', () => {
    const cache = new LruCache<object>(4);
    let calls = 0;
    const make = () => {
      calls++;
      return {};
    };
    expect(cache.getOrCreate('k', make)).toBe(cache.getOrCreate('k', make));
    expect(calls).toBe(1);
  });

  it('refuses a size below one', () => {
    expect(() => new LruCache(0)).toThrow(RangeError);
  });
});

describe('templateKey', () => {
  it('differs by engine and by source, and is stable', () => {
    expect(templateKey('jinja2', 'a')).toBe(templateKey('jinja2', 'a'));
    expect(templateKey('jinja2', 'a')).not.toBe(templateKey('mustache', 'a'));
    expect(templateKey('jinja2', 'a')).not.toBe(templateKey('jinja2', 'b'));
  });
});
