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
