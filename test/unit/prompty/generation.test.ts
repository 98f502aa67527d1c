// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${env:}` and `${file:}` are the .prompty reference syntax under test.
import { describe, expect, it } from 'vitest';
import { detectGeneration } from '../../../src/prompty/generation.js';

describe('detectGeneration', () => {
  it.each([
    ['a named promptflow connection', { model: { api: 'chat', connection: 'my_conn' } }],
    [
      'a connection inside the configuration',
      { model: { configuration: { type: 'azure_openai', connection: 'c' } } },
    ],
    ['chat input flags', { model: { api: 'chat' }, inputs: { q: { type: 'string', is_chat_input: true } } }],
    ['a list-typed input', { inputs: { history: { type: 'list' } } }],
    ['model.response', { model: { api: 'chat', response: 'all' } }],
  ])('reads promptflow from %s', (_case, data) => {
    expect(detectGeneration(data)).toBe('promptflow');
  });

  it.each([
    ['model.configuration', { model: { api: 'chat', configuration: { type: 'azure_openai' } } }],
    ['model.parameters', { model: { parameters: { max_tokens: 5 } } }],
    ['top-level authors', { name: 'x', authors: ['a'] }],
    ['top-level sample', { sample: { q: 1 } }],
    ['a string template without a v2 model', { name: 'x', template: 'mustache' }],
    ['a template with type', { template: { type: 'jinja2', parser: 'prompty' } }],
  ])('reads v1 from %s', (_case, data) => {
    expect(detectGeneration(data)).toBe('v1');
  });

  it.each([
    ['a top-level id', { id: 'x', model: { id: 'gpt-4o', options: { max_tokens: 1 } } }],
    ['model.api with a connection', { model: { api: 'chat', connection: { azure_deployment: 'd' } } }],
    ['typed inputs with samples', { inputs: { name: { type: 'string', sample: 'Jane' } } }],
    ['tools with id and type', { tools: [{ id: 'bing', type: 'web_search' }] }],
  ])('reads the 1.0 beta from %s', (_case, data) => {
    expect(detectGeneration(data)).toBe('v1.0-beta');
  });

  it('reads the 1.0 beta from a ![thread] marker in the body', () => {
    expect(detectGeneration({ name: 'x' }, 'system:\nhi\n![thread]\n')).toBe('v1.0-beta');
  });

  it.each([
    ['an empty front matter', {}],
    ['a name only', { name: 'x' }],
    ['a model shorthand', { model: 'gpt-4o' }],
    ['a v2 model', { model: { id: 'gpt-4', provider: 'openai', apiType: 'chat' } }],
    ['kinded inputs', { inputs: [{ name: 'q', kind: 'string' }] }],
    [
      'a string template next to a v2 model (a v2 mistake, refused later)',
      { model: { id: 'x' }, template: 'j' },
    ],
    ['a connection that is a file reference', { model: { id: 'g', connection: '${file:c.json}' } }],
  ])('reads v2 from %s', (_case, data) => {
    expect(detectGeneration(data)).toBe('v2');
  });
});
