import fs from 'node:fs';
import { diffLines } from 'diff';
import git, { type CommitObject } from 'isomorphic-git';
import { sha256Hex } from './cache.js';
import { type BlobReader, createFileStates, type TreeEntries, type TreeEntry } from './git-tree-host.js';
import type { GitLocation } from './git-worktree.js';
import { isValidSlug, PROMPT_FILE_EXTENSION } from './slug.js';
import type { Dependencies } from './version-snapshot.js';
import { VersioningError } from './versioning-errors.js';

export type { GitLocation } from './git-worktree.js';
export { findDirtyPrompts, locatePrompts, readGitIdentity } from './git-worktree.js';

/** One committed state of one prompt file. */
export interface PromptFileVersion {
  /** The slug the file has at HEAD (earlier paths are folded in after a rename). */
  slug: string;
  /** The path under the prompts folder at that commit. */
  path: string;
  /** The slug at that commit when it differs from `slug` (the file was renamed since). */
  renamedFrom: string | null;
  commitSha: string;
  contentHash: string;
  content: string;
  /** The files the prompt read when it loaded at that commit, by path under the prompts folder. */
  dependencies: Dependencies;
  authorName: string;
  authorEmail: string;
  committedAt: Date;
  message: string;
}

/** A rename git history shows for a prompt file. */
export interface PromptRename {
  from: string;
  to: string;
  commitSha: string;
}

/** Every prompt at HEAD with the commits that changed it, oldest first. */
export interface PromptHistory {
  slug: string;
  versions: PromptFileVersion[];
  renames: PromptRename[];
}

/** Git counts two files as a rename when at least half of their lines match. */
const RENAME_SIMILARITY = 0.5;

/** The mode git gives a symlink's tree entry. */
const SYMLINK_MODE = '120000';

function slugOf(filePath: string): string | null {
  if (!filePath.endsWith(PROMPT_FILE_EXTENSION)) return null;
  const slug = filePath.slice(0, -PROMPT_FILE_EXTENSION.length);
  return isValidSlug(slug) ? slug : null;
}

/** Line similarity in [0, 1], as git's rename detection measures it. */
export function similarity(a: string, b: string): number {
  let common = 0;
  let total = 0;
  for (const part of diffLines(a, b)) {
    const lines = part.count ?? 0;
    total += part.added || part.removed ? lines : 2 * lines;
    if (!part.added && !part.removed) common += 2 * lines;
  }
  return total === 0 ? 1 : common / total;
}

type FileMap = Map<string, string>;

interface ChainStep {
  sha: string;
  commit: CommitObject;
  /** Prompt files by path under the prompts folder → blob oid. */
  files: FileMap;
  /** Every file of the prompts folder, for dependencies. */
  tree: TreeEntries;
  /** The prompts folder's tree oid ('' when the commit has none): equal trees load equally. */
  treeOid: string;
}

/**
 * Reads the history of every prompt file present at HEAD. Like `git log --follow`, a commit whose
 * parent (any parent of a merge) holds the same content is skipped, so a merged pull request is
 * credited to the commit that made the change, not to the merge.
 * A commit counts as a version when it changed the file's content or a file it reads (`${file:}`,
 * `base:`, `prompty.json`: found by loading it in that commit's tree); a pure rename reading the
 * same files is not a new version, but the file's earlier versions move to its new slug and the
 * rename is reported.
 * @throws VersioningError `registry.git_unavailable` when the repository has no commit.
 */
