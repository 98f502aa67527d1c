// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${env:}` and `${file:}` are the .prompty reference syntax under test.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PromptyError } from '../../../src/prompty/errors.js';
import { loadPrompty, loadPromptyFile, safeLoadPrompty } from '../../../src/prompty/load.js';
import { createMemoryHost } from '../../support/memory-host.js';

const code = (c: string, details: Record<string, unknown> = {}) =>
  expect.objectContaining({ code: c, details: expect.objectContaining(details) });

describe('loadPrompty (v2)', () => {
  it('builds the v2-shaped prompt with defaults for everything not written', () => {
    const prompt = loadPrompty('---\nname: tiny\n---\nsystem:\nHi');
    expect(prompt).toMatchObject({
      kind: 'prompt',
      name: 'tiny',
      metadata: {},
      model: { apiType: 'chat', options: {} },
      inputs: [],
      outputs: [],
      tools: [],
      template: { format: { kind: 'jinja2' }, parser: { kind: 'prompty' } },
      instructions: 'system:\nHi',
      generation: 'v2',
      warnings: [],
      extra: {},
      source: { bodyLine: 4 },
    });
  });

  it('hashes the raw text and records the absolute path', () => {
    const text = '---\nname: x\n---\r\nBody\r\n';
    const prompt = loadPrompty(text, { path: '/p/x.prompty' });
    expect(prompt.source.contentHash).toBe(createHash('sha256').update(text).digest('hex'));
    expect(prompt.source.path).toBe('/p/x.prompty');
    expect(prompt.instructions).toBe('Body');
  });

  it('loads a file with a byte order mark and CRLF line endings', () => {
    const prompt = loadPrompty('\uFEFF---\r\nname: crlf\r\n---\r\nsystem:\r\nHello\r\n');
    expect(prompt.name).toBe('crlf');
    expect(prompt.instructions).toBe('system:\nHello');
  });

  it('copies metadata.opm into prompt.opm and keeps it in metadata', () => {
    const prompt = loadPrompty('---\nmetadata:\n  opm:\n    fallbacks: [gpt-4o-mini]\n---\nB');
    expect(prompt.opm).toEqual({ fallbacks: ['gpt-4o-mini'] });
    expect(prompt.metadata.opm).toEqual({ fallbacks: ['gpt-4o-mini'] });
  });

  it('takes front-matter instructions when the body is empty', () => {
    expect(loadPrompty('---\ninstructions: "system:\\nHi"\n---\n').instructions).toBe('system:\nHi');
  });

  it('keeps an unknown top-level field in extra and warns with its file position', () => {
    const prompt = loadPrompty('---\nname: x\ninputSchema:\n  a: 1\n---\nB', { path: '/p/x.prompty' });
    expect(prompt.extra).toEqual({ inputSchema: { a: 1 } });
    expect(prompt.warnings).toEqual([
      expect.objectContaining({ code: 'prompty.unknown_field', path: 'inputSchema', line: 3, column: 1 }),
    ]);
  });

  it('passes unknown model options through additionalProperties with a warning', () => {
    const prompt = loadPrompty(
      '---\nmodel:\n  id: g\n  options:\n    temperature: 0\n    logprobs: true\n---\nB',
    );
    expect(prompt.model.options).toEqual({ temperature: 0, additionalProperties: { logprobs: true } });
    expect(prompt.warnings[0]).toMatchObject({ path: 'model.options.logprobs', line: 6, column: 5 });
  });

  it('accepts inputs as a mapping, including scalar shorthand', () => {
    const prompt = loadPrompty('---\nmodel: g\ninputs:\n  q:\n    kind: string\n  n: 3\n  on: true\n---\nB');
    expect(prompt.inputs).toEqual([
      { name: 'q', kind: 'string' },
      { name: 'n', kind: 'integer', default: 3 },
      { name: 'on', kind: 'boolean', default: true },
    ]);
  });

  it('expands template strings at each level and keeps strict', () => {
    const prompt = loadPrompty(
      '---\ntemplate:\n  format: {kind: mustache, strict: false}\n  parser: prompty\n---\nB',
    );
    expect(prompt.template).toEqual({
      format: { kind: 'mustache', strict: false },
      parser: { kind: 'prompty' },
    });
  });

  it('accepts tools as a mapping keyed by name', () => {
    const prompt = loadPrompty('---\ntools:\n  search:\n    kind: mcp\n    serverName: s\n---\nB');
    expect(prompt.tools).toEqual([{ name: 'search', kind: 'mcp', serverName: 's' }]);
  });

  it('warns about a property with no kind and infers it from the default', () => {
    const prompt = loadPrompty('---\nmodel: g\ninputs:\n  - name: n\n    default: 2\n---\nB');
    expect(prompt.inputs[0]?.kind).toBe('integer');
    expect(prompt.warnings).toEqual([
      expect.objectContaining({ code: 'prompty.missing_kind', path: 'inputs[0]' }),
    ]);
  });

  it('refuses a bare template string in a v2 file', () => {
    expect(() =>
      loadPrompty('---\nmodel: {id: g}\ntemplate: jinja2\n---\nB', { path: '/p/x.prompty' }),
    ).toThrow(code('prompty.invalid_field', { path: 'template', line: 3, column: 1, file: '/p/x.prompty' }));
  });

  it('refuses a field of the wrong type with its path and position', () => {
    expect(() => loadPrompty('---\nname: [a]\n---\nB')).toThrow(
      code('prompty.invalid_field', { path: 'name', line: 2 }),
    );
    expect(() => loadPrompty('---\nmodel:\n  id: g\n  options: 5\n---\nB')).toThrow(
      code('prompty.invalid_field', { path: 'model.options', line: 4, column: 3 }),
    );
  });

  it('refuses inputs listed without a name', () => {
    expect(() => loadPrompty('---\ninputs:\n  - kind: string\n---\nB')).toThrow(
      code('prompty.invalid_field'),
    );
  });

  it('refuses an unset environment variable in a v2 file', () => {
    expect(() =>
      loadPrompty('---\nmodel:\n  id: g\n  connection:\n    kind: key\n    apiKey: ${env:K}\n---\n'),
    ).toThrow(code('prompty.env_not_set', { variable: 'K', path: 'model.connection.apiKey' }));
  });
});

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

