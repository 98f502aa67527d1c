import { describe, expect, it } from 'vitest';
import { IMPLEMENTED_METHODS } from '../../../../src/prompty/render/jinja-methods.js';
import { renderTemplate } from '../../../../src/prompty/render/render.js';
import { ALLOWED_METHODS } from '../../../../src/prompty/render/sandbox-policy.js';

/**
 * Expected outputs are what Python jinja2 3.1 (`ImmutableSandboxedEnvironment(keep_trailing_newline=True)`,
 * the reference runtime) prints for the same template and values, except where the B2 printing rules
 * apply (`True` → `true`, `2.0` → `2`, lists as compact JSON); those cases say so.
 */
const jinja = (template: string, values: Record<string, unknown> = {}) =>
  renderTemplate(template, values, { engine: 'jinja2' });

describe('jinja2 fidelity: subscripts and slices', () => {
  it.each([
    ['{{ items[1:3] | join(",") }}', '2,3'],
    ['{{ items[:2] | join(",") }}', '1,2'],
    ['{{ items[2:] | join(",") }}', '3,4'],
    ['{{ items[-2:] | join(",") }}', '3,4'],
    ['{{ items[::2] | join(",") }}', '1,3'],
    ['{{ items[::-1] | join(",") }}', '4,3,2,1'],
    ['{{ items[5:9] | length }}', '0'],
    ['{{ s[1:] }}|{{ s[:-1] }}|{{ s[::-1] }}', 'bc|ab|cba'],
    ['{{ items[1:3][0] }}', '2'],
    ["{{ d['k'] }} {{ d.k }} {{ d['k2']['n'] }}", 'v v 1'],
  ])('renders %s like Python', (template, expected) => {
    expect(jinja(template, { items: [1, 2, 3, 4], s: 'abc', d: { k: 'v', k2: { n: 1 } } })).toBe(expected);
  });

  it('slices a 10 MB value (strings by code point) without exhausting the stack', () => {
    const big = `é${'ab'.repeat(5_000_000)}😀`;
    expect(jinja('{{ q[1:] | length }} {{ q[-1:] }} {{ q[:2] }}', { q: big })).toBe('10000001 😀 éa');
    expect(jinja('{{ xs[1:] | length }}', { xs: Array.from({ length: 200_000 }, (_, i) => i) })).toBe(
      '199999',
    );
  });

  it('slices undefined to nothing and refuses a zero step', () => {
    expect(jinja('[{{ nope[1:2] }}]')).toBe('[]');
    expect(() => jinja('{{ s[::0] }}', { s: 'abc' })).toThrow(
      expect.objectContaining({ code: 'prompty.template_runtime' }),
    );
  });
});

