// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${file:}` is the .prompty reference syntax under test.
import { describe, expect, it } from 'vitest';
import { preparePrompt } from '../../../src/prompty/index.js';
import {
  createSnapshotHost,
  loadVersionSnapshot,
  recordReads,
  SNAPSHOT_ROOT,
  snapshotPath,
  versionIdentity,
} from '../../../src/registry/version-snapshot.js';
import { createMemoryHost } from '../../support/memory-host.js';

const code = (c: string) => expect.objectContaining({ code: c });

const SUMMARIZE = [
  '---',
  'name: summarize',
  'model: ${file:../shared/model.json}',
  'inputs:',
  '  - name: style',
  '    kind: string',
  '    default: ${file:../shared/style.md}',
  '---',
  'system:',
  '{{style}}',
  '',
].join('\n');

describe('createSnapshotHost', () => {
  const host = createSnapshotHost({ 'a/b.md': 'B', 'c.json': '{}' });

  it('serves the files under the snapshot root, and their folders as existing', () => {
    expect(host.readText(snapshotPath('a/b.md'))).toBe('B');
    expect(new TextDecoder().decode(host.readBytes(snapshotPath('c.json')))).toBe('{}');
    expect(host.exists(snapshotPath('a'))).toBe(true);
    expect(host.exists(SNAPSHOT_ROOT)).toBe(true);
    expect(host.exists(snapshotPath('a/missing.md'))).toBe(false);
  });

  it('has nothing outside the snapshot root, not even a same-named file', () => {
    expect(host.exists('/a/b.md')).toBe(false);
    expect(() => host.readText('/a/b.md')).toThrow(/ENOENT/);
    expect(() => host.readText(snapshotPath('../c.json'))).toThrow(/ENOENT/);
  });

  it('does not read inherited object keys as files', () => {
    expect(host.exists(snapshotPath('constructor'))).toBe(false);
    expect(() => host.readText(snapshotPath('toString'))).toThrow(/ENOENT/);
  });
});

describe('recordReads', () => {
  it('records text read under the root by relative path, skipping the excluded file and outside reads', () => {
    const inner = createMemoryHost({ '/r/p/x.prompty': 'X', '/r/s/y.md': 'Y', '/other/z.md': 'Z' });
    const recorder = recordReads(inner, '/r', 'p/x.prompty');
    recorder.host.readText('/r/s/y.md');
    recorder.host.readText('/r/p/x.prompty');
    recorder.host.readText('/other/z.md');
    expect(recorder.reads()).toEqual({ 's/y.md': 'Y' });
    expect(recorder.host.exists('/r/s')).toBe(true);
  });
});

describe('versionIdentity', () => {
  it('is the content hash alone when nothing else is read', () => {
    expect(versionIdentity('abc', {})).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it('changes when a dependency changes, and not with the order dependencies were read in', () => {
    const one = versionIdentity('abc', { 'a.md': '1', 'b.md': '2' });
    expect(versionIdentity('abc', { 'b.md': '2', 'a.md': '1' })).toBe(one);
    expect(versionIdentity('abc', { 'a.md': '1', 'b.md': '3' })).not.toBe(one);
    expect(versionIdentity('abc', { 'a.md': '1' })).not.toBe(one);
  });
});

describe('loadVersionSnapshot', () => {
  const dependencies = {
    'research/shared/model.json': '{"id": "m-1", "provider": "fake"}',
    'research/shared/style.md': 'Be brief.',
  };

  it('resolves ${file:} references (JSON and text) from the snapshot, relative to the version path', () => {
    const prompt = loadVersionSnapshot({
      content: SUMMARIZE,
      path: 'research/papers/s.prompty',
      dependencies,
    });
    expect(prompt.model).toMatchObject({ id: 'm-1', provider: 'fake' });
    const { messages } = preparePrompt(prompt, {});
    expect(messages).toEqual([{ role: 'system', content: 'Be brief.' }]);
  });

  it('fails as the file would when a referenced file is missing from the snapshot', () => {
    const partial = { 'research/shared/model.json': '{"id": "m-1"}' };
    expect(() =>
      loadVersionSnapshot({ content: SUMMARIZE, path: 'research/papers/s.prompty', dependencies: partial }),
    ).toThrow(code('prompty.file_not_found'));
  });

  it('refuses references that climb out of the prompts folder', () => {
    const content = '---\nname: x\nmodel: ${file:../../secrets.json}\n---\nsystem:\nhi\n';
    expect(() => loadVersionSnapshot({ content, path: 'a/x.prompty', dependencies: {} })).toThrow(
      code('prompty.path_outside_root'),
    );
  });

  it('follows a v1 base: chain to its parent, whose own references resolve from its folder', () => {
    const parent =
      '---\nname: Base\nmodel:\n  api: chat\n  configuration: ${file:conf.json}\n---\nsystem:\nbase';
    const child = '---\nname: Child\nbase: ../base/parent.prompty\n---\nsystem:\nchild {{x}}';
    const prompt = loadVersionSnapshot({
      content: child,
      path: 'kids/child.prompty',
      dependencies: {
        'base/parent.prompty': parent,
        'base/conf.json': '{"type": "openai", "name": "gpt-4o"}',
      },
    });
    expect(prompt.name).toBe('Child');
    expect(prompt.model.provider).toBe('openai');
    expect(prompt.model.id).toBe('gpt-4o');
  });
});