describe('loadPrompty with prompty.json (v1 global configuration)', () => {
  const text = '---\nmodel:\n  api: chat\n  configuration:\n    azure_deployment: mine\n---\nB';
  const host = createMemoryHost({
    '/repo/prompty.json':
      '{"default": {"type": "azure", "azure_deployment": "theirs", "api_key": "${env:K}"}}',
    '/repo/prompts/prompty.json':
      '{"default": {"type": "azure", "api_version": "v"}, "prod": {"type": "openai"}}',
    '/repo/prompts/deep/x.prompty': text,
  });

  it('merges the nearest prompty.json under the file configuration', () => {
    const prompt = loadPrompty(text, { path: '/repo/prompts/deep/x.prompty', root: '/repo/prompts', host });
    expect(prompt.model.connection).toMatchObject({
      type: 'azure',
      api_version: 'v',
      azure_deployment: 'mine',
    });
    expect(prompt.model.provider).toBe('azure_openai');
  });

  it('picks the named configuration', () => {
    const prompt = loadPrompty(text, {
      path: '/repo/prompts/deep/x.prompty',
      root: '/repo/prompts',
      host,
      configuration: 'prod',
    });
    expect(prompt.model.provider).toBe('openai');
  });

  it('never looks above the root', () => {
    const prompt = loadPrompty(text, { path: '/repo/prompts/deep/x.prompty', host });
    expect(prompt.model.connection).toEqual({ azure_deployment: 'mine', kind: 'anonymous' });
  });

  it('resolves references inside prompty.json', () => {
    const other = createMemoryHost({ '/repo/prompty.json': '{"default": {"api_key": "${env:K}"}}' });
    const options = { path: '/repo/a/x.prompty', root: '/repo', host: other };
    expect(loadPrompty(text, { ...options, env: { K: 'sk' } }).model.connection).toMatchObject({
      apiKey: 'sk',
    });
    expect(() => loadPrompty(text, options)).toThrow(code('prompty.env_not_set', { variable: 'K' }));
  });

  it('is ignored for v2 files', () => {
    const prompt = loadPrompty('---\nmodel: g\n---\nB', { path: '/repo/prompts/deep/y.prompty', host });
    expect(prompt.model.connection).toBeUndefined();
  });
});

