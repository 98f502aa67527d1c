import path from 'node:path';
import { RegistryError } from './errors.js';

/** One slug segment: lowercase letters and digits, then also `-` and `_`. */
const SEGMENT_PATTERN = /^[a-z0-9][a-z0-9_-]*$/;

/** The extension a prompt file carries on disk; the slug is its path without it. */
export const PROMPT_FILE_EXTENSION = '.prompty';

/** Longest slug accepted; keeps keys, paths and log lines bounded. */
export const MAX_SLUG_LENGTH = 200;

/** Why a string is not a slug, or null when it is one. */
export function explainInvalidSlug(slug: string): string | null {
  if (slug.length === 0) return 'a slug cannot be empty';
  if (slug.length > MAX_SLUG_LENGTH) return `a slug is at most ${MAX_SLUG_LENGTH} characters`;
  if (slug.includes('\\')) return 'use "/" between segments, not "\\"';
  if (slug.startsWith('/') || /^[a-zA-Z]:/.test(slug)) return 'a slug is relative, not an absolute path';
  if (slug.endsWith(PROMPT_FILE_EXTENSION)) return `a slug has no "${PROMPT_FILE_EXTENSION}" extension`;
  for (const segment of slug.split('/')) {
    if (segment === '') return 'a slug has no empty segments (no leading, trailing or double "/")';
    if (segment === '.' || segment === '..') return 'a slug has no "." or ".." segments';
    if (segment !== segment.toLowerCase()) return 'a slug is lowercase';
    if (!SEGMENT_PATTERN.test(segment)) {
      return `segment "${segment}" must match [a-z0-9][a-z0-9-_]*`;
    }
  }
  return null;
}

/** True when `slug` follows the slug rules (`acme/support/triage`). */
export function isValidSlug(slug: string): boolean {
  return explainInvalidSlug(slug) === null;
}

/**
 * Returns `slug` unchanged when it is valid.
 * @throws RegistryError `registry.invalid_slug` naming the broken rule.
 */
export function assertValidSlug(slug: string): string {
  const reason = explainInvalidSlug(slug);
  if (reason !== null) {
    throw new RegistryError('registry.invalid_slug', `Invalid slug "${slug}": ${reason}.`, {
      details: { slug, reason },
    });
  }
  return slug;
}

/** The absolute file path a (valid) slug maps to under `root`. */
export function slugToPath(root: string, slug: string): string {
  assertValidSlug(slug);
  return path.join(path.resolve(root), ...slug.split('/')) + PROMPT_FILE_EXTENSION;
}

/**
 * The slug of a prompt file under `root`, or null when the file is outside `root`, is not a
 * `.prompty` file, or its path breaks the slug rules.
 */
export function pathToSlug(root: string, filePath: string): string | null {
  const relative = path.relative(path.resolve(root), path.resolve(filePath));
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return null;
  if (!relative.endsWith(PROMPT_FILE_EXTENSION)) return null;
  const slug = relative.slice(0, -PROMPT_FILE_EXTENSION.length).split(path.sep).join('/');
  return isValidSlug(slug) ? slug : null;
}

/** True when `child` is `parent` or lies inside it (both absolute, already real paths). */
export function isInside(parent: string, child: string): boolean {
  const relative = path.relative(parent, child);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}
