import { describe, expect, it } from 'vitest';
import { diffVersions } from '../../../src/registry/version-diff.js';

const version = (id: string, content: string, dependencies: Record<string, string>) => ({
  version: id,
  content,
  message: `${id} subject\n\nbody`,
  dependencies,
});

describe('diffVersions', () => {
  it('diffs the prompt file under slug@version names, with commit subjects', () => {
    const patch = diffVersions('a/p', version('v1', 'one\n', {}), version('v2', 'two\n', {}));
    expect(patch).toContain('--- a/p@v1\tv1 subject');
    expect(patch).toContain('+++ a/p@v2\tv2 subject');
    expect(patch).toContain('-one');
    expect(patch).toContain('+two');
  });

  it('adds a diff for every file read that was edited, added or removed, and none for unchanged ones', () => {
    const from = version('v1', 'same\n', {
      's/style.md': 'old style\n',
      's/keep.md': 'k\n',
      's/gone.md': 'g\n',
    });
    const to = version('v2', 'same\n', {
      's/style.md': 'new style\n',
      's/keep.md': 'k\n',
      's/new.json': '{}\n',
    });
    const patch = diffVersions('a/p', from, to);
    expect(patch).toContain('--- s/style.md@v1');
    expect(patch).toContain('-old style');
    expect(patch).toContain('+new style');
    expect(patch).toContain('--- s/gone.md@v1');
    expect(patch).toContain('+++ /dev/null');
    expect(patch).toContain('--- /dev/null');
    expect(patch).toContain('+++ s/new.json@v2');
    expect(patch).not.toContain('s/keep.md');
  });
});
