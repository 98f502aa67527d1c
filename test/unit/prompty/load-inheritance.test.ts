// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${env:}` and `${file:}` are the .prompty reference syntax under test.
import { describe, expect, it } from 'vitest';
import { loadPrompty, loadPromptyFile } from '../../../src/prompty/load.js';
import { createMemoryHost } from '../../support/memory-host.js';

const code = (c: string, details: Record<string, unknown> = {}) =>
  expect.objectContaining({ code: c, details: expect.objectContaining(details) });

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
