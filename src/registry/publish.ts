import fs from 'node:fs';
import path from 'node:path';
import { toErrorJson } from '../errors/index.js';
import { loadPrompty } from '../prompty/index.js';
import { appendAudit, type Db, insertVersions, type NewPromptVersion } from '../store/index.js';
import { sha256Hex } from './cache.js';
import {
  findDirtyPrompts,
  locatePrompts,
  type PromptHistory,
  type PromptRename,
  readPromptHistory,
} from './git-history.js';
import { createNodePromptyHost } from './node-host.js';
import { isValidSlug, PROMPT_FILE_EXTENSION, slugToPath } from './slug.js';
import {
  ANY_ENV,
  type Dependencies,
  loadVersionSnapshot,
  recordReads,
  versionIdentity,
} from './version-snapshot.js';
import { VersioningError } from './versioning-errors.js';

/** Length of a version id: git's usual short sha. */
export const SHORT_SHA_LENGTH = 7;

/** Options for {@link publishPrompts}. */
export interface PublishOptions {
  db: Db;
  /** The prompts folder (inside a git working tree). */
  promptsDir: string;
  /** The repository root, when it should not be searched upwards from `promptsDir`. */
  repoDir?: string | undefined;
  /** Who publishes, recorded in the audit log (`Name <email>`, or `--actor`). */
  actor: string;
  /** Publish uncommitted prompt files as draft versions instead of refusing. @default false */
  allowDirty?: boolean | undefined;
  /** Called once per slug that gained versions, after the commit (cache invalidation). */
  onChange?: ((slug: string) => Promise<void>) | undefined;
  /** Clock for drafts, for tests. @default () => new Date() */
  now?: (() => Date) | undefined;
}

/** One version a publish stored. */
export interface PublishedVersion {
  slug: string;
  version: string;
  renamedFrom: string | null;
  isDraft: boolean;
}

/** What a publish did. */
export interface PublishReport {
  /** The commit published. */
  head: string;
  /** Versions newly stored, oldest first per slug. */
  published: PublishedVersion[];
  /** Versions found in history that were already stored. */
  unchanged: number;
  /** Renames found in history; the earlier versions live under the new slug. */
  renames: PromptRename[];
  /**
   * Prompt files differing from HEAD, and files prompts read that do (published as drafts of the
   * prompts concerned with `allowDirty`).
   */
  dirty: string[];
  /** Newly stored versions that do not load; they are kept (history is history) but cannot be deployed. */
  invalid: { slug: string; version: string; code: string; message: string }[];
}

/**
 * The short sha naming a version: 7 characters, or 12 when two commits of the same prompt share
 * the first 7 (the whole history is published at once, so every collision is visible here).
 */
export function versionId(commitSha: string, siblings: readonly string[]): string {
  const short = commitSha.slice(0, SHORT_SHA_LENGTH);
  const collides = siblings.some((other) => other !== commitSha && other.startsWith(short));
  return collides ? commitSha.slice(0, 12) : short;
}

function splitActor(actor: string): { name: string; email: string } {
  const match = /^(.*?)\s*<([^>]*)>$/.exec(actor);
  return match ? { name: match[1] ?? actor, email: match[2] ?? '' } : { name: actor, email: '' };
}

/** What a prompt in the working tree reads, found by loading it from disk. */
function workingTreeDependencies(promptsRoot: string, file: string, content: string): Dependencies {
  const recorder = recordReads(createNodePromptyHost(), promptsRoot, file);
  try {
    loadPrompty(content, {
      path: path.join(promptsRoot, file),
      root: promptsRoot,
      host: recorder.host,
      env: ANY_ENV,
    });
  } catch {
    // A draft that does not load is still stored, with what it read; publish reports it as invalid.
  }
  return recorder.reads();
}

/** Prompts with uncommitted changes: dirty prompt files, and prompts at HEAD reading a dirty file. */
function draftSlugs(dirty: readonly string[], prompts: readonly PromptHistory[]): string[] {
  const slugs = new Set(
    dirty
      .filter((file) => file.endsWith(PROMPT_FILE_EXTENSION))
      .map((file) => file.slice(0, -PROMPT_FILE_EXTENSION.length)),
  );
  for (const history of prompts) {
    const dependencies = history.versions.at(-1)?.dependencies ?? {};
    if (dirty.some((file) => Object.hasOwn(dependencies, file))) slugs.add(history.slug);
  }
  return [...slugs].sort();
}

