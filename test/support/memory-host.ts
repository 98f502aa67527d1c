import { posix } from 'node:path';
import type { PromptyHost } from '../../src/prompty/host.js';

/** Files by absolute path; strings are UTF-8 text. */
export type MemoryFiles = Record<string, string | Uint8Array>;

export interface MemoryHostOptions {
  /** Symlinks by absolute path → absolute target (files or folders). */
  symlinks?: Record<string, string>;
}

/** Follows symlinks component by component, as realpath(3) does. */
function realpathOf(path: string, symlinks: Record<string, string>): string {
  const parts = posix.resolve(path).split('/').filter(Boolean);
  let current = '/';
  for (let index = 0; index < parts.length; index++) {
    current = posix.join(current, parts[index] ?? '');
    let hops = 0;
    while (symlinks[current] !== undefined) {
      if (++hops > 40) throw new Error(`ELOOP: ${path}`);
      current = posix.resolve(posix.dirname(current), symlinks[current] ?? '');
    }
  }
  return current;
}

/**
 * An in-memory {@link PromptyHost} for tests: a dictionary of files plus optional symlinks.
 * Folders exist implicitly when a file lives under them.
 */
export function createMemoryHost(files: MemoryFiles, options: MemoryHostOptions = {}): PromptyHost {
  const symlinks = options.symlinks ?? {};
  const lookup = (path: string): string | Uint8Array | undefined => files[realpathOf(path, symlinks)];
  const missing = (path: string) =>
    Object.assign(new Error(`ENOENT: no such file, open '${path}'`), { code: 'ENOENT' });
  return {
    readText(path) {
      const content = lookup(path);
      if (content === undefined) throw missing(path);
      return typeof content === 'string' ? content : new TextDecoder().decode(content);
    },
    readBytes(path) {
      const content = lookup(path);
      if (content === undefined) throw missing(path);
      return typeof content === 'string' ? new TextEncoder().encode(content) : content;
    },
    realpath: (path) => realpathOf(path, symlinks),
    exists(path) {
      const real = realpathOf(path, symlinks);
      return files[real] !== undefined || Object.keys(files).some((file) => file.startsWith(`${real}/`));
    },
  };
}
