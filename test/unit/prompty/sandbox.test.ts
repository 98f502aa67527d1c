import { describe, expect, it } from 'vitest';
import { parseJinja } from '../../../src/prompty/render/nunjucks-env.js';
import { toSandboxValues } from '../../../src/prompty/render/safe-values.js';
import { assertSandboxed, isForbiddenKey } from '../../../src/prompty/render/sandbox-policy.js';

const vet = (template: string) => () => assertSandboxed(parseJinja(template));

describe('assertSandboxed', () => {
  it.each([
    ['variables, attributes and indexes', '{{ a.b[0]["c"] }}'],
    ['if / elif / else', '{% if a %}1{% elif b %}2{% else %}3{% endif %}'],
    ['for with loop helpers', '{% for x in xs %}{{ loop.index }}{% endfor %}'],
    ['allowlisted filters with arguments', '{{ xs | join(", ") | upper | default("none") }}'],
    ['allowlisted tests', '{{ 4 is divisibleby(2) }}{{ x is defined }}'],
    ['range()', '{% for i in range(3) %}{% endfor %}'],
    ['set and set blocks', '{% set a = 1 %}{% set b %}x{% endset %}'],
    ['blocks, extends and include', '{% extends "base.prompty" %}{% block x %}{{ super() }}{% endblock %}'],
    ['switch', '{% switch a %}{% case 1 %}one{% default %}other{% endswitch %}'],
  ])('accepts %s', (_name, template) => {
    expect(vet(template)).not.toThrow();
  });

  it.each([
    ['macros', '{% macro m() %}{% endmacro %}'],
    ['imports', '{% import "a" as b %}'],
    ['calls of values', '{{ f() }}'],
    ['calls of methods outside the allowlist', '{{ s.toUpperCase() }}'],
    ['filters outside the allowlist', '{{ s | center(1000000000) }}'],
    ['tests outside the allowlist', '{{ x is constructor }}'],
    ['dunder names', '{{ __proto__ }}'],
    ['prototype attributes', '{{ a.prototype }}'],
    ['setting attributes', '{% set a.b = 1 %}'],
    ['regex literals', '{{ r/a+/ }}'],
  ])('refuses %s with prompty.template_forbidden and a position', (_name, template) => {
    expect(vet(template)).toThrow(
      expect.objectContaining({
        code: 'prompty.template_forbidden',
        details: expect.objectContaining({ line: 1, column: expect.any(Number) }),
      }),
    );
  });
});

describe('isForbiddenKey', () => {
  it('flags prototype, constructor and dunder keys only', () => {
    expect(['__proto__', '__globals__', 'constructor', 'prototype', 'caller'].every(isForbiddenKey)).toBe(
      true,
    );
    expect(['name', '_id', 'proto', 'constructors'].some(isForbiddenKey)).toBe(false);
  });
});

describe('toSandboxValues', () => {
  it('copies objects into null-prototype objects and keeps arrays as arrays', () => {
    const copy = toSandboxValues({ a: { b: [1, { c: 2 }] } });
    const a = copy.a as Record<string, unknown>;
    expect(Object.getPrototypeOf(a)).toBeNull();
    expect(Array.isArray(a.b)).toBe(true);
    expect(Object.getPrototypeOf((a.b as unknown[])[1])).toBeNull();
  });

  it('gives arrays a null prototype when asked (mustache)', () => {
    const copy = toSandboxValues({ xs: [1] }, { nullPrototypeArrays: true });
    expect(Object.getPrototypeOf(copy.xs)).toBeNull();
    expect(Array.isArray(copy.xs)).toBe(true);
  });

  it('drops functions and symbols, turns dates into ISO strings, maps into objects and sets into arrays', () => {
    const copy = toSandboxValues({
      f: () => 1,
      s: Symbol('x'),
      d: new Date('2024-01-02T03:04:05Z'),
      m: new Map([['k', 1]]),
      set: new Set([1, 2]),
    });
    expect(copy.f).toBeUndefined();
    expect(copy.s).toBeUndefined();
    expect(copy.d).toBe('2024-01-02T03:04:05.000Z');
    expect({ ...(copy.m as object) }).toEqual({ k: 1 });
    expect(copy.set).toEqual([1, 2]);
  });

  it('keeps an own __proto__ key as data without touching prototypes', () => {
    const copy = toSandboxValues(
      JSON.parse('{"x": {"__proto__": {"polluted": 1}}}') as Record<string, unknown>,
    );
    expect(Object.getPrototypeOf(copy.x)).toBeNull();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('accepts shared (non-cyclic) references', () => {
    const shared = { a: 1 };
    expect(() => toSandboxValues({ x: shared, y: [shared, shared] })).not.toThrow();
  });

  it('refuses a cycle, naming where it closes and the input it is in', () => {
    const node: Record<string, unknown> = { name: 'n' };
    node.children = [{ parent: node }];
    expect(() => toSandboxValues({ tree: node })).toThrow(
      expect.objectContaining({
        code: 'prompty.invalid_input',
        message: 'Input value at "tree.children[0].parent" contains a cycle',
        details: { input: 'tree' },
      }),
    );
  });

  it('refuses values nested deeper than the limit', () => {
    let deep: Record<string, unknown> = {};
    const root = deep;
    for (let i = 0; i < 100; i++) {
      deep.next = {};
      deep = deep.next as Record<string, unknown>;
    }
    expect(() => toSandboxValues({ root })).toThrow(
      expect.objectContaining({ code: 'prompty.invalid_input', details: { input: 'root' } }),
    );
  });
});
