/**
 * Everything the pure prompty loader needs from the outside world. The loader never touches the
 * file system or the environment itself; the registry hands in a node implementation and tests
 * hand in an in-memory one.
 */
export interface PromptyHost {
  /** UTF-8 text of a file. Throws when the file does not exist. */
  readText(absolutePath: string): string;
  /** Raw bytes of a file (local images in v1 markdown). Throws when the file does not exist. */
  readBytes(absolutePath: string): Uint8Array;
  /** The canonical path with every symlink resolved, used for containment checks. */
  realpath(absolutePath: string): string;
  /** Whether a file or folder exists at that path. */
  exists(absolutePath: string): boolean;
}