describe('loadPrompty with base: (v1 inheritance)', () => {
  const parent = `---
name: Base
description: base description
authors: [a]
model:
  api: chat
  configuration: {azure_deployment: gpt-4, type: azure}
  parameters: {temperature: 0, max_tokens: 200}
inputs:
  notInherited: {type: string}
sample: {context: base, input: base}
template: jinja2
---
{% block body %}base{% endblock %}`;
  const child = `---
name: Child
base: evaluation.prompty
authors: [b, a]
model:
  configuration: {azure_deployment: gpt-4o}
  parameters: {temperature: 0.5}
sample: {input: child}
---
{% extends "evaluation.prompty" %}{% block body %}child{% endblock %}`;
  const host = createMemoryHost({
    '/p/evaluation.prompty': parent,
    '/p/child.prompty': child,
    '/p/a.prompty': '---\nname: a\nbase: b.prompty\n---\nA',
    '/p/b.prompty': '---\nname: b\nbase: a.prompty\n---\nB',
    '/p/sub/escape.prompty': '---\nname: e\nbase: ../evaluation.prompty\n---\nE',
    '/p/lost.prompty': '---\nname: l\nbase: missing.prompty\n---\nL',
  });
  const load = (path: string, root = '/p') => loadPromptyFile(path, { host, root });

  it('merges the parent under the child as Python 0.1.x did', () => {
    const prompt = load('/p/child.prompty');
    expect(prompt.name).toBe('Child');
    expect(prompt.description).toBe('base description');
    expect(prompt.metadata.authors).toEqual(['b', 'a']);
    expect(prompt.model).toMatchObject({
      id: 'gpt-4o',
      provider: 'azure_openai',
      apiType: 'chat',
      options: { temperature: 0.5, maxOutputTokens: 200 },
    });
    expect(prompt.sample).toEqual({ context: 'base', input: 'child' });
    expect(prompt.inputs).toEqual([]);
  });

  it('exposes every body of the chain by basename for extends', () => {
    const prompt = load('/p/child.prompty');
    expect(prompt.source.templates).toEqual({
      'evaluation.prompty': '{% block body %}base{% endblock %}',
      'child.prompty': '{% extends "evaluation.prompty" %}{% block body %}child{% endblock %}',
    });
  });

  it('refuses a cycle', () => {
    expect(() => load('/p/a.prompty')).toThrow(code('prompty.invalid_field', { path: 'base' }));
  });

  it('refuses a parent outside the root', () => {
    expect(() => load('/p/sub/escape.prompty', '/p/sub')).toThrow(code('prompty.path_outside_root'));
  });

  it('refuses a missing parent', () => {
    expect(() => load('/p/lost.prompty')).toThrow(code('prompty.file_not_found'));
  });
});

describe('safeLoadPrompty and loadPromptyFile', () => {
  it('returns the error as a value instead of throwing', () => {
    const result = safeLoadPrompty('---\nname: [\n---\n');
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error).toBeInstanceOf(PromptyError);
      expect(result.error.code).toBe('prompty.invalid_front_matter');
    }
  });

  it('returns the prompt as a value on success', () => {
    expect(safeLoadPrompty('Hello')).toMatchObject({ ok: true, value: { instructions: 'Hello' } });
  });

  it('refuses relative paths, which would depend on the working directory', () => {
    expect(() => loadPrompty('B', { path: 'prompts/x.prompty' })).toThrow(code('prompty.unsupported'));
    expect(() => loadPrompty('B', { path: '/p/x.prompty', root: '.' })).toThrow(code('prompty.unsupported'));
  });

  it('reports a missing file as prompty.file_not_found', () => {
    expect(() => loadPromptyFile('/nowhere/x.prompty', { host: createMemoryHost({}) })).toThrow(
      code('prompty.file_not_found', { file: '/nowhere/x.prompty' }),
    );
  });
});
