import Mustache from 'mustache';
import { describe, expect, it, vi } from 'vitest';
import { LruCache, templateKey } from '../../../../src/prompty/render/compile-cache.js';
import { nunjucksInternals } from '../../../../src/prompty/render/nunjucks-internals.js';
import { renderTemplate } from '../../../../src/prompty/render/render.js';

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

describe('template compile cache', () => {
  it('compiles a jinja2 template once per content, whatever the values', () => {
    const compile = vi.spyOn(nunjucksInternals.compiler.Compiler.prototype, 'getCode');
    const template = `{{ a }} ${Math.random()}`;
    renderTemplate(template, { a: 1 }, { engine: 'jinja2' });
    renderTemplate(template, { a: 2 }, { engine: 'jinja2' });
    expect(compile).toHaveBeenCalledTimes(1);
    renderTemplate(`${template}!`, { a: 2 }, { engine: 'jinja2' });
    expect(compile).toHaveBeenCalledTimes(2);
    compile.mockRestore();
  });

  it('parses a mustache template and its partials once per content', () => {
    const parse = vi.spyOn(Mustache.Writer.prototype, 'parse');
    const template = `{{a}} {{> p}} ${Math.random()}`;
    const templates = { p: `[{{a}}] ${Math.random()}` };
    renderTemplate(template, { a: 1 }, { engine: 'mustache', templates });
    const first = parse.mock.calls.length;
    renderTemplate(template, { a: 2 }, { engine: 'mustache', templates });
    renderTemplate(template, { a: 3 }, { engine: 'mustache', templates });
    expect(parse.mock.calls.length).toBe(first);
    parse.mockRestore();
  });
});
