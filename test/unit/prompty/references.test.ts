// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${env:}` and `${file:}` are the .prompty reference syntax under test.
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { PromptyHost } from '../../../src/prompty/host.js';
import { type ReferenceContext, resolveReferences } from '../../../src/prompty/references.js';
import { createMemoryHost } from '../../support/memory-host.js';

const code = (c: string) => expect.objectContaining({ code: c });

function context(overrides: Partial<ReferenceContext> = {}): ReferenceContext {
  return { env: {}, onMissingEnv: 'error', ...overrides };
}

describe('resolveReferences: ${env:}', () => {
  it('replaces a whole-string reference with the variable', () => {
    expect(resolveReferences({ a: '${env:KEY}' }, context({ env: { KEY: 'v' } }))).toEqual({ a: 'v' });
  });

  it('uses the default when the variable is unset, keeping colons in the default', () => {
    const value = resolveReferences('${env:NOPE:https://x.example.com:8443/a}', context());
    expect(value).toBe('https://x.example.com:8443/a');
  });

  it('prefers the variable over the default and accepts an empty default', () => {
    expect(resolveReferences('${env:A:fallback}', context({ env: { A: 'set' } }))).toBe('set');
    expect(resolveReferences('${env:A:}', context())).toBe('');
  });

  it('resolves through nested mappings and lists', () => {
    const value = resolveReferences(
      { model: { options: { stopSequences: ['${env:STOP}', 'x'] } }, list: [{ k: '${env:STOP}' }] },
      context({ env: { STOP: 'END' } }),
    );
    expect(value).toEqual({ model: { options: { stopSequences: ['END', 'x'] } }, list: [{ k: 'END' }] });
  });

  it('leaves references that are only part of a string, and unknown protocols, unchanged', () => {
    const value = resolveReferences(
      { a: 'key=${env:KEY}', b: '${vault:secret}' },
      context({ env: { KEY: 'v' } }),
    );
    expect(value).toEqual({ a: 'key=${env:KEY}', b: '${vault:secret}' });
  });

  it('refuses an unset variable without default, naming the variable and the field', () => {
    expect(() =>
      resolveReferences({ model: { connection: { apiKey: '${env:API_KEY}' } } }, context()),
    ).toThrow(
      expect.objectContaining({
        code: 'prompty.env_not_set',
        details: expect.objectContaining({ variable: 'API_KEY', path: 'model.connection.apiKey' }),
      }),
    );
  });

  it('keeps the literal and records the variable in keep mode (promptflow)', () => {
    const missingEnv: { variable: string; path: string }[] = [];
    const value = resolveReferences({ a: ['${env:GONE}'] }, context({ onMissingEnv: 'keep', missingEnv }));
    expect(value).toEqual({ a: ['${env:GONE}'] });
    expect(missingEnv).toEqual([{ variable: 'GONE', path: 'a[0]' }]);
  });
});

describe('resolveReferences: ${file:}', () => {
  const host = createMemoryHost(
    {
      '/root/app/conn.json': '{"kind":"key","apiKey":"${env:KEY}","extra":"${file:more.yaml}"}',
      '/root/app/more.yaml': 'list:\n  - 1\n  - two\n',
      '/root/app/notes.txt': 'plain text\n',
      '/root/app/sub/deep.json': '{"up":"${file:../notes.txt}"}',
      '/root/app/loop.json': '{"again":"${file:loop.json}"}',
      '/root/app/broken.json': '{nope',
      '/root/secret.json': '{"leaked":true}',
      '/elsewhere/secret.txt': 'secret',
    },
    {
      symlinks: {
        '/root/app/link.txt': '/elsewhere/secret.txt',
        '/root/app/inner.txt': '/root/app/notes.txt',
      },
    },
  );
  const files = context({ host, baseDir: '/root/app', root: '/root/app', env: { KEY: 'k' } });

  it('loads JSON, YAML and text by extension and resolves references inside them', () => {
    expect(resolveReferences({ c: '${file:conn.json}', t: '${file:notes.txt}' }, files)).toEqual({
      c: { kind: 'key', apiKey: 'k', extra: { list: [1, 'two'] } },
      t: 'plain text\n',
    });
  });

  it('resolves nested file references relative to the referencing file', () => {
    expect(resolveReferences('${file:sub/deep.json}', files)).toEqual({ up: 'plain text\n' });
  });

  it('follows a symlink that stays inside the root', () => {
    expect(resolveReferences('${file:inner.txt}', files)).toBe('plain text\n');
  });

  it.each([
    ['a ../ traversal', '${file:../secret.json}'],
    ['an absolute path', '${file:/elsewhere/secret.txt}'],
    ['a traversal hidden in the middle', '${file:sub/../../secret.json}'],
    ['a symlink pointing outside', '${file:link.txt}'],
  ])('refuses %s with prompty.path_outside_root', (_case, reference) => {
    expect(() => resolveReferences({ a: reference }, files)).toThrow(code('prompty.path_outside_root'));
  });

  it('refuses a missing file with prompty.file_not_found', () => {
    expect(() => resolveReferences('${file:absent.json}', files)).toThrow(code('prompty.file_not_found'));
  });

  it('refuses a file that references itself', () => {
    expect(() => resolveReferences('${file:loop.json}', files)).toThrow(code('prompty.invalid_field'));
  });

  it('refuses a JSON file that does not parse', () => {
    expect(() => resolveReferences('${file:broken.json}', files)).toThrow(code('prompty.invalid_field'));
  });

  it('refuses file references when no host or folder was given', () => {
    expect(() => resolveReferences('${file:conn.json}', context())).toThrow(code('prompty.unsupported'));
  });
});

describe('resolveReferences on the real file system', () => {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'opm-refs-')));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'prompts'));
  writeFileSync(join(dir, 'outside.json'), '{"secret":1}');
  writeFileSync(join(dir, 'prompts', 'ok.json'), '{"fine":true}');
  symlinkSync(join(dir, 'outside.json'), join(dir, 'prompts', 'escape.json'));
  const fsHost: PromptyHost = {
    readText: (path) => readFileSync(path, 'utf8'),
    readBytes: (path) => readFileSync(path),
    realpath: (path) => realpathSync(path),
    exists: existsSync,
  };
  const files = context({ host: fsHost, baseDir: join(dir, 'prompts'), root: join(dir, 'prompts') });

  it('reads a file inside the root', () => {
    expect(resolveReferences('${file:ok.json}', files)).toEqual({ fine: true });
  });

  it('refuses a real symlink whose target is outside the root', () => {
    expect(() => resolveReferences('${file:escape.json}', files)).toThrow(code('prompty.path_outside_root'));
  });
});