describe('jinja2 fidelity: filters', () => {
  it.each([
    [
      'default with the boolean flag',
      "[{{ x | default('d') }}][{{ x | default('d', true) }}][{{ x | default('d', boolean=true) }}]",
      { x: '' },
      '[][d][d]',
    ],
    [
      'join with an attribute',
      "{{ users | join(', ', attribute='name') }}",
      { users: [{ name: 'a' }, { name: 'b' }] },
      'a, b',
    ],
    [
      'sort by attribute',
      "{{ users | sort(attribute='age') | map(attribute='name') | join(',') }}",
      {
        users: [
          { name: 'a', age: 3 },
          { name: 'b', age: 1 },
        ],
      },
      'b,a',
    ],
    ['sort reverse keyword', '{{ xs | sort(reverse=true) | join(",") }}', { xs: [3, 1, 2] }, '3,2,1'],
    ['sum by attribute', "{{ xs | sum(attribute='n') }}", { xs: [{ n: 1 }, { n: 2 }] }, '3'],
    ['count', '{{ xs | count }} {{ "abc" | count }}', { xs: [1, 2] }, '2 3'],
    [
      'unique (case-insensitive by default)',
      '{{ xs | unique | join(",") }}',
      { xs: ['A', 'a', 'b', 'A'] },
      'A,b',
    ],
    [
      'tojson (sorted keys, HTML-safe)',
      '{{ d | tojson }}',
      { d: { b: [1, 2], a: "it's <x> & y" } },
      '{"a": "it\\u0027s \\u003cx\\u003e \\u0026 y", "b": [1, 2]}',
    ],
    [
      'tojson with indent',
      '{{ d | tojson(indent=2) }}',
      { d: { b: 1, a: [1] } },
      '{\n  "a": [\n    1\n  ],\n  "b": 1\n}',
    ],
    [
      'indent',
      '{{ s | indent(2) }}|{{ s | indent(2, true) }}|{{ s | indent(width=1, blank=true) }}',
      { s: 'a\n\nb' },
      'a\n\n  b|  a\n\n  b|a\n \n b',
    ],
    ['wordcount', '{{ s | wordcount }}', { s: 'one two  three' }, '3'],
    [
      'batch',
      '{% for row in xs | batch(2) %}[{{ row | join(",") }}]{% endfor %}',
      { xs: [1, 2, 3] },
      '[1,2][3]',
    ],
    [
      'batch with fill',
      '{% for row in xs | batch(2, 0) %}[{{ row | join(",") }}]{% endfor %}',
      { xs: [1, 2, 3] },
      '[1,2][3,0]',
    ],
    ['map by filter name', "{{ xs | map('upper') | join(',') }}", { xs: ['a', 'b'] }, 'A,B'],
    ['min and max', '{{ xs | min }} {{ xs | max }}', { xs: [3, 1, 2] }, '1 3'],
    ['items', '{% for k, v in d | items %}{{ k }}={{ v }};{% endfor %}', { d: { a: 1, b: 2 } }, 'a=1;b=2;'],
    [
      'int falls back to 0 or the default',
      "{{ '42' | int }} {{ '4.5' | int }} {{ 'x' | int }} {{ 'x' | int(7) }} {{ '0x1A' | int(0, 16) }}",
      {},
      '42 4 0 7 26',
    ],
    ['float falls back to 0 (B2 prints 0.0 as 0)', "{{ '4.5' | float }} {{ 'x' | float }}", {}, '4.5 0'],
    [
      "round half to even like Python's round() (B2 prints 2.0 as 2)",
      "{{ 2.5 | round }} {{ 1.5 | round }} {{ 3.14159 | round(2) }} {{ 3.7 | round(0, 'floor') }} {{ 3.2 | round(method='ceil') }}",
      {},
      '2 2 3.14 3 4',
    ],
    [
      'upper, lower and title of numbers print the number',
      '{{ 5 | upper }} {{ 5 | lower }} {{ 5 | title }}',
      {},
      '5 5 5',
    ],
    ['title capitalises after hyphens', '{{ "o\'neil mc-donald" | title }}', {}, "O'neil Mc-Donald"],
    ['trim with characters', "[{{ 'xxaxx' | trim('x') }}][{{ '  a ' | trim }}]", {}, '[a][a]'],
    [
      'truncate keeps strings within the leeway',
      "{{ 'hello world' | truncate(9) }}|{{ 'hello world foo bar' | truncate(9) }}",
      {},
      'hello world|hello...',
    ],
    ['first and last of undefined print nothing', '[{{ nope | first }}][{{ nope | last }}]', {}, '[][]'],
    [
      'list of a string and of a mapping',
      "{{ 'abc' | list | join('-') }} {{ d | list | join('-') }}",
      { d: { a: 1, b: 2 } },
      'a-b-c a-b',
    ],
    ['string of a number concatenates', '{{ (5 | string) ~ "a" }}', {}, '5a'],
    [
      'escape like markupsafe',
      '{{ s | e }}',
      { s: `<a href="x">'&'</a>` },
      '&lt;a href=&#34;x&#34;&gt;&#39;&amp;&#39;&lt;/a&gt;',
    ],
    [
      'replace with a count',
      "{{ 'aaa' | replace('a', 'b') }} {{ 'aaa' | replace('a', 'b', 1) }}",
      {},
      'bbb baa',
    ],
  ])('%s', (_name, template, values, expected) => {
    expect(jinja(template, values)).toBe(expected);
  });

  it('selects and rejects by attribute with a test and its argument', () => {
    const t =
      '{{ ms | selectattr("role", "equalto", "system") | map(attribute="c") | join(",") }}|{{ ms | rejectattr("role", "==", "system") | map(attribute="c") | join(",") }}|{{ ms | selectattr("n", ">", 1) | map(attribute="c") | join(",") }}|{{ ms | selectattr("n") | list | length }}|{{ [1, 2, 3, 4] | select("odd") | join }}|{{ [1, 2, 3, 4] | reject(">", 2) | join }}';
    const ms = [
      { role: 'system', c: 'a', n: 0 },
      { role: 'user', c: 'b', n: 2 },
      { role: 'system', c: 'c', n: 3 },
    ];
    expect(jinja(t, { ms })).toBe('a,c|b|b,c|2|13|12');
  });

  it('rejects an unknown keyword argument with prompty.template_runtime', () => {
    expect(() => jinja("{{ xs | join(', ', attr='n') }}", { xs: [] })).toThrow(
      expect.objectContaining({ code: 'prompty.template_runtime' }),
    );
  });

  it('refuses indent() and batch() whose result would pass the work budget, before allocating it', () => {
    for (const t of ['{{ s | indent(1000000000) }}', '{{ xs | batch(1000000000, "x") }}']) {
      expect(() => jinja(t, { s: 'a\nb', xs: [1] }), t).toThrow(
        expect.objectContaining({ code: 'prompty.template_forbidden' }),
      );
    }
  });

  it('refuses map() naming a filter outside the allowlist', () => {
    expect(() => jinja("{{ xs | map('opm__segment') | join }}", { xs: ['a'] })).toThrow(
      expect.objectContaining({ code: 'prompty.template_forbidden' }),
    );
  });

  it('refuses attribute paths into prototypes in join, map, sort and unique', () => {
    for (const t of [
      "{{ xs | join(',', attribute='__proto__') }}",
      "{{ xs | map(attribute='constructor') | join }}",
      "{{ xs | sort(attribute='a.__proto__') | join }}",
      "{{ xs | unique(attribute='constructor') | join }}",
    ]) {
      expect(() => jinja(t, { xs: [{ a: 1 }] }), t).toThrow(
        expect.objectContaining({ code: 'prompty.template_forbidden' }),
      );
    }
  });
});

