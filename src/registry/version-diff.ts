import { createTwoFilesPatch } from 'diff';
import type { Dependencies } from './version-snapshot.js';

/** A published version as {@link diffVersions} compares it. */
export interface DiffableVersion {
  version: string;
  content: string;
  message: string;
  dependencies: Dependencies;
}

/**
 * A unified diff between two versions of a prompt: its file first, then every file it reads that
 * differs (added, removed or edited), so a version made by an edit to a shared file shows that edit.
 */
export function diffVersions(slug: string, from: DiffableVersion, to: DiffableVersion): string {
  const subject = (version: DiffableVersion) => version.message.split('\n')[0];
  const patches = [
    createTwoFilesPatch(
      `${slug}@${from.version}`,
      `${slug}@${to.version}`,
      from.content,
      to.content,
      subject(from),
      subject(to),
    ),
  ];
  const files = [...new Set([...Object.keys(from.dependencies), ...Object.keys(to.dependencies)])].sort();
  for (const file of files) {
    const before = Object.hasOwn(from.dependencies, file) ? from.dependencies[file] : undefined;
    const after = Object.hasOwn(to.dependencies, file) ? to.dependencies[file] : undefined;
    if (before === after) continue;
    patches.push(
      createTwoFilesPatch(
        before === undefined ? '/dev/null' : `${file}@${from.version}`,
        after === undefined ? '/dev/null' : `${file}@${to.version}`,
        before ?? '',
        after ?? '',
        `read by ${slug}`,
        `read by ${slug}`,
      ),
    );
  }
  return patches.join('');
}
