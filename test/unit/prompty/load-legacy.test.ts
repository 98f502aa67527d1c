// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${env:}` and `${file:}` are the .prompty reference syntax under test.
import { describe, expect, it } from 'vitest';
import { loadPrompty } from '../../../src/prompty/load.js';

describe('loadPrompty (v1 and promptflow)', () => {
  const v1 = `---
name: Classic
version: 1.2
authors: [a, b]
tags: [t]
model:
  api: completion
  configuration:
    type: azure_openai
    azure_endpoint: https://x.openai.azure.com
    azure_deployment: gpt-35
    api_key: \${env:AZURE_KEY}
  parameters:
    max_tokens: 100
    top_p: 0.5
    stop: END
    response_format: {type: json_object}
inputs:
  history:
    type: array
  name:
    type: string
    required: true
sample:
  name: Jane
template: mustache
---
{{name}}`;

  it('maps v1 keys onto the v2 shape and keeps the original configuration', () => {
    const prompt = loadPrompty(v1, { env: { AZURE_KEY: 'k' } });
    expect(prompt.generation).toBe('v1');
    expect(prompt.metadata).toEqual({ authors: ['a', 'b'], tags: ['t'], version: 1.2 });
    expect(prompt.model).toEqual({
      id: 'gpt-35',
      provider: 'azure_openai',
      apiType: 'completion',
      connection: {
        type: 'azure_openai',
        azure_endpoint: 'https://x.openai.azure.com',
        azure_deployment: 'gpt-35',
        api_key: 'k',
        kind: 'key',
        endpoint: 'https://x.openai.azure.com',
        apiKey: 'k',
      },
      options: {
        maxOutputTokens: 100,
        topP: 0.5,
        stopSequences: ['END'],
        additionalProperties: { response_format: { type: 'json_object' } },
      },
    });
    expect(prompt.sample).toEqual({ name: 'Jane' });
    expect(prompt.template).toEqual({ format: { kind: 'mustache' }, parser: { kind: 'prompty' } });
  });

  it('keeps and reports an input field 0.1.x did not know', () => {
    const prompt = loadPrompty(v1, { env: { AZURE_KEY: 'k' } });
    expect(prompt.inputs).toEqual([
      { name: 'history', kind: 'array' },
      { name: 'name', kind: 'string', required: true },
    ]);
    expect(prompt.warnings).toEqual([
      expect.objectContaining({ code: 'prompty.unknown_field', path: 'inputs.name.required', line: 23 }),
    ]);
  });

  it('defaults a v1 template to jinja2 with the prompty parser and reads template.type', () => {
    expect(loadPrompty('---\nauthors: [a]\n---\nB').template.format.kind).toBe('jinja2');
    expect(loadPrompty('---\nsample: {}\ntemplate: {type: mustache}\n---\nB').template.format.kind).toBe(
      'mustache',
    );
  });

  it('keeps the literal of an unset variable in a promptflow file, as promptflow did', () => {
    const prompt = loadPrompty(
      '---\nmodel:\n  connection: conn\n  configuration:\n    api_key: ${env:PF_KEY}\n---\nB',
    );
    expect(prompt.generation).toBe('promptflow');
    expect(prompt.model.connection).toMatchObject({
      api_key: '${env:PF_KEY}',
      kind: 'reference',
      name: 'conn',
    });
  });

  it('keeps promptflow model.response in extra with a warning', () => {
    const prompt = loadPrompty('---\nmodel:\n  api: chat\n  response: all\n---\nB');
    expect(prompt.extra).toEqual({ model: { response: 'all' } });
    expect(prompt.warnings).toEqual([
      expect.objectContaining({ code: 'prompty.ignored_field', path: 'model.response' }),
    ]);
  });
});

describe('loadPrompty (1.0 beta)', () => {
  const beta = `---
id: buddy
version: 1.0.0
metadata:
  authors: [s]
model:
  id: gpt-4o
  api: chat
  connection:
    type: openai
    api_key: k
  options:
    max_tokens: 150
inputs:
  - name: q
    type: string
    sample: hello
tools:
  - id: search
    type: file_search
---
![thread]`;

  it('maps beta names to v2 and defaults the template to mustache', () => {
    const prompt = loadPrompty(beta);
    expect(prompt.generation).toBe('v1.0-beta');
    expect(prompt.metadata).toEqual({ authors: ['s'], id: 'buddy', version: '1.0.0' });
    expect(prompt.model).toMatchObject({
      id: 'gpt-4o',
      provider: 'openai',
      connection: { kind: 'key', apiKey: 'k' },
      options: { maxOutputTokens: 150 },
    });
    expect(prompt.inputs).toEqual([{ name: 'q', kind: 'string', example: 'hello' }]);
    expect(prompt.tools).toEqual([{ name: 'search', kind: 'file_search' }]);
    expect(prompt.template).toEqual({ format: { kind: 'mustache' }, parser: { kind: 'prompty' } });
  });

  it('reads template.format and template.strict', () => {
    const prompt = loadPrompty('---\nid: x\ntemplate:\n  format: jinja2\n  strict: true\n---\nB');
    expect(prompt.template.format).toEqual({ kind: 'jinja2', strict: true });
  });
});
