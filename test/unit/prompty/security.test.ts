import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PromptyError } from '../../../src/prompty/errors.js';
import { renderTemplate, type TemplateEngine } from '../../../src/prompty/render/render.js';

/** What an escaped payload would do: set this global, or pollute Object.prototype. */
const SENTINEL = '__opmSentinel';
const PWN = `globalThis.${SENTINEL} = 1`;

const values = () => ({
  x: {},
  items: ['b', 'a'],
  people: [{ name: 'Ada' }],
  name: 'Ada',
  big: 'y'.repeat(2_000_000),
  fn: () => {
    (globalThis as Record<string, unknown>)[SENTINEL] = 'called';
  },
});

/** Known server-side template injection payloads (nunjucks, jinja2 style), each with its engine. */
const PAYLOADS: Array<[string, string, TemplateEngine?]> = [
  ['range.constructor', `{{ range.constructor("${PWN}")() }}`],
  ['cycler.constructor', `{{ cycler.constructor("${PWN}")() }}`],
  ['joiner.constructor', `{{ joiner.constructor("${PWN}")() }}`],
  ['string constructor chain', `{{ "".constructor.constructor("${PWN}")() }}`],
  ['__proto__ constructor chain', `{{ ''.__proto__.constructor.constructor('${PWN}')() }}`],
  ['jinja lipsum globals', '{{ lipsum.__globals__ }}'],
  ['jinja self __init__', "{{ self.__init__.__globals__.__builtins__.__import__('os').popen('id').read() }}"],
  ['jinja config __class__', "{{ config.__class__.__init__.__globals__['os'].popen('id').read() }}"],
  ['jinja mro subclasses', "{{ ''.__class__.__mro__[1].__subclasses__() }}"],
  ['assignment through __proto__', '{{ x.__proto__.polluted = 1 }}'],
  ['set through __proto__', '{% set x.__proto__.polluted = 1 %}'],
  ['set of __proto__', '{% set __proto__ = {"polluted": 1} %}'],
  ['set of constructor', '{% set constructor = 1 %}{{ constructor }}'],
  ['literal __proto__ key', '{{ x["__proto__"]["polluted"] }}'],
  ['computed __proto__ key', '{{ x["__pro" ~ "to__"] }}'],
  ['computed constructor key then call', `{% set k = "constructor" %}{{ range[k][k]("${PWN}")() }}`],
  ['computed constructor key on loop', '{% for i in [1] %}{{ loop["constr" ~ "uctor"] }}{% endfor %}'],
  ['array constructor', '{{ [].constructor }}'],
  ['bare constructor name', '{{ constructor }}'],
  ['process require', '{{ process.mainModule.require("child_process").execSync("id") }}'],
  ['method call on a value', '{{ name.toString() }}'],
  ['apply on range', '{{ range.apply(null, [1, 2]) }}'],
  ['calling a function value', '{{ fn() }}'],
  ['caller()', '{{ caller() }}'],
  ['macro definition', '{% macro m() %}x{% endmacro %}{{ m() }}'],
  ['call block', '{% call m() %}x{% endcall %}'],
  ['import', '{% import "evil.prompty" as e %}'],
  ['from import', '{% from "evil.prompty" import e %}'],
  ['include of a file path', '{% include "/etc/passwd" %}'],
  ['extends of a traversal path', '{% extends "../../../etc/passwd" %}'],
  ['unknown filter', '{{ x | attr("constructor") }}'],
  ['unknown test', '{{ x is constructor }}'],
  ['sort by constructor attribute', '{{ items | sort(false, false, "constructor.name") }}'],
  ['join by __proto__ attribute', '{{ people | join(",", "__proto__") }}'],
  ['selectattr __proto__', '{{ people | selectattr("__proto__") | length }}'],
  ['groupby constructor', '{{ people | groupby("constructor") }}'],
  ['regex literal (ReDoS)', '{{ name | replace(r/(a+)+$/, "b") }}'],
  ['dict literal __proto__ key', '{% set o = {"__proto__": {"polluted": 1}} %}{{ o.polluted }}'],
  [
    'replace multiplying a value',
    '{{ big | replace("", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx") }}',
  ],
  ['huge range', '{{ range(1000000000) | length }}'],
  ['nested ranges', '{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}'],
  // jinja2 scopes `set` to one loop iteration, so doubling has to be unrolled to grow.
  ['exponential string doubling', `{% set s = "aaaaaaaaaa" %}${'{% set s = s ~ s %}'.repeat(60)}{{ s }}`],
  ['exponential doubling with +', `{% set s = "aaaaaaaaaa" %}${'{% set s = s + s %}'.repeat(60)}`],
  // `{% set x %}...{% endset %}` keeps its body outside the node's declared fields; it must be vetted too.
  ['regex literal inside a set block', '{% set x %}{{ name | replace(r/(a+)+$/, "b") }}{% endset %}{{ x }}'],
  ['internal filter inside a set block', '{% set x %}{{ items | opm__iterate }}{% endset %}{{ x }}'],
  ['constructor inside a set block', `{% set x %}{{ range.constructor("${PWN}")() }}{% endset %}{{ x }}`],
  [
    'unbudgeted nested loops inside a set block',
    '{% set x %}{% for a in big %}{% for b in big %}{% endfor %}{% endfor %}{% endset %}done',
  ],
  [
    'string doubling inside a set block',
    `{% set x %}{% set s = "aaaaaaaaaa" %}${'{% set s = s ~ s %}'.repeat(60)}{% endset %}`,
  ],
  ['method call on a method result', `{{ d.items().constructor("${PWN}")() }}`],
  ['allowed method name on a forbidden target', '{{ x.__proto__.items() }}'],
  ['method name as a function', '{{ items() }}'],
  ['get() of a prototype key', '{{ x.get("__proto__").polluted }}'],
  ['mustache constructor section', '{{#items.constructor}}x{{/items.constructor}}', 'mustache'],
  ['mustache __proto__ lookup', '{{x.__proto__}}', 'mustache'],
  ['mustache partial of a file path', '{{> /etc/passwd}}', 'mustache'],
];

describe('template sandbox (SSTI battery)', () => {
  beforeEach(() => {
    delete (globalThis as Record<string, unknown>)[SENTINEL];
  });
  afterEach(() => {
    delete (Object.prototype as Record<string, unknown>).polluted;
  });

  it('covers at least 25 payloads', () => {
    expect(PAYLOADS.length).toBeGreaterThanOrEqual(25);
  });

  it.each(PAYLOADS)(
    'refuses %s with a typed error and runs nothing',
    (_name, template, engine = 'jinja2') => {
      let thrown: unknown;
      try {
        renderTemplate(template, values(), { engine });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(PromptyError);
      expect(['prompty.template_forbidden', 'prompty.template_syntax']).toContain(
        (thrown as PromptyError).code,
      );
      expect((globalThis as Record<string, unknown>)[SENTINEL]).toBeUndefined();
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    },
  );

  it('never mutates the caller values through set', () => {
    const input = { user: { name: 'Ada' } };
    renderTemplate('{% set user = "x" %}{{ user }}', input, { engine: 'jinja2' });
    expect(input).toEqual({ user: { name: 'Ada' } });
  });

  it('drops functions from values instead of exposing them', () => {
    expect(renderTemplate('[{{ fn }}]', values(), { engine: 'jinja2' })).toBe('[]');
  });

  it('does not reach Object.prototype members by name', () => {
    expect(
      renderTemplate('[{{ x.toString }}][{{ hasOwnProperty }}][{{ x.valueOf }}]', values(), {
        engine: 'jinja2',
      }),
    ).toBe('[][][]');
  });
});
