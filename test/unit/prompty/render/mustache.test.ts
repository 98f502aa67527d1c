import { describe, expect, it } from 'vitest';
import { escapeMustache } from '../../../../src/prompty/render/mustache.js';
import { renderTemplate } from '../../../../src/prompty/render/render.js';

const mustache = (
  template: string,
  values: Record<string, unknown> = {},
  templates?: Record<string, string>,
) => renderTemplate(template, values, { engine: 'mustache', templates });

describe('renderTemplate (mustache)', () => {
  it('escapes & " < > like the reference Python runtimes and leaves apostrophes alone', () => {
    expect(mustache('{{s}}', { s: `it's <b>"a" & b</b>` })).toBe(
      "it's &lt;b&gt;&quot;a&quot; &amp; b&lt;/b&gt;",
    );
  });

  it('does not escape triple mustaches or {{& }}', () => {
    expect(mustache('{{{s}}}|{{& s}}', { s: '<b>' })).toBe('<b>|<b>');
  });

  it('renders sections over lists, inverted sections and comments', () => {
    const t = '{{! note }}{{#items}}{{type}}:{{content}};{{/items}}{{^empty}}none{{/empty}}';
    expect(mustache(t, { items: [{ type: 'user', content: 'hi' }], empty: [] })).toBe('user:hi;none');
  });

  it('prints booleans, numbers and lists with the B2 rules', () => {
    expect(mustache('{{a}} {{b}} {{c}}', { a: true, b: 1.5, c: [1, 2] })).toBe('true 1.5 [1,2]');
  });

  it('resolves partials only from the templates map', () => {
    expect(mustache('{{> footer}}', { name: 'Ada' }, { footer: 'bye {{name}}' })).toBe('bye Ada');
    expect(() => mustache('{{> other}}', {}, { footer: 'x' })).toThrow(
      expect.objectContaining({ code: 'prompty.template_forbidden' }),
    );
  });

  it('reports an unclosed section as a syntax error with its line', () => {
    expect(() =>
      renderTemplate('a\n{{#s}}x', {}, { engine: 'mustache', file: 'f.prompty', bodyLine: 5 }),
    ).toThrow(
      expect.objectContaining({
        code: 'prompty.template_syntax',
        details: expect.objectContaining({ file: 'f.prompty' }),
      }),
    );
  });
});

describe('escapeMustache', () => {
  it('escapes only the four characters chevron escapes', () => {
    expect(escapeMustache(`&"<>'/\`=`)).toBe(`&amp;&quot;&lt;&gt;'/\`=`);
  });
});
