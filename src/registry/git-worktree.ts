import fs from 'node:fs';
import path from 'node:path';
import git from 'isomorphic-git';
import { PROMPT_FILE_EXTENSION } from './slug.js';
import { VersioningError } from './versioning-errors.js';

/** Where the prompts folder sits in its git repository. */
export interface GitLocation {
  /** The repository's working tree root. */
  repoDir: string;
  /** The prompts folder relative to `repoDir`, with `/` separators (`''` when it is the root). */
  promptsPath: string;
}

/**
 * Finds the git repository holding `promptsDir` (searching upwards from it, or in `repoDir`).
 * @throws VersioningError `registry.git_unavailable` when there is none.
 */
export async function locatePrompts(promptsDir: string, repoDir?: string): Promise<GitLocation> {
  const absolute = fs.realpathSync(path.resolve(promptsDir));
  let root: string;
  try {
    root = fs.realpathSync(repoDir ?? (await git.findRoot({ fs, filepath: absolute })));
  } catch (error) {
    throw new VersioningError('registry.git_unavailable', `No git repository holds ${absolute}.`, {
      cause: error,
      details: { path: absolute },
    });
  }
  const relative = path.relative(root, absolute);
  if (relative.startsWith('..') || path.isAbsolute(relative)) {
    throw new VersioningError(
      'registry.git_unavailable',
      `${absolute} is not inside the repository ${root}.`,
      {
        details: { path: absolute, repo: root },
      },
    );
  }
  return { repoDir: root, promptsPath: relative.split(path.sep).join('/') };
}

/**
 * Prompt files under the prompts folder that differ from HEAD (modified, added, untracked or
 * deleted), and those of `alsoFiles` (paths under the folder, such as files prompts read) that do.
 */
export async function findDirtyPrompts(
  location: GitLocation,
  alsoFiles: Iterable<string> = [],
): Promise<string[]> {
  const { repoDir: dir, promptsPath } = location;
  const prefix = promptsPath === '' ? '' : `${promptsPath}/`;
  const extra = new Set([...alsoFiles].map((file) => prefix + file));
  const matrix = await git.statusMatrix({
    fs,
    dir,
    ...(promptsPath === '' ? {} : { filepaths: [promptsPath] }),
    filter: (file) => file.endsWith(PROMPT_FILE_EXTENSION) || extra.has(file),
  });
  return matrix
    .filter(([, headStatus, workdirStatus]) => !(headStatus === 1 && workdirStatus === 1))
    .map(([file]) => file.slice(prefix.length))
    .sort();
}

/** `Name <email>` from the repository's git config, or null when it has none. */
export async function readGitIdentity(dir: string): Promise<string | null> {
  try {
    const root = await git.findRoot({ fs, filepath: path.resolve(dir) });
    const name = await git.getConfig({ fs, dir: root, path: 'user.name' });
    const email = await git.getConfig({ fs, dir: root, path: 'user.email' });
    if (typeof name !== 'string' || name === '') return null;
    return typeof email === 'string' && email !== '' ? `${name} <${email}>` : name;
  } catch {
    return null;
  }
}
