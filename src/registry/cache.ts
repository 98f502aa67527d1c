import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { Prompty } from '../prompty/index.js';

export interface PromptFileCacheOptions {
  /** Parses a file's text; called only when the content hash changed. */
  load: (text: string, absolutePath: string) => Prompty;
  /**
   * How long a checked file is trusted before its mtime and size are looked at again.
   * 0 checks on every read, so an edit is seen by the very next render.
   * @default 0
   */
  revalidateAfterMs?: number;
  /** Most files kept; the least recently used goes first. @default 1000 */
  maxEntries?: number;
  /** Clock, for tests. @default Date.now */
  now?: () => number;
}

/** A parsed prompt and the sha256 (hex) of the text it was parsed from. */
export interface CachedPrompt {
  prompt: Prompty;
  contentHash: string;
}

interface Entry extends CachedPrompt {
  mtimeMs: number;
  size: number;
  checkedAt: number;
}

/** Parsed prompts by file, reloaded when the file changes. */
export interface PromptFileCache {
  /** The parsed prompt in `absolutePath`, parsing it again only when its content changed. */
  get(absolutePath: string): CachedPrompt;
  /** Forgets one file, or everything. */
  invalidate(absolutePath?: string): void;
  /** How many files are cached. */
  readonly size: number;
  /** How many times `load` ran: a measure of cache misses. */
  readonly loads: number;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * A cache keyed by path and validated in two steps: a cheap stat (mtime and size), then the
 * sha256 of the text when the stat changed, so a touched but unchanged file is not parsed again.
 */
export function createPromptFileCache(options: PromptFileCacheOptions): PromptFileCache {
  const revalidateAfterMs = options.revalidateAfterMs ?? 0;
  const maxEntries = options.maxEntries ?? 1000;
  const now = options.now ?? Date.now;
  if (!(revalidateAfterMs >= 0)) throw new RangeError('revalidateAfterMs must be >= 0');
  if (!(maxEntries >= 1)) throw new RangeError('maxEntries must be >= 1');
  const entries = new Map<string, Entry>();
  let loads = 0;

  function remember(absolutePath: string, entry: Entry): CachedPrompt {
    entries.delete(absolutePath);
    entries.set(absolutePath, entry);
    if (entries.size > maxEntries) {
      const oldest = entries.keys().next().value;
      if (oldest !== undefined) entries.delete(oldest);
    }
    return entry;
  }

  return {
    get(absolutePath) {
      const entry = entries.get(absolutePath);
      const time = now();
      if (entry && revalidateAfterMs > 0 && time - entry.checkedAt < revalidateAfterMs) return entry;
      const stat = fs.statSync(absolutePath);
      if (entry && stat.mtimeMs === entry.mtimeMs && stat.size === entry.size) {
        entry.checkedAt = time;
        return entry;
      }
      const text = fs.readFileSync(absolutePath, 'utf8');
      const contentHash = sha256Hex(text);
      if (entry && entry.contentHash === contentHash) {
        return remember(absolutePath, { ...entry, mtimeMs: stat.mtimeMs, size: stat.size, checkedAt: time });
      }
      loads += 1;
      const prompt = options.load(text, absolutePath);
      return remember(absolutePath, {
        mtimeMs: stat.mtimeMs,
        size: stat.size,
        checkedAt: time,
        contentHash,
        prompt,
      });
    },
    invalidate(absolutePath) {
      if (absolutePath === undefined) entries.clear();
      else entries.delete(absolutePath);
    },
    get size() {
      return entries.size;
    },
    get loads() {
      return loads;
    },
  };
}