function draftRows(promptsRoot: string, slugs: string[], actor: string, at: Date): NewPromptVersion[] {
  const author = splitActor(actor);
  return slugs.flatMap((slug): NewPromptVersion[] => {
    if (!isValidSlug(slug)) return [];
    const absolute = slugToPath(promptsRoot, slug);
    if (!fs.existsSync(absolute)) return [];
    const file = slug + PROMPT_FILE_EXTENSION;
    const content = fs.readFileSync(absolute, 'utf8');
    const dependencies = workingTreeDependencies(promptsRoot, file, content);
    return [
      {
        slug,
        version: `draft-${versionIdentity(content, dependencies).slice(0, 12)}`,
        commitSha: null,
        contentHash: sha256Hex(content),
        content,
        dependencies,
        path: file,
        renamedFrom: null,
        authorName: author.name,
        authorEmail: author.email,
        committedAt: at,
        message: 'uncommitted draft (published with --allow-dirty)',
        isDraft: true,
      },
    ];
  });
}

/**
 * Imports the git history of every prompt in the prompts folder into the database as immutable
 * versions (`opm publish`). Idempotent: versions already stored are left alone, and a run that adds
 * nothing writes no audit row. Each slug that gained versions gets one `publish` audit row.
 * Each version carries the files it read at its commit (`${file:}`, `base:`, `prompty.json`, inside
 * the prompts folder only), so workers load it without a checkout; a commit that changes only such
 * a file is a new version of every prompt reading it.
 * @throws VersioningError `registry.dirty_tree` when prompt files, or files prompts read, have
 *   uncommitted changes and `allowDirty` is off; `registry.git_unavailable` without a repository or a commit.
 */
export async function publishPrompts(options: PublishOptions): Promise<PublishReport> {
  const location = await locatePrompts(options.promptsDir, options.repoDir);
  const { head, prompts } = await readPromptHistory(location);
  const readAtHead = prompts.flatMap((history) => Object.keys(history.versions.at(-1)?.dependencies ?? {}));
  const dirty = await findDirtyPrompts(location, readAtHead);
  if (dirty.length > 0 && options.allowDirty !== true) {
    throw new VersioningError(
      'registry.dirty_tree',
      `Uncommitted changes to ${dirty.length} prompt file(s) or file(s) prompts read: ${dirty.join(', ')}. ` +
        'Commit them first, or publish them as drafts with --allow-dirty.',
      { details: { files: dirty } },
    );
  }
  const rows: NewPromptVersion[] = prompts.flatMap((history) =>
    history.versions.map((version) => ({
      slug: version.slug,
      version: versionId(
        version.commitSha,
        history.versions.map((other) => other.commitSha),
      ),
      commitSha: version.commitSha,
      contentHash: version.contentHash,
      content: version.content,
      dependencies: version.dependencies,
      path: version.path,
      renamedFrom: version.renamedFrom,
      authorName: version.authorName,
      authorEmail: version.authorEmail,
      committedAt: version.committedAt,
      message: version.message,
      isDraft: false,
    })),
  );
  const promptsRoot = path.join(location.repoDir, ...location.promptsPath.split('/').filter(Boolean));
  if (options.allowDirty === true)
    rows.push(
      ...draftRows(
        promptsRoot,
        draftSlugs(dirty, prompts),
        options.actor,
        (options.now ?? (() => new Date()))(),
      ),
    );
  const renames = prompts.flatMap((history) => history.renames);
  const bySlug = new Map<string, PublishedVersion[]>();
  // Versions and their audit rows commit together, so a failed publish can simply be run again.
  const inserted = await options.db.transaction(async (tx) => {
    const stored = await insertVersions(tx, rows);
    for (const row of stored) {
      const list = bySlug.get(row.slug) ?? [];
      list.push({ slug: row.slug, version: row.version, renamedFrom: row.renamedFrom, isDraft: row.isDraft });
      bySlug.set(row.slug, list);
    }
    for (const [slug, versions] of bySlug) {
      const renamedFrom = renames.filter((rename) => rename.to === slug).map((rename) => rename.from);
      await appendAudit(tx, {
        actor: options.actor,
        action: 'publish',
        slug,
        label: null,
        before: null,
        after: { head, versions: versions.map((v) => v.version) },
        reason: renamedFrom.length > 0 ? `renamed from ${renamedFrom.join(', ')}; history kept` : null,
      });
    }
    return stored;
  });
  for (const slug of bySlug.keys()) await options.onChange?.(slug);
  const order = new Map(rows.map((row, index) => [`${row.slug}@${row.version}`, index]));
  const published = [...bySlug.values()]
    .flat()
    .sort((a, b) => (order.get(`${a.slug}@${a.version}`) ?? 0) - (order.get(`${b.slug}@${b.version}`) ?? 0));
  const invalid = inserted.flatMap((row) => {
    try {
      loadVersionSnapshot(row);
      return [];
    } catch (error) {
      const { code, message } = toErrorJson(error);
      return [{ slug: row.slug, version: row.version, code, message }];
    }
  });
  return { head, published, unchanged: rows.length - inserted.length, renames, dirty, invalid };
}