describe('jinja2 fidelity: tests', () => {
  it.each([
    ['{% if x is none %}N{% endif %}{% if y is none %}Y{% endif %}', 'N'],
    ['{% if x is not none %}n{% else %}N{% endif %}', 'N'],
    ['{% if x is defined %}d{% endif %}{% if y is not defined %}U{% endif %}', 'dU'],
    ['{% if t is true %}T{% endif %}{% if f is false %}F{% endif %}{% if t is boolean %}B{% endif %}', 'TFB'],
    [
      '{% if 3 is integer %}I{% endif %}{% if 1.5 is float %}F{% endif %}{% if s is string %}S{% endif %}',
      'IFS',
    ],
    [
      '{% if xs is sequence %}Q{% endif %}{% if d is mapping %}M{% endif %}{% if 1 is in(xs) %}i{% endif %}',
      'QMi',
    ],
  ])('%s', (template, expected) => {
    expect(jinja(template, { x: null, t: true, f: false, s: 'a', xs: [1], d: {} })).toBe(expected);
  });
});

describe('jinja2 fidelity: method calls', () => {
  it.each([
    ['{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}', 'a=1;b=2;'],
    [
      "{{ d.keys() | join(',') }} {{ d.values() | join(',') }} {{ d.get('a') }} {{ d.get('z', 'dz') }}",
      'a,b 1,2 1 dz',
    ],
    [
      "{{ s.upper() }}|{{ s.strip() }}|{{ s.strip(' h') }}|{{ s.title() }}|{{ s.capitalize() }}",
      "  HELLO WORLD O'NEIL |hello wORLD o'neil|ello wORLD o'neil|  Hello World O'Neil |  hello world o'neil ",
    ],
    [
      "{{ t.split() | join('|') }}#{{ t.split(' ') | join('|') }}#{{ t.split(None, 1) | join('|') }}#{{ 'a,b,c'.split(',', 1) | join('|') }}",
      'a|b|c#||a|b||c|#a|b  c #a|b,c',
    ],
    [
      "{{ 'hello'.find('l') }} {{ 'hello'.count('l') }} {{ 'hello'.replace('l', 'L', 1) }} {{ 'ab'.replace('', '-') }}",
      '2 2 heLlo -a-b-',
    ],
    ["{{ ', '.join(xs) }}", 'a, b'],
    ["{% for x in xs %}{{ loop.cycle('odd', 'even') }} {% endfor %}", 'odd even '],
    ["{{ 'hello'.startswith('he') }} {{ 'hello'.endswith(('x', 'lo')) }}", 'true true'],
  ])('%s renders as in Python (B2 prints True as true)', (template, expected) => {
    expect(
      jinja(template, { d: { a: 1, b: 2 }, s: "  hello wORLD o'neil ", t: '  a b  c ', xs: ['a', 'b'] }),
    ).toBe(expected);
  });

  it('refuses a method a value does not have, and methods outside the allowlist', () => {
    expect(() => jinja('{{ xs.items() }}', { xs: [] })).toThrow(
      expect.objectContaining({ code: 'prompty.template_runtime' }),
    );
    expect(() => jinja('{{ xs.append(1) }}', { xs: [] })).toThrow(
      expect.objectContaining({ code: 'prompty.template_forbidden' }),
    );
    expect(() => jinja('{{ d.toString() }}', { d: {} })).toThrow(
      expect.objectContaining({ code: 'prompty.template_forbidden' }),
    );
  });

  it('implements exactly the methods the sandbox policy allows', () => {
    expect([...IMPLEMENTED_METHODS].sort()).toEqual([...ALLOWED_METHODS].sort());
  });
});

