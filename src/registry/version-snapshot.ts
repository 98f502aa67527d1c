import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { loadPrompty, type Prompty, type PromptyHost } from '../prompty/index.js';

/**
 * Files a prompt version read when it loaded (`${file:}` references, v1 `base:` parents,
 * `prompty.json`), by `/`-separated path under the prompts folder.
 */
export type Dependencies = Record<string, string>;

/**
 * The virtual prompts folder a published version is loaded in: its file and its dependencies are
 * laid out beneath it as they were under the prompts folder at that commit.
 */
export const SNAPSHOT_ROOT = '/opm-published';

/** Where a version's own file sits in the snapshot. */
export function snapshotPath(file: string): string {
  return posix.join(SNAPSHOT_ROOT, file);
}

/**
 * `${env:}` values while discovering dependencies: any variable is set (to ''), so a prompt whose
 * variables are unset at publish time still loads far enough to read every file it references.
 */
export const ANY_ENV: Record<string, string | undefined> = new Proxy(
  {},
  { get: (_target, key) => (typeof key === 'string' ? '' : undefined) },
);

function relativeTo(root: string, absolutePath: string): string | null {
  const rel = posix.relative(root, posix.normalize(absolutePath));
  return rel === '' || rel === '..' || rel.startsWith('../') || posix.isAbsolute(rel) ? null : rel;
}

/**
 * A read-only in-memory host over a version's snapshot: `files` by path under {@link SNAPSHOT_ROOT}.
 * Folders exist when a file lives under them; there are no symlinks (files are stored at the path
 * the prompt read them through).
 */
export function createSnapshotHost(files: Dependencies): PromptyHost {
  const lookup = (absolutePath: string): string => {
    const rel = relativeTo(SNAPSHOT_ROOT, absolutePath);
    const content = rel === null || !Object.hasOwn(files, rel) ? undefined : files[rel];
    if (content === undefined) {
      throw Object.assign(new Error(`ENOENT: no such file, open '${absolutePath}'`), { code: 'ENOENT' });
    }
    return content;
  };
  const folders = new Set<string>(['']);
  for (const file of Object.keys(files)) {
    for (let dir = posix.dirname(file); dir !== '.' && !folders.has(dir); dir = posix.dirname(dir)) {
      folders.add(dir);
    }
  }
  return {
    readText: lookup,
    readBytes: (absolutePath) => new TextEncoder().encode(lookup(absolutePath)),
    realpath: (absolutePath) => posix.normalize(absolutePath),
    exists(absolutePath) {
      if (posix.normalize(absolutePath) === SNAPSHOT_ROOT) return true;
      const rel = relativeTo(SNAPSHOT_ROOT, absolutePath);
      return rel !== null && (Object.hasOwn(files, rel) || folders.has(rel));
    },
  };
}

/** A host that remembers every text file read under `root`, except `exclude` (the prompt itself). */
export function recordReads(
  inner: PromptyHost,
  root: string,
  exclude?: string,
): { host: PromptyHost; reads: () => Dependencies } {
  const read = new Map<string, string>();
  return {
    host: {
      ...inner,
      readText(absolutePath) {
        const content = inner.readText(absolutePath);
        const rel = relativeTo(root, absolutePath);
        if (rel !== null && rel !== exclude) read.set(rel, content);
        return content;
      },
    },
    reads: () => Object.fromEntries([...read].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
  };
}

/**
 * What identifies a version's loaded behaviour: the sha256 of its content alone when it reads no
 * other file (so ids of such prompts never change), else of its content and every dependency.
 */
export function versionIdentity(content: string, dependencies: Dependencies): string {
  const entries = Object.entries(dependencies).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const hash = createHash('sha256');
  if (entries.length === 0) return hash.update(content).digest('hex');
  return hash.update(JSON.stringify([content, entries])).digest('hex');
}

/** A stored version: its file, where it sat under the prompts folder, and its snapshot. */
export interface VersionSnapshot {
  content: string;
  /** Path under the prompts folder at that commit. */
  path: string;
  dependencies: Dependencies;
}

/**
 * Loads a published version from its snapshot, so `${file:}` and `base:` resolve exactly as they
 * did at its commit (containment in the prompts folder is enforced by the loader, as for files).
 * @throws PromptyError when the version does not load
 */
export function loadVersionSnapshot(
  version: VersionSnapshot,
  env: Record<string, string | undefined> = {},
): Prompty {
  const host = createSnapshotHost({ ...version.dependencies, [version.path]: version.content });
  return loadPrompty(version.content, { path: snapshotPath(version.path), root: SNAPSHOT_ROOT, host, env });
}
