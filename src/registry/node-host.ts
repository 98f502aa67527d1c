import fs from 'node:fs';
import type { PromptyHost } from '../prompty/index.js';

/**
 * The PromptyHost backed by the real file system: the one place where the pure prompty engine
 * reaches disk (`${file:}` references, `base:` chains, `prompty.json`, v1 local images).
 */
export function createNodePromptyHost(): PromptyHost {
  return {
    readText: (absolutePath) => fs.readFileSync(absolutePath, 'utf8'),
    readBytes: (absolutePath) => new Uint8Array(fs.readFileSync(absolutePath)),
    realpath: (absolutePath) => fs.realpathSync.native(absolutePath),
    exists: (absolutePath) => fs.existsSync(absolutePath),
  };
}