describe('jinja2 fidelity: loop variables', () => {
  it('exposes loop.index, index0, revindex, revindex0, first, last and length (B2 prints True as true)', () => {
    const t =
      '{% for i in xs %}{{ loop.index }}/{{ loop.index0 }}/{{ loop.revindex }}/{{ loop.revindex0 }}/{{ loop.first }}/{{ loop.last }}/{{ loop.length }};{% endfor %}';
    expect(jinja(t, { xs: ['a', 'b', 'c'] })).toBe(
      '1/0/3/2/true/false/3;2/1/2/1/false/false/3;3/2/1/0/false/true/3;',
    );
  });

  it('exposes loop.previtem and loop.nextitem, undefined at the ends', () => {
    const t = '{% for i in xs %}[{{ loop.previtem }}<{{ i }}>{{ loop.nextitem }}]{% endfor %}';
    expect(jinja(t, { xs: [1, 2, 3] })).toBe('[<1>2][1<2>3][2<3>]');
  });

  it('handles nested loops with their own loop variables', () => {
    const t =
      '{% for r in rows %}{% for c in r %}{{ loop.index }}{{ c }}{% endfor %}{{ loop.index }};{% endfor %}';
    expect(jinja(t, { rows: [['a', 'b'], ['c']] })).toBe('1a2b1;1c2;');
  });
});

