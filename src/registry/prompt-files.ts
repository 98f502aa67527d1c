import fs from 'node:fs';
import path from 'node:path';
import { isInside, PROMPT_FILE_EXTENSION } from './slug.js';

/** Folders never searched for prompts. */
const SKIPPED_FOLDERS = new Set(['node_modules']);

/**
 * Every `.prompty` file under `root`, sorted. Hidden and `node_modules` folders are skipped, and a
 * symlink is followed only when its target stays inside `root` (a link out of the root is refused).
 */
export function findPromptFiles(root: string): string[] {
  const realRoot = fs.realpathSync.native(root);
  const found: string[] = [];
  const visited = new Set<string>();

  function walk(folder: string): void {
    const realFolder = fs.realpathSync.native(folder);
    if (visited.has(realFolder)) return;
    visited.add(realFolder);
    const entries = fs.readdirSync(folder, { withFileTypes: true });
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const full = path.join(folder, entry.name);
      let isDirectory = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        const target = safeRealpath(full);
        if (target === null || !isInside(realRoot, target)) continue;
        const stat = fs.statSync(target);
        isDirectory = stat.isDirectory();
        isFile = stat.isFile();
      }
      if (isDirectory && !SKIPPED_FOLDERS.has(entry.name)) walk(full);
      else if (isFile && entry.name.endsWith(PROMPT_FILE_EXTENSION)) found.push(full);
    }
  }

  walk(root);
  return found.sort();
}

/** The real path, or null for a dangling link or a missing file. */
export function safeRealpath(filePath: string): string | null {
  try {
    return fs.realpathSync.native(filePath);
  } catch {
    return null;
  }
}
