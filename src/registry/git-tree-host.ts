import { posix } from 'node:path';
import { loadPrompty, type PromptyHost } from '../prompty/index.js';
import {
  ANY_ENV,
  type Dependencies,
  recordReads,
  SNAPSHOT_ROOT,
  snapshotPath,
  versionIdentity,
} from './version-snapshot.js';

/** A file of a commit's prompts folder: its blob, and whether git stores it as a symlink. */
export interface TreeEntry {
  oid: string;
  symlink: boolean;
}

/** Every file of the prompts folder at one commit, by `/`-separated path under it. */
export type TreeEntries = ReadonlyMap<string, TreeEntry>;

/** Blob texts: those already read, and a way to read another. */
export interface BlobReader {
  cached(oid: string): string | undefined;
  load(oid: string): Promise<string>;
}

/** The loader is synchronous and git is not: a read of an unfetched blob aborts the load with this. */
class MissingBlob extends Error {
  readonly oid: string;
  constructor(oid: string) {
    super(`blob ${oid} is not read yet`);
    this.oid = oid;
  }
}

function missingBlobIn(error: unknown): MissingBlob | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 10; depth++) {
    if (current instanceof MissingBlob) return current;
    current = current.cause;
  }
  return undefined;
}

const MAX_SYMLINK_HOPS = 40;

/**
 * A {@link PromptyHost} over a commit's prompts folder laid out under {@link SNAPSHOT_ROOT}. Git
 * symlinks are followed as realpath(3) would, so one pointing out of the folder fails the loader's
 * containment check exactly as it would in a checkout. Nothing outside the folder exists.
 */
export function createGitTreeHost(entries: TreeEntries, blobs: BlobReader): PromptyHost {
  const folders = new Set<string>();
  for (const file of entries.keys()) {
    for (let dir = posix.dirname(file); dir !== '.' && !folders.has(dir); dir = posix.dirname(dir)) {
      folders.add(dir);
    }
  }
  const relative = (absolutePath: string): string | null => {
    const rel = posix.relative(SNAPSHOT_ROOT, absolutePath);
    return rel.startsWith('..') || posix.isAbsolute(rel) ? null : rel;
  };
  const blobText = (oid: string): string => {
    const text = blobs.cached(oid);
    if (text === undefined) throw new MissingBlob(oid);
    return text;
  };
  const realpath = (absolutePath: string): string => {
    let current = '/';
    for (const part of posix.resolve(absolutePath).split('/').filter(Boolean)) {
      current = posix.join(current, part);
      for (let hops = 0; ; hops++) {
        const rel = relative(current);
        const entry = rel === null ? undefined : entries.get(rel);
        if (entry === undefined || !entry.symlink) break;
        if (hops >= MAX_SYMLINK_HOPS) throw new Error(`ELOOP: ${absolutePath}`);
        current = posix.resolve(posix.dirname(current), blobText(entry.oid));
      }
    }
    return current;
  };
  const fileAt = (absolutePath: string): TreeEntry | undefined => {
    const rel = relative(realpath(absolutePath));
    return rel === null ? undefined : entries.get(rel);
  };
  const readText = (absolutePath: string): string => {
    const entry = fileAt(absolutePath);
    if (entry === undefined) {
      throw Object.assign(new Error(`ENOENT: no such file, open '${absolutePath}'`), { code: 'ENOENT' });
    }
    return blobText(entry.oid);
  };
  return {
    readText,
    readBytes: (absolutePath) => new TextEncoder().encode(readText(absolutePath)),
    realpath,
    exists(absolutePath) {
      const rel = relative(realpath(absolutePath));
      // A symlink out of the folder may point at something real: say so, and let the loader's
      // containment check refuse it, as it would in a checkout.
      if (rel === null) return relative(posix.resolve(absolutePath)) !== null;
      return rel === '' || entries.has(rel) || folders.has(rel);
    },
  };
}

/** One answer the host gave the loader. */
export interface Observation {
  call: 'exists' | 'realpath' | 'readText';
  path: string;
  result: boolean | string;
}