describe('jinja2 fidelity: loop filters and scoping', () => {
  it.each([
    ['{% for i in xs if i > 1 %}{{ loop.index }}{{ i }}/{{ loop.length }};{% endfor %}', '12/2;23/2;'],
    ['{% for i in xs if i > 5 %}{{ i }}{% else %}none{% endfor %}', 'none'],
    ['{% for k, v in d | items if v %}{{ k }}{% endfor %}', 'a'],
    ['{% for k in d if k != "a" %}{{ k }}{% endfor %}', 'b'],
    ['{% for i in nope if i %}{{ i }}{% else %}empty{% endfor %}', 'empty'],
  ])('%s filters the items before the loop, as jinja2 does', (template, expected) => {
    expect(jinja(template, { xs: [1, 2, 3], d: { a: 1, b: 0 } })).toBe(expected);
  });

  it.each([
    ['{% set n = 0 %}{% for i in xs %}{% set n = n + i %}{{ n }},{% endfor %}{{ n }}', '1,2,3,0'],
    ['{% for i in xs %}{% set m = i %}{% endfor %}[{{ m }}]', '[]'],
    ['{% set n = 5 %}{% if true %}{% set n = 7 %}{% endif %}{{ n }}', '7'],
    [
      '{% for i in xs %}{% if i > 1 %}{% set t = "big" %}{% else %}{% set t = "small" %}{% endif %}{{ t }} {% endfor %}',
      'small big big ',
    ],
    [
      '{% set n = "out" %}{% for i in [1] %}{% for j in [1] %}{% set n = "in" %}{{ n }}{% endfor %}{{ n }}{% endfor %}{{ n }}',
      'inoutout',
    ],
    ['{% for x in ["a"] %}{% set x = x | upper %}{{ x }}{% endfor %}', 'A'],
  ])('%s keeps assignments inside the loop iteration, as jinja2 does', (template, expected) => {
    expect(jinja(template, { xs: [1, 2, 3] })).toBe(expected);
  });
});

describe('jinja2 fidelity: the % operator and format', () => {
  it('formats strings printf-style and takes the modulo of numbers the Python way', () => {
    const t =
      '{{ "%s items" % n }}|{{ "%.2f" % p }}|{{ "%d%%" % p }}|{{ "%s-%s" % (a, n) }}|{{ "%5s|%-5s|%05d" % (a, a, n) }}|{{ "%(a)s=%(n)d" % d }}|{{ -7 % 3 }}|{{ 7 % -3 }}|{{ 7.5 % 2 }}|{{ "%x %o %+d" % (255, 8, n) }}|{{ "%s" % xs }}';
    expect(jinja(t, { n: 3, p: 2.345, a: 'ab', d: { a: 'x', n: 4 }, xs: [1, 2] })).toBe(
      '3 items|2.35|2%|ab-3|   ab|ab   |00003|x=4|2|-2|1.5|ff 10 +3|[1,2]',
    );
  });

  it('applies the format filter', () => {
    expect(jinja('{{ "%s-%d" | format(a, 3) }}', { a: 'ab' })).toBe('ab-3');
  });

  it('refuses mismatched arguments and division by zero with prompty.template_runtime', () => {
    for (const t of ['{{ "%s %s" % 1 }}', '{{ "%s" % (1, 2) }}', '{{ 1 % 0 }}', '{{ "%d" % "x" }}']) {
      expect(() => jinja(t), t).toThrow(expect.objectContaining({ code: 'prompty.template_runtime' }));
    }
  });

  it('stops formatting once the result passes the output budget', () => {
    const t = `{{ "${'%s'.repeat(20)}" % (${Array(20).fill('q').join(', ')}) }}`;
    expect(() =>
      renderTemplate(t, { q: 'x'.repeat(1000) }, { engine: 'jinja2', limits: { maxOutputChars: 5000 } }),
    ).toThrow(expect.objectContaining({ code: 'prompty.template_forbidden' }));
  });

  it('refuses padding beyond the output budget before building it', () => {
    expect(() => jinja('{{ "%999999999s" % "x" }}')).toThrow(
      expect.objectContaining({ code: 'prompty.template_forbidden' }),
    );
  });
});

