// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${file:}` is the .prompty reference syntax under test.
import { describe, expect, it } from 'vitest';
import {
  type BlobReader,
  createFileStates,
  createGitTreeHost,
  discoverDependencies,
  type TreeEntry,
} from '../../../src/registry/git-tree-host.js';
import { snapshotPath } from '../../../src/registry/version-snapshot.js';

/** Blobs of every fake tree, named by their content as git names them by their hash. */
const store = new Map<string, string>();
const oidOf = (text: string, link = false) => {
  const oid = `${link ? 'link' : 'blob'}:${text}`;
  store.set(oid, text);
  return oid;
};

/** A tree of `files` and `symlinks`, with a blob reader of its own; `loads` counts blob fetches. */
function fakeTree(files: Record<string, string>, symlinks: Record<string, string> = {}) {
  const entries = new Map<string, TreeEntry>();
  for (const [file, text] of Object.entries(files)) entries.set(file, { oid: oidOf(text), symlink: false });
  for (const [file, target] of Object.entries(symlinks)) {
    entries.set(file, { oid: oidOf(target, true), symlink: true });
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
    const found = await discoverDependencies(
      PROMPT,
      'a/p.prompty',
      createGitTreeHost(tree.entries, tree.blobs),
      tree.blobs,
    );
    expect(found.error).toBeNull();
    expect(found.dependencies).toEqual({
      'shared/model.json': '{"id": "m", "options": "${file:opts.yaml}"}',
      'shared/opts.yaml': 'temperature: 0.5\n',
    });
    expect(tree.loads()).toBe(2);
    await discoverDependencies(
      PROMPT,
      'a/p.prompty',
      createGitTreeHost(tree.entries, tree.blobs),
      tree.blobs,
    );
    expect(tree.loads()).toBe(2);
  });

  it('reports the load error with what was read before it', async () => {
    const tree = fakeTree({ 'a/p.prompty': PROMPT });
    const found = await discoverDependencies(
      PROMPT,
      'a/p.prompty',
      createGitTreeHost(tree.entries, tree.blobs),
      tree.blobs,
    );
    expect(found.dependencies).toEqual({});
    expect(found.error).toMatchObject({ code: 'prompty.file_not_found' });
  });

  it('follows a symlink inside the folder, recording the file under the path it was read through', async () => {
    const tree = fakeTree(
      { 'a/p.prompty': PROMPT, 'real/model.json': '{"id": "linked"}' },
      { 'shared/model.json': '../real/model.json' },
    );
    const found = await discoverDependencies(
      PROMPT,
      'a/p.prompty',
      createGitTreeHost(tree.entries, tree.blobs),
      tree.blobs,
    );
    expect(found.dependencies).toEqual({ 'shared/model.json': '{"id": "linked"}' });
  });

  it('refuses a symlink leading out of the prompts folder', async () => {
    const tree = fakeTree({ 'a/p.prompty': PROMPT }, { 'shared/model.json': '../../outside.json' });
    const found = await discoverDependencies(
      PROMPT,
      'a/p.prompty',
      createGitTreeHost(tree.entries, tree.blobs),
      tree.blobs,
    );
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

describe('createFileStates', () => {
  const V1 = '---\nname: v1\nauthors: [a]\nmodel:\n  api: chat\n---\nsystem:\nhi\n';

  /** The prompts folder holding `files`, named by its content (a stand-in for the git tree oid). */
  const folder = (files: Record<string, string>) => ({
    treeOid: JSON.stringify(files),
    tree: fakeTree(files).entries,
  });

  it('reuses a load where the tree answers the loader the same, and loads again where it does not', async () => {
    const base = { 'a/p.prompty': PROMPT, 'shared/model.json': '{"id": "m"}' };
    const stateOf = createFileStates(fakeTree({}).blobs);
    const first = await stateOf(folder(base), 'a/p.prompty', oidOf(PROMPT));
    expect(first.dependencies).toEqual({ 'shared/model.json': '{"id": "m"}' });

    expect(await stateOf(folder({ ...base, 'b/other.md': 'x' }), 'a/p.prompty', oidOf(PROMPT))).toBe(first);

    const edited = folder({ ...base, 'shared/model.json': '{"id": "n"}' });
    const second = await stateOf(edited, 'a/p.prompty', oidOf(PROMPT));
    expect(second.dependencies).toEqual({ 'shared/model.json': '{"id": "n"}' });
    expect(second.identity).not.toBe(first.identity);
  });

  it('sees a prompty.json appearing next to a v1 prompt, which the loader only probed for before', async () => {
    const stateOf = createFileStates(fakeTree({}).blobs);
    const before = await stateOf(folder({ 'a/v.prompty': V1 }), 'a/v.prompty', oidOf(V1));
    expect(before.dependencies).toEqual({});
    const config = '{"default": {"type": "openai"}}';
    const after = await stateOf(
      folder({ 'a/v.prompty': V1, 'a/prompty.json': config }),
      'a/v.prompty',
      oidOf(V1),
    );
    expect(after.dependencies).toEqual({ 'a/prompty.json': config });
    expect(after.identity).not.toBe(before.identity);
  });
});
