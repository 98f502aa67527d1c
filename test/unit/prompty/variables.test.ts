import { describe, expect, it } from 'vitest';
import { analyzeTemplateVariables } from '../../../src/prompty/variables.js';

const used = (template: string, engine = 'jinja2') => analyzeTemplateVariables(template, engine).used;

describe('analyzeTemplateVariables', () => {
  it('lists top-level names, not their attributes or indexes', () => {
    expect(used('{{ user.name }} {{ items[0] }} {{ a["b"] }}')).toEqual(['a', 'items', 'user']);
  });

  it('counts a loop iterable as used and its variables as local', () => {
    expect(used('{% for item in chat_history %}{{ item.role }}{{ loop.index }}{% endfor %}')).toEqual([
      'chat_history',
    ]);
  });

  it('reads a loop filter condition with the loop variables local', () => {
    expect(
      analyzeTemplateVariables(
        '{% for x in items if x.ok and x != skip %}{{ x }}{% endfor %}{% for k, v in d.items() if v %}{{ k }}{% endfor %}',
        'jinja2',
      ).used,
    ).toEqual(['d', 'items', 'skip']);
  });

  it('treats two-variable loops and for-else the same way', () => {
    expect(used('{% for k, v in m %}{{ k }}{{ v }}{{ x }}{% else %}{{ k }}{% endfor %}')).toEqual([
      'k',
      'm',
      'x',
    ]);
  });

  it('makes set names local from then on, but still counts what they read', () => {
    expect(used('{{ who }}{% set who = name | default(other) %}{{ who }}')).toEqual(['name', 'other', 'who']);
  });

  it('reads names in conditions, filter arguments, tests and includes', () => {
    expect(
      used('{% if a and not b %}{{ c | join(sep) }}{% endif %}{{ d is divisibleby(n) }}{% include tpl %}'),
    ).toEqual(['a', 'b', 'c', 'd', 'n', 'sep', 'tpl']);
  });

  it('does not count the constants True, False and None as variables', () => {
    expect(
      analyzeTemplateVariables('{% if x is not None and True %}{{ False }}{% endif %}', 'jinja2').used,
    ).toEqual(['x']);
  });

  it('ignores range and super', () => {
    expect(used('{% for i in range(count) %}{% endfor %}{% block b %}{{ super() }}{% endblock %}')).toEqual([
      'count',
    ]);
  });

  it('reads mustache names outside sections and section names', () => {
    expect(
      used(
        '{{firstName}} {{{raw}}} {{#chat_history}}{{type}}{{/chat_history}}{{^empty}}x{{/empty}} {{user.name}}',
        'mustache',
      ),
    ).toEqual(['chat_history', 'empty', 'firstName', 'raw', 'user']);
  });

  it('throws prompty.template_syntax for a broken template', () => {
    expect(() => used('{% if %}')).toThrow(expect.objectContaining({ code: 'prompty.template_syntax' }));
    expect(() => used('{{#a}}', 'mustache')).toThrow(
      expect.objectContaining({ code: 'prompty.template_syntax' }),
    );
  });

  it('throws prompty.unsupported for an unknown engine', () => {
    expect(() => used('x', 'liquid')).toThrow(expect.objectContaining({ code: 'prompty.unsupported' }));
  });
});