describe('promptflow rendering (trim_blocks=True)', () => {
  it("drops the newline after block tags, as promptflow's jinja2 did", () => {
    const t =
      'Here:\n{% for item in h %}\n   {{ item.role }}: {{ item.content }}\n{% endfor %}\n\nuser:\n{{ q }}\n';
    const values = {
      h: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: 'hello' },
      ],
      q: '?',
    };
    expect(renderTemplate(t, values, { engine: 'jinja2', trimBlocks: true })).toBe(
      'Here:\n   user: hi\n   assistant: hello\n\nuser:\n?\n',
    );
    expect(jinja(t, values)).toBe('Here:\n\n   user: hi\n\n   assistant: hello\n\n\nuser:\n?\n');
  });
});

describe('jinja2 fidelity: literals and operators', () => {
  it('repeats strings and lists with *, as Python does', () => {
    expect(
      jinja("{{ '=' * 5 }}|{{ 3 * '-' }}|{{ [1, 2] * 2 }}|{{ 2 * 3 }}|{{ '#' * n }}|[{{ 'a' * 0 }}]", {
        n: 2,
      }),
    ).toBe('=====|---|[1,2,1,2]|6|##|[]');
  });

  it('refuses a repetition beyond the output budget before building it', () => {
    expect(() => jinja("{{ 'ab' * 1000000000 }}")).toThrow(
      expect.objectContaining({ code: 'prompty.template_forbidden' }),
    );
  });

  it('reads True, False and None as the constants they are in jinja2 (B2 prints them true, false and nothing)', () => {
    expect(jinja('{{ True }}|{{ None is none }}|{{ False }}|{% if True %}y{% endif %}|[{{ None }}]')).toBe(
      'true|true|false|y|[]',
    );
  });

  it('accepts integer attribute lookups such as items.0', () => {
    expect(jinja('{{ xs.0 }}|{{ xs.1.a }}', { xs: [5, { a: 6 }] })).toBe('5|6');
  });
});

describe('jinja2 fidelity: Python truthiness', () => {
  it.each([
    ['{% if xs %}T{% else %}F{% endif %}', 'F'],
    ['{% if d %}T{% else %}F{% endif %}', 'F'],
    ['{% if ys %}T{% else %}F{% endif %}', 'T'],
    ['{{ "T" if xs else "F" }}', 'F'],
    ['{% if not xs %}N{% endif %}', 'N'],
    ['[{{ xs or "dflt" }}]', '[dflt]'],
    ['[{{ d and "x" }}]', '[{}]'],
    ['[{{ ys and "x" }}]', '[x]'],
    ['[{{ ys or "dflt" }}]', '[[1]]'],
    ['{{ xs | default("d", true) }}', 'd'],
    ['{{ [xs, ys, 0, "a"] | select | list | length }}', '2'],
    ['{% for x in [ys, xs] if x %}{{ loop.length }}{% endfor %}', '1'],
    ['{% if n and 10 % n == 0 %}div{% else %}no{% endif %}', 'no'],
  ])('%s renders %s, as in Python where [] and {} are false', (template, expected) => {
    expect(jinja(template, { xs: [], d: {}, ys: [1], n: 0 })).toBe(expected);
  });
});

describe('jinja2 fidelity: comparisons', () => {
  it.each([
    ['{{ x == 0 }}', 'false'],
    ['{{ 1 == "1" }}', 'false'],
    ['{{ xs == [] }}', 'true'],
    ['{{ d == {"a": 1} }}', 'true'],
    ['{{ 3 > 2 > 1 }}', 'true'],
    ['{{ 1 < n < 3 }}', 'false'],
    ['{{ true == 1 }}', 'true'],
    ['{{ 2.0 == 2 }}', 'true'],
    ['{{ "b" > "a" }}', 'true'],
    ['{{ [1, 2] < [1, 3] }}', 'true'],
    ['{{ none == none }}', 'true'],
    ['{{ s != "x" }}', 'true'],
  ])('%s is %s, as Python compares (B2 prints True as true)', (template, expected) => {
    expect(jinja(template, { x: '', xs: [], d: { a: 1 }, n: 5, s: 'y' })).toBe(expected);
  });
});
