// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${file:}` is the .prompty reference syntax under test.
import { describe, expect, it } from 'vitest';
import {
  type BlobReader,
  createGitTreeHost,
  discoverDependencies,
  type TreeEntry,
} from '../../../src/registry/git-tree-host.js';
import { snapshotPath } from '../../../src/registry/version-snapshot.js';

/** A tree whose blobs are named after their path; `loads` counts blob fetches. */
function fakeTree(files: Record<string, string>, symlinks: Record<string, string> = {}) {
  const entries = new Map<string, TreeEntry>();
  const store = new Map<string, string>();
  for (const [file, text] of Object.entries(files)) {
    entries.set(file, { oid: `blob:${file}`, symlink: false });
    store.set(`blob:${file}`, text);
  }
  for (const [file, target] of Object.entries(symlinks)) {
    entries.set(file, { oid: `link:${file}`, symlink: true });
    store.set(`link:${file}`, target);
  }
  const fetched = new Map<string, string>();
  let loads = 0;
  const blobs: BlobReader = {
    cached: (oid) => fetched.get(oid),
    async load(oid) {
      loads += 1;
      const text = store.get(oid);
      if (text === undefined) throw new Error(`no blob ${oid}`);
      fetched.set(oid, text);
      return text;
    },
  };
  return { entries, blobs, loads: () => loads };
}

const PROMPT = '---\nname: p\nmodel: ${file:../shared/model.json}\n---\nsystem:\n{{x}}\n';

describe('discoverDependencies', () => {
  it('returns every file the prompt read, fetching blobs as the loader asks for them', async () => {
    const tree = fakeTree({
      'a/p.prompty': PROMPT,
      'shared/model.json': '{"id": "m", "options": "${file:opts.yaml}"}',
      'shared/opts.yaml': 'temperature: 0.5\n',
      'shared/unrelated.md': 'never read',
    });
    const found = await discoverDependencies(PROMPT, 'a/p.prompty', tree.entries, tree.blobs);
    expect(found.error).toBeNull();
    expect(found.dependencies).toEqual({
      'shared/model.json': '{"id": "m", "options": "${file:opts.yaml}"}',
      'shared/opts.yaml': 'temperature: 0.5\n',
    });
    expect(tree.loads()).toBe(2);
    await discoverDependencies(PROMPT, 'a/p.prompty', tree.entries, tree.blobs);
    expect(tree.loads()).toBe(2);
  });

  it('reports the load error with what was read before it', async () => {
    const tree = fakeTree({ 'a/p.prompty': PROMPT });
    const found = await discoverDependencies(PROMPT, 'a/p.prompty', tree.entries, tree.blobs);
    expect(found.dependencies).toEqual({});
    expect(found.error).toMatchObject({ code: 'prompty.file_not_found' });
  });

  it('follows a symlink inside the folder, recording the file under the path it was read through', async () => {
    const tree = fakeTree(
      { 'a/p.prompty': PROMPT, 'real/model.json': '{"id": "linked"}' },
      { 'shared/model.json': '../real/model.json' },
    );
    const found = await discoverDependencies(PROMPT, 'a/p.prompty', tree.entries, tree.blobs);
    expect(found.dependencies).toEqual({ 'shared/model.json': '{"id": "linked"}' });
  });

  it('refuses a symlink leading out of the prompts folder', async () => {
    const tree = fakeTree({ 'a/p.prompty': PROMPT }, { 'shared/model.json': '../../outside.json' });
    const found = await discoverDependencies(PROMPT, 'a/p.prompty', tree.entries, tree.blobs);
    expect(found.error).toMatchObject({ code: 'prompty.path_outside_root' });
    expect(found.dependencies).toEqual({});
  });
});

describe('createGitTreeHost', () => {
  it('sees the folders of the tree and nothing outside it', () => {
    const tree = fakeTree({ 'a/b/c.md': 'C' });
    const host = createGitTreeHost(tree.entries, tree.blobs);
    expect(host.exists(snapshotPath('a/b'))).toBe(true);
    expect(host.exists(snapshotPath('a/b/c.md'))).toBe(true);
    expect(host.exists(snapshotPath('a/x'))).toBe(false);
    expect(host.exists('/a/b/c.md')).toBe(false);
    expect(() => host.readText(snapshotPath('a/b/nope.md'))).toThrow(/ENOENT/);
  });
});
