import fs from 'node:fs';
import path from 'node:path';
import { toErrorJson } from '../errors/index.js';
import { loadPrompty, type PromptyHost } from '../prompty/index.js';
import { type CachedPrompt, createPromptFileCache } from './cache.js';
import { RegistryError } from './errors.js';
import { nearestSlugs } from './nearest.js';
import { createNodePromptyHost } from './node-host.js';
import { findPromptFiles, safeRealpath } from './prompt-files.js';
import { assertValidSlug, isInside, PROMPT_FILE_EXTENSION, pathToSlug, slugToPath } from './slug.js';
import type { PromptRef, PromptSource, PromptSummary, ResolvedPrompt } from './source.js';

/** Shortest version prefix accepted, as with git abbreviations. */
const MIN_VERSION_PREFIX = 7;

export interface FileSourceOptions {
  /** The folder holding the prompts; a slug is a path under it without `.prompty`. */
  root: string;
  /** Values for `${env:VAR}` references. Pass `process.env` from the composition root. @default {} */
  env?: Record<string, string | undefined>;
  /**
   * How long a resolved slug is trusted before its file is looked at again (symlinks, mtime, size).
   * An edit is served at most this long after it is saved; 0 checks the file on every resolve.
   * @default 1000
   */
  revalidateAfterMs?: number;
  /** File access for the loader (`${file:}`, `base:`). @default createNodePromptyHost() */
  host?: PromptyHost;
  /** Clock for the revalidation window, for tests. @default Date.now */
  now?: () => number;
}

/** The file source, plus what only a folder of files can do. */
export interface FileSource extends PromptSource {
  /** The real (symlink-free) absolute path of the prompts root. */
  readonly root: string;
  /** Loads a prompt by file path, inside the root or not (for `opm render ./draft.prompty`). */
  resolvePath(filePath: string): Promise<ResolvedPrompt>;
}

function notFound(slug: string, root: string, known: string[]): RegistryError {
  const suggestions = nearestSlugs(slug, known);
  const hint = suggestions.length > 0 ? ` Did you mean ${suggestions.join(', ')}?` : '';
  return new RegistryError('registry.slug_not_found', `Prompt "${slug}" not found in ${root}.${hint}`, {
    details: { slug, root, suggestions },
  });
}

function summarise(slug: string, file: string, cached: CachedPrompt): PromptSummary {
  const { prompt } = cached;
  return {
    slug,
    name: prompt.name || slug,
    description: prompt.description ?? null,
    model: prompt.model.id ?? null,
    version: cached.contentHash,
    path: file,
    error: null,
  };
}

/**
 * A prompt source over a folder of `.prompty` files (`prompts/acme/support/triage.prompty` is
 * `acme/support/triage`). Parsed prompts are cached and reloaded when a file changes (seen within
 * `revalidateAfterMs`; a changed content hash is what triggers a new parse); the version
 * is the file's content hash. Labels are not supported: only `latest` (or none) is accepted.
 * @throws RegistryError `registry.root_not_found` when `root` is not a folder.
 */
export function createFileSource(options: FileSourceOptions): FileSource {
  const requestedRoot = path.resolve(options.root);
  const realRoot = safeRealpath(requestedRoot);
  if (realRoot === null || !fs.statSync(realRoot).isDirectory()) {
    throw new RegistryError('registry.root_not_found', `Prompts folder not found: ${requestedRoot}`, {
      details: { root: requestedRoot },
    });
  }
  const root: string = realRoot;
  const env = options.env ?? {};
  const revalidateAfterMs = options.revalidateAfterMs ?? 1000;
  const now = options.now ?? Date.now;
  if (!(revalidateAfterMs >= 0)) {
    throw new RangeError(`revalidateAfterMs must be a number >= 0, got ${options.revalidateAfterMs}`);
  }
  const host = options.host ?? createNodePromptyHost();
  const loadOptions = (file: string) => ({
    path: file,
    root: isInside(root, file) ? root : path.dirname(file),
    host,
    env,
  });
  const cache = createPromptFileCache({
    load: (text, file) => loadPrompty(text, loadOptions(file)),
    revalidateAfterMs,
    now,
  });
  // Slugs whose path was validated, resolved and found inside the root, with when that was checked.
  const locations = new Map<string, { real: string; checkedAt: number }>();

  /** The real path of a slug's file, refusing links out of the root; cached like the prompt. */
  function locate(slug: string): string {
    const known = locations.get(slug);
    const time = now();
    if (known && time - known.checkedAt < revalidateAfterMs) return known.real;
    assertValidSlug(slug);
    const real = safeRealpath(slugToPath(root, slug));
    if (real === null) {
      locations.delete(slug);
      throw notFound(slug, root, knownSlugs());
    }
    if (!isInside(root, real)) {
      throw new RegistryError(
        'registry.path_outside_root',
        `Prompt "${slug}" is a link to a file outside the prompts folder ${root}; refused.`,
        { details: { slug, root, path: real } },
      );
    }
    locations.set(slug, { real, checkedAt: time });
    return real;
  }

  function knownSlugs(): string[] {
    return findPromptFiles(root).flatMap((file) => pathToSlug(root, file) ?? []);
  }

  function toResolved(slug: string, cached: CachedPrompt, ref?: PromptRef): ResolvedPrompt {
    if (ref?.version !== undefined) {
      const wanted = ref.version.toLowerCase();
      if (wanted.length < MIN_VERSION_PREFIX || !cached.contentHash.startsWith(wanted)) {
        throw new RegistryError(
          'registry.version_not_found',
          `Prompt "${slug}" has no version "${ref.version}": the file source serves only its current content ` +
            `(version ${cached.contentHash.slice(0, 12)}; give at least ${MIN_VERSION_PREFIX} characters).`,
          { details: { slug, version: ref.version } },
        );
      }
    }
    return { slug, prompt: cached.prompt, version: cached.contentHash, label: null, variant: null };
  }

  return {
    root,
    async list() {
      return findPromptFiles(root).flatMap((file): PromptSummary[] => {
        const slug = pathToSlug(root, file);
        if (slug === null) return [];
        const real = safeRealpath(file) ?? file;
        try {
          return [summarise(slug, file, cache.get(real))];
        } catch (error) {
          const { code, message } = toErrorJson(error);
          return [
            {
              slug,
              name: slug,
              description: null,
              model: null,
              version: null,
              path: file,
              error: { code, message },
            },
          ];
        }
      });
    },
    async resolve(ref) {
      const slug = ref.slug;
      if (ref.label !== undefined && ref.label !== 'latest') {
        assertValidSlug(slug);
        throw new RegistryError(
          'registry.label_not_supported',
          `The file source has no labels: use "latest" or no label, not "${ref.label}" (prompt "${slug}").`,
          { details: { slug, label: ref.label } },
        );
      }
      return toResolved(slug, cache.get(locate(slug)), ref);
    },
    async resolvePath(filePath) {
      const absolute = path.resolve(filePath);
      const real = safeRealpath(absolute);
      if (real === null || !fs.statSync(real).isFile()) {
        throw new RegistryError('registry.slug_not_found', `Prompt file not found: ${absolute}`, {
          details: { path: absolute },
        });
      }
      const slug = pathToSlug(root, real) ?? path.basename(real, PROMPT_FILE_EXTENSION);
      return toResolved(slug, cache.get(real));
    },
    async close() {
      locations.clear();
      cache.invalidate();
    },
  };
}