/** A host that logs every answer it gives (the loader is pure: same answers, same result). */
function observeCalls(inner: PromptyHost): { host: PromptyHost; observations: Observation[] } {
  const observations: Observation[] = [];
  const log = <T extends boolean | string>(call: Observation['call'], path: string, result: T): T => {
    observations.push({ call, path, result });
    return result;
  };
  return {
    host: {
      readText: (path) => log('readText', path, inner.readText(path)),
      readBytes: (path) => inner.readBytes(path),
      realpath: (path) => log('realpath', path, inner.realpath(path)),
      exists: (path) => log('exists', path, inner.exists(path)),
    },
    observations,
  };
}

/**
 * Whether `host` (another commit's tree) gives every answer the loader got: then the prompt loads
 * there exactly as it did, without loading it again.
 */
export function observationsHold(observations: readonly Observation[], host: PromptyHost): boolean {
  try {
    return observations.every((seen) => host[seen.call](seen.path) === seen.result);
  } catch {
    return false;
  }
}

/** What a prompt read when it loaded at one commit; `error` when it does not load there. */
export interface DiscoveredDependencies {
  dependencies: Dependencies;
  error: unknown;
  /** Every answer the tree gave, to tell whether another tree would load it the same. */
  observations: Observation[];
}

/**
 * Loads `content` as the prompt at `file` (path under the prompts folder) in a commit's tree (a
 * {@link createGitTreeHost}) and returns every file it read. Blobs are fetched as the loader asks for them (it retries after each).
 */
export async function discoverDependencies(
  content: string,
  file: string,
  tree: PromptyHost,
  blobs: BlobReader,
): Promise<DiscoveredDependencies> {
  for (;;) {
    const observer = observeCalls(tree);
    const recorder = recordReads(observer.host, SNAPSHOT_ROOT, file);
    const { observations } = observer;
    try {
      loadPrompty(content, {
        path: snapshotPath(file),
        root: SNAPSHOT_ROOT,
        host: recorder.host,
        env: ANY_ENV,
      });
      return { dependencies: recorder.reads(), error: null, observations };
    } catch (error) {
      const missing = missingBlobIn(error);
      if (missing === undefined) return { dependencies: recorder.reads(), error, observations };
      // Every retry has one more blob cached, so this ends after at most one pass per file.
      await blobs.load(missing.oid);
    }
  }
}

/** A prompt file's loaded state at one commit: what it read, and what identifies it. */
export interface FileState {
  dependencies: Dependencies;
  /** {@link versionIdentity} of its content and dependencies. */
  identity: string;
}

/** The prompts folder at one commit: its tree oid ('' when absent) and its files. */
export interface FolderAtCommit {
  treeOid: string;
  tree: TreeEntries;
}

/**
 * The loaded state of prompt files across commits, cached per folder tree. Loads of one content are
 * also kept with what the tree answered: a tree giving the same answers loads the same (the loader
 * is pure), so most commits cost a few map lookups instead of a load.
 */
export function createFileStates(
  blobs: BlobReader,
): (folder: FolderAtCommit, file: string, blob: string) => Promise<FileState> {
  const hosts = new Map<string, PromptyHost>();
  const states = new Map<string, Promise<FileState>>();
  const loads = new Map<string, { observations: Observation[]; state: FileState }[]>();
  async function load(folder: FolderAtCommit, file: string, blob: string): Promise<FileState> {
    let host = hosts.get(folder.treeOid);
    if (host === undefined) {
      host = createGitTreeHost(folder.tree, blobs);
      hosts.set(folder.treeOid, host);
    }
    const known = loads.get(`${file}:${blob}`) ?? [];
    const same = known.find((previous) => observationsHold(previous.observations, host));
    if (same !== undefined) return same.state;
    const content = blobs.cached(blob) ?? (await blobs.load(blob));
    const found = await discoverDependencies(content, file, host, blobs);
    const state = {
      dependencies: found.dependencies,
      identity: versionIdentity(content, found.dependencies),
    };
    known.push({ observations: found.observations, state });
    loads.set(`${file}:${blob}`, known);
    return state;
  }
  return (folder, file, blob) => {
    const key = `${folder.treeOid}:${file}`;
    let state = states.get(key);
    if (state === undefined) {
      state = load(folder, file, blob);
      states.set(key, state);
    }
    return state;
  };
}
