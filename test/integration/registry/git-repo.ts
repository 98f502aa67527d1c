import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import git from 'isomorphic-git';
import { publishPrompts } from '../../../src/registry/index.js';
import type { Db } from '../../../src/store/index.js';

/** A commit author and the commit time (seconds since the epoch). */
export interface TestAuthor {
  name: string;
  email: string;
}

export const ALICE: TestAuthor = { name: 'Alice Author', email: 'alice@example.com' };
export const BOB: TestAuthor = { name: 'Bob Builder', email: 'bob@example.com' };

/** A throw-away git repository whose prompts live in `prompts/`, built without a git binary. */
export interface TestRepo {
  dir: string;
  promptsDir: string;
  /** Writes a prompt file (path under `prompts/`) in the working tree. */
  write(file: string, text: string): void;
  /**
   * Stages every change (additions, edits, deletions) and commits; returns the sha. `ref` commits to
   * another branch without checking it out; `parents` makes a merge commit.
   */
  commit(
    message: string,
    author: TestAuthor,
    timestamp: number,
    options?: { ref?: string; parents?: string[] },
  ): Promise<string>;
  /** Moves a prompt file in the working tree. */
  rename(from: string, to: string): void;
  remove(): void;
}

export function createTestRepo(): TestRepo {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'opm-repo-')));
  const promptsDir = path.join(dir, 'prompts');
  fs.mkdirSync(promptsDir, { recursive: true });
  let initialised: Promise<void> | undefined;
  const init = () => {
    initialised ??= git.init({ fs, dir, defaultBranch: 'main' });
    return initialised;
  };
  return {
    dir,
    promptsDir,
    write(file, text) {
      const absolute = path.join(promptsDir, file);
      fs.mkdirSync(path.dirname(absolute), { recursive: true });
      fs.writeFileSync(absolute, text);
    },
    rename(from, to) {
      const target = path.join(promptsDir, to);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.renameSync(path.join(promptsDir, from), target);
    },
    async commit(message, author, timestamp, options = {}) {
      await init();
      const matrix = await git.statusMatrix({ fs, dir });
      for (const [file, , workdir] of matrix) {
        if (workdir === 0) await git.remove({ fs, dir, filepath: file });
        else await git.add({ fs, dir, filepath: file });
      }
      return git.commit({
        fs,
        dir,
        message,
        author: { ...author, timestamp, timezoneOffset: 0 },
        committer: { ...author, timestamp, timezoneOffset: 0 },
        ...(options.ref === undefined ? {} : { ref: options.ref }),
        ...(options.parents === undefined ? {} : { parent: options.parents }),
      });
    },
    remove() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A small valid prompt whose system line is `system`, with one input `ticket`. */
export function promptText(system: string, model = 'test-model', provider = 'fake'): string {
  return [
    '---',
    'name: triage',
    'model:',
    `  id: ${model}`,
    `  provider: ${provider}`,
    'inputs:',
    '  - name: ticket',
    '    kind: string',
    '---',
    'system:',
    system,
    '',
    'user:',
    '{{ticket}}',
    '',
  ].join('\n');
}

/** Two published versions of one prompt, and the repository they came from (the caller removes it). */
export interface PublishedVersions {
  repo: TestRepo;
  /** Short shas, oldest first. */
  versions: [string, string];
}

/**
 * Commits `slug` twice in a new repository (`Version one.` by Alice, then `Version two.` by Bob) and
 * publishes both.
 */
export async function publishTwoVersions(
  db: Db,
  slug: string,
  model?: string,
  provider?: string,
): Promise<PublishedVersions> {
  const repo = createTestRepo();
  try {
    repo.write(`${slug}.prompty`, promptText('Version one.', model, provider));
    const v1 = (await repo.commit('v1', ALICE, 1_700_000_000)).slice(0, 7);
    repo.write(`${slug}.prompty`, promptText('Version two.', model, provider));
    const v2 = (await repo.commit('v2', BOB, 1_700_000_100)).slice(0, 7);
    await publishPrompts({ db, promptsDir: repo.promptsDir, actor: 'publisher' });
    return { repo, versions: [v1, v2] };
  } catch (error) {
    repo.remove();
    throw error;
  }
}
