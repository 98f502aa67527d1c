import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileJinja } from '../../../../src/prompty/render/nunjucks-env.js';
import { renderTemplate } from '../../../../src/prompty/render/render.js';
import { PROMPTY_CORPUS_DIR } from '../../../support/corpus.js';

/**
 * The direct back end renders what prompts use without nunjucks' runtime. Its output is checked
 * against nunjucks for every render of the prompty suites by the `render-cross-check` test project;
 * these tests pin what it covers, what it leaves to nunjucks, and how it hands over.
 */

const goldens = JSON.parse(
  readFileSync(`${PROMPTY_CORPUS_DIR}/v2-conformance/jinja-subset-corpus.json`, 'utf8'),
) as { cases: Array<{ name: string; template: string; expect_throw?: boolean }> };

describe('direct back end coverage', () => {
  it('compiles every template of the jinja subset corpus that compiles at all', () => {
    const declined: string[] = [];
    let compiled = 0;
    for (const c of goldens.cases) {
      let template: ReturnType<typeof compileJinja>;
      try {
        template = compileJinja(c.template);
      } catch {
        continue;
      }
      compiled++;
      if (template.direct === null) declined.push(c.name);
    }
    expect(compiled).toBeGreaterThan(30);
    expect(declined).toEqual([]);
  });

  it.each([
    ['{% set x = 1 %}{{ x }}'],
    ['{% include "other" %}'],
    ['{% extends "base" %}'],
    ['{% switch x %}{% case 1 %}one{% endswitch %}'],
    ['{% set x %}captured{% endset %}{{ x }}'],
    ['{% for k, v in d %}{% else %}none{% endfor %}'],
    // nunjucks sets `loop.index`... on the item of a loop variable named `loop`.
    ['{% for loop in items %}{{ loop.index }}{% endfor %}'],
    // nunjucks prints `- -x` as `--x`: a decrement of a loop variable, or a runtime error.
    ['{% for x in xs %}{{ - -x }}{% endfor %}'],
    ['{{ + +x }}'],
  ])('leaves %s to nunjucks', (template) => {
    expect(compileJinja(template).direct).toBeNull();
  });
});

describe('direct back end tests', () => {
  it.each([
    ['{{ x is none }}|{{ x is not none }}', { x: null }, 'true|false'],
    ['{{ x is true }}|{{ x is false }}', { x: true }, 'true|false'],
    ['{{ x is false }}', { x: 0 }, 'false'],
  ])('compiles %s directly, with the same result', (template, values, expected) => {
    expect(compileJinja(template).direct).not.toBeNull();
    expect(renderTemplate(template, values, { engine: 'jinja2' })).toBe(expected);
  });
});

describe('direct back end handover', () => {
  const jinja = (template: string, values: Record<string, unknown>, maxOutputChars?: number) =>
    renderTemplate(template, values, {
      engine: 'jinja2',
      ...(maxOutputChars === undefined ? {} : { limits: { maxOutputChars } }),
    });

  it('lets nunjucks raise a runtime error, with its position', () => {
    expect(() => jinja('line one\n{{ range(1, 2, 0) }}', {})).toThrow(
      expect.objectContaining({
        code: 'prompty.template_runtime',
        details: expect.objectContaining({ line: 2, column: 9 }),
      }),
    );
  });

  it('gives nunjucks the whole budget when it takes over mid-render', () => {
    // `k, v` over a list of strings is a case the direct back end leaves to nunjucks after printing `big`.
    const big = 'x'.repeat(60);
    const template = '{{ big }}{% for k, v in pairs %}[{{ k }}{{ v }}]{% endfor %}';
    expect(jinja(template, { big, pairs: ['ab', 'cd'] }, 70)).toBe(`${big}[ab][cd]`);
  });

  it('stays inside the output budget', () => {
    expect(() => jinja('{{ a }}{{ a }}', { a: 'y'.repeat(40) }, 70)).toThrow(
      expect.objectContaining({ code: 'prompty.template_forbidden' }),
    );
  });

  it('iterates mappings as key, value pairs like nunjucks', () => {
    expect(
      jinja('{% for k, v in d %}{{ loop.index }}{{ k }}={{ v }};{% endfor %}', { d: { a: 1, b: 2 } }),
    ).toBe('1a=1;2b=2;');
  });
});

describe('direct back end loops, as nunjucks runs them', () => {
  const jinja = (template: string, values: Record<string, unknown>) =>
    renderTemplate(template, values, { engine: 'jinja2' });

  it('skips an else reached again over nothing when the loop had items before, like nunjucks', () => {
    // nunjucks keeps a loop's length in a function-wide `var`, so a later run over nothing reads it.
    const template =
      '{% for o in outer %}{% for x in o.items %}{{ x }}{% else %}none{% endfor %};{% endfor %}';
    expect(jinja(template, { outer: [{ items: [1] }, {}] })).toBe('1;;');
    expect(jinja(template, { outer: [{}, { items: [1] }] })).toBe('none;1;');
  });

  it('defines `loop` only once an item is bound, so an else over nothing sees none', () => {
    expect(jinja('{% for x in [] %}{% else %}[{{ loop }}]{{ loop is defined }}{% endfor %}', {})).toBe(
      '[]false',
    );
  });

  it('walks a safe string as its characters in a key, value loop, never reaching its methods', () => {
    const template = '{% for k, v in s|safe %}{{ k }}{{ v is callable }};{% endfor %}';
    expect(jinja(template, { s: 'ab' })).toBe('afalse;bfalse;');
  });
});
