import { describe, expect, it } from 'vitest';
import { renderTemplate, toTemplateEngine } from '../../../../src/prompty/render/render.js';

const jinja = (template: string, values: Record<string, unknown> = {}, extra = {}) =>
  renderTemplate(template, values, { engine: 'jinja2', ...extra });

describe('renderTemplate (jinja2)', () => {
  it('renders undefined names and attributes of undefined as empty text', () => {
    expect(jinja('[{{ a }}][{{ a.b.c }}][{{ a[0] }}]')).toBe('[][][]');
  });

  it('keeps whitespace verbatim around block tags (trim_blocks and lstrip_blocks off)', () => {
    expect(jinja('a\n  {% if x %}\n  b\n  {% endif %}\nc', { x: true })).toBe('a\n  \n  b\n  \nc');
  });

  it('honours {%- -%} and {{- -}} trim markers', () => {
    expect(jinja('a  {%- if x -%}  b  {%- endif -%}  c {{- " d" }}', { x: true })).toBe('abc d');
  });

  it('does not escape HTML', () => {
    expect(jinja('{{ s }}', { s: `<a href="x">'&'</a>` })).toBe(`<a href="x">'&'</a>`);
  });

  it('exposes loop.index, index0, first, last, length, revindex', () => {
    const t =
      '{% for i in xs %}{{ loop.index }}{{ loop.index0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }}{{ loop.revindex }};{% endfor %}';
    expect(jinja(t, { xs: ['a', 'b'] })).toBe('10truefalse22;21falsetrue21;');
  });

  it('iterates mapping keys with one loop variable and key/value pairs with two', () => {
    expect(
      jinja('{% for k in m %}{{ k }};{% endfor %}|{% for k, v in m %}{{ k }}={{ v }};{% endfor %}', {
        m: { a: 1, b: 2 },
      }),
    ).toBe('a;b;|a=1;b=2;');
  });

  it('supports for-else, set, inline if, comparison and string concatenation', () => {
    const t =
      '{% set who = name ~ "!" %}{% for x in [] %}x{% else %}none{% endfor %} {{ who }} {{ "big" if n > 3 else "small" }}';
    expect(jinja(t, { name: 'Ada', n: 4 })).toBe('none Ada! big');
  });

  it('supports negative indexes like Python', () => {
    expect(jinja('{{ xs[-1] }}', { xs: [1, 2, 3] })).toBe('3');
  });

  it('applies the common filters', () => {
    const t =
      '{{ s | capitalize }} {{ s | title }} {{ xs | first }} {{ xs | last }} {{ xs | reverse | join("") }} {{ xs | sort | join }} {{ 3.7 | round }} {{ "4" | int + 1 }} {{ s | replace("a", "o") }} {{ s | wordcount }}';
    expect(jinja(t, { s: 'ada lovelace', xs: ['b', 'c', 'a'] })).toBe(
      'Ada lovelace Ada Lovelace b a acb abc 4 5 odo loveloce 2',
    );
  });

  it('prints values with the B2 rules inside join and ~', () => {
    expect(
      jinja('{{ xs | join(",") }}|{{ "v" ~ flag ~ none ~ n }}', {
        xs: [true, null, 1.5],
        flag: false,
        none: null,
        n: 2,
      }),
    ).toBe('true,,1.5|vfalse2');
  });

  it('resolves extends and include from the templates map by basename', () => {
    const templates = {
      'evaluation.prompty': 'system:\n{% block context %}base{% endblock %}\n{% include "footer.prompty" %}',
      'footer.prompty': 'footer for {{ name }}',
    };
    const t = '{% extends "evaluation.prompty" %}{% block context %}child of {{ super() }}{% endblock %}';
    expect(jinja(t, { name: 'Ada' }, { templates })).toBe('system:\nchild of base\nfooter for Ada');
  });

  it('renders a 10 MB value', () => {
    const big = 'x'.repeat(10 * 1024 * 1024);
    const out = jinja('user:\n{{ big }}', { big });
    expect(out.length).toBe(big.length + 6);
  });

  it('stops a render that iterates past the configured budget', () => {
    expect(() =>
      jinja(
        '{% for i in xs %}{% endfor %}',
        { xs: Array.from({ length: 50 }) },
        { limits: { maxIterations: 10 } },
      ),
    ).toThrow(expect.objectContaining({ code: 'prompty.template_forbidden' }));
  });

  it('stops a render whose output passes the configured budget', () => {
    expect(() => jinja('{{ s }}{{ s }}', { s: 'x'.repeat(60) }, { limits: { maxOutputChars: 100 } })).toThrow(
      expect.objectContaining({ code: 'prompty.template_forbidden' }),
    );
  });

  it('refuses cyclic values with prompty.invalid_input', () => {
    const a: Record<string, unknown> = {};
    a.self = a;
    expect(() => jinja('{{ a }}', { a })).toThrow(expect.objectContaining({ code: 'prompty.invalid_input' }));
  });
});

describe('renderTemplate errors', () => {
  it('reports a syntax error at file:line:col, offset by the body line', () => {
    const run = () =>
      renderTemplate('system:\nhello\n{% if %}', {}, { engine: 'jinja2', file: '/p/a.prompty', bodyLine: 7 });
    expect(run).toThrow(
      expect.objectContaining({
        code: 'prompty.template_syntax',
        details: expect.objectContaining({ file: '/p/a.prompty', line: 9, column: expect.any(Number) }),
      }),
    );
    expect(run).toThrow(/^\/p\/a\.prompty:9:\d+: /);
  });

  it('words syntax errors without nunjucks parser function names', () => {
    expect(() => renderTemplate('{% if x %}\nno end', {}, { engine: 'jinja2' })).toThrow(
      'line 2:7: expected elif, else, or endif, got end of file',
    );
  });

  it('reports an unclosed tag as a syntax error', () => {
    expect(() => renderTemplate('{% for x in xs %}', {}, { engine: 'jinja2' })).toThrow(
      expect.objectContaining({ code: 'prompty.template_syntax' }),
    );
  });

  it('reports a forbidden construct with its file position', () => {
    expect(() =>
      renderTemplate('a\nb {{ x.__proto__ }}', {}, { engine: 'jinja2', file: 'f.prompty', bodyLine: 3 }),
    ).toThrow(
      expect.objectContaining({
        code: 'prompty.template_forbidden',
        details: expect.objectContaining({ line: 4, column: 7 }),
      }),
    );
  });

  it('reports runtime failures as prompty.template_runtime', () => {
    expect(() => renderTemplate('{{ xs | batch(0) }}', { xs: [1] }, { engine: 'jinja2' })).toThrow(
      expect.objectContaining({ code: 'prompty.template_runtime' }),
    );
  });
});

describe('toTemplateEngine', () => {
  it('accepts jinja2, nunjucks and mustache in any case', () => {
    expect(['Jinja2', 'nunjucks', 'MUSTACHE'].map(toTemplateEngine)).toEqual([
      'jinja2',
      'nunjucks',
      'mustache',
    ]);
  });

  it('refuses an unknown engine with prompty.unsupported', () => {
    expect(() => toTemplateEngine('handlebars')).toThrow(
      expect.objectContaining({ code: 'prompty.unsupported' }),
    );
  });
});