export async function readPromptHistory(
  location: GitLocation,
): Promise<{ head: string; prompts: PromptHistory[] }> {
  const { repoDir: dir, promptsPath } = location;
  const cache = {};
  let head: string;
  try {
    head = await git.resolveRef({ fs, dir, ref: 'HEAD' });
  } catch (error) {
    throw new VersioningError('registry.git_unavailable', `The repository ${dir} has no commit yet.`, {
      cause: error,
      details: { repo: dir },
    });
  }
  const listings = new Map<string, Map<string, TreeEntry>>();
  const blobs = new Map<string, string>();

  /** Every file under a tree, by path relative to it (cached: unchanged folders share tree oids). */
  async function listTree(treeOid: string): Promise<Map<string, TreeEntry>> {
    const known = listings.get(treeOid);
    if (known !== undefined) return known;
    const own = new Map<string, TreeEntry>();
    const { tree } = await git.readTree({ fs, dir, oid: treeOid, cache });
    for (const entry of tree) {
      if (entry.type === 'tree') {
        for (const [file, found] of await listTree(entry.oid)) own.set(`${entry.path}/${file}`, found);
      } else if (entry.type === 'blob') {
        own.set(entry.path, { oid: entry.oid, symlink: entry.mode === SYMLINK_MODE });
      }
    }
    listings.set(treeOid, own);
    return own;
  }

  async function promptsFolderAt(commitTree: string): Promise<Pick<ChainStep, 'files' | 'tree' | 'treeOid'>> {
    let treeOid = commitTree;
    if (promptsPath !== '') {
      try {
        treeOid = (await git.readTree({ fs, dir, oid: commitTree, filepath: promptsPath, cache })).oid;
      } catch {
        return { files: new Map(), tree: new Map(), treeOid: '' };
      }
    }
    const tree = await listTree(treeOid);
    const files: FileMap = new Map();
    for (const [file, entry] of tree) if (file.endsWith(PROMPT_FILE_EXTENSION)) files.set(file, entry.oid);
    return { files, tree, treeOid };
  }

  async function text(blobOid: string): Promise<string> {
    let content = blobs.get(blobOid);
    if (content === undefined) {
      const { blob } = await git.readBlob({ fs, dir, oid: blobOid, cache });
      content = new TextDecoder().decode(blob);
      blobs.set(blobOid, content);
    }
    return content;
  }
  const blobReader: BlobReader = { cached: (oid) => blobs.get(oid), load: text };

  const steps = new Map<string, Promise<ChainStep>>();
  function stepOf(oid: string): Promise<ChainStep> {
    let step = steps.get(oid);
    if (step === undefined) {
      step = git
        .readCommit({ fs, dir, oid, cache })
        .then(async ({ commit }) => ({ sha: oid, commit, ...(await promptsFolderAt(commit.tree)) }));
      steps.set(oid, step);
    }
    return step;
  }

  const stateOf = createFileStates(blobReader);

  const histories: PromptHistory[] = [];
  const headFiles = (await stepOf(head)).files;
  for (const headPath of [...headFiles.keys()].sort()) {
    const slug = slugOf(headPath);
    if (slug === null) continue;
    const versions: PromptFileVersion[] = [];
    const renames: PromptRename[] = [];
    const seen = new Set<string>();
    let current: string | null = headPath;
    let oid: string | undefined = head;
    while (oid !== undefined && current !== null && !seen.has(oid)) {
      seen.add(oid);
      const step: ChainStep = await stepOf(oid);
      const blob: string | undefined = step.files.get(current);
      if (blob === undefined) break;
      const state = await stateOf(step, current, blob);
      const parents = await Promise.all(step.commit.parent.map(stepOf));
      // As git's history simplification: a parent where the prompt loads the same (same content, same
      // files read) means this commit (often a merge) did not change it; follow that parent.
      let unchangedIn: ChainStep | undefined;
      for (const candidate of parents) {
        if (candidate.files.get(current) !== blob) continue;
        if ((await stateOf(candidate, current, blob)).identity !== state.identity) continue;
        unchangedIn = candidate;
        break;
      }
      if (unchangedIn !== undefined) {
        oid = unchangedIn.sha;
        continue;
      }
      const parent: ChainStep | undefined = parents[0];
      const before: string | undefined = parent?.files.get(current);
      const source: string | null =
        parent !== undefined && before === undefined
          ? await renameSource(step.files, parent.files, blob)
          : null;
      if (source !== null) {
        renames.push({ from: slugOf(source) ?? source, to: slugOf(current) ?? current, commitSha: step.sha });
      }
      const priorPath: string | null = before === undefined ? source : current;
      const priorBlob = priorPath === null ? undefined : parent?.files.get(priorPath);
      const prior =
        parent === undefined || priorPath === null || priorBlob === undefined
          ? null
          : await stateOf(parent, priorPath, priorBlob);
      // A new version when the content changed, or when only a file it reads did (a pure rename
      // that reads the same files is not one).
      if (prior === null || prior.identity !== state.identity) {
        versions.push(await versionAt(step, slug, current, blob, state.dependencies));
      }
      current = priorPath;
      oid = parent?.sha;
    }
    histories.push({ slug, versions: versions.reverse(), renames: renames.reverse() });
  }
  return { head, prompts: histories };

  async function versionAt(
    step: ChainStep,
    slug: string,
    filePath: string,
    blob: string,
    dependencies: Dependencies,
  ): Promise<PromptFileVersion> {
    const content = await text(blob);
    const pathSlug = slugOf(filePath);
    const { author, message } = step.commit;
    return {
      slug,
      path: filePath,
      renamedFrom: pathSlug !== null && pathSlug !== slug ? pathSlug : null,
      commitSha: step.sha,
      contentHash: sha256Hex(content),
      content,
      dependencies,
      authorName: author.name,
      authorEmail: author.email,
      committedAt: new Date(author.timestamp * 1000),
      message: message.trim(),
    };
  }

  async function renameSource(files: FileMap, parentFiles: FileMap, blob: string): Promise<string | null> {
    const deleted = [...parentFiles].filter(([file]) => !files.has(file));
    const exact = deleted.find(([, oid]) => oid === blob);
    if (exact !== undefined) return exact[0];
    const content = await text(blob);
    let best: { file: string; score: number } | null = null;
    for (const [file, oid] of deleted) {
      const score = similarity(await text(oid), content);
      if (score >= RENAME_SIMILARITY && (best === null || score > best.score)) best = { file, score };
    }
    return best?.file ?? null;
  }
}
