import { dirname, isAbsolute, join, normalize, relative, sep } from 'node:path';
import { PromptyError } from './errors.js';
import type { PromptyHost } from './host.js';
import { resolveReferences } from './references.js';

/** Where to look for a v1 `prompty.json` and how to resolve its references. */
export interface GlobalConfigOptions {
  host: PromptyHost;
  /** The folder of the .prompty file; the search starts here. */
  promptDir: string;
  /** The search stops at this folder (inclusive) and never goes above it. */
  root: string;
  /** Key in prompty.json. @default 'default' */
  configuration?: string | undefined;
  env: Record<string, string | undefined>;
  file?: string | undefined;
}

/**
 * Finds the nearest v1 `prompty.json` between the prompt's folder and `root` and returns its
 * `configuration` entry with references resolved, or `undefined` (research §2.1 global config).
 */
export function loadGlobalConfiguration(options: GlobalConfigOptions): Record<string, unknown> | undefined {
  const root = normalize(options.root);
  let dir = normalize(options.promptDir);
  const fromRoot = relative(root, dir);
  if (fromRoot === '..' || fromRoot.startsWith(`..${sep}`) || isAbsolute(fromRoot)) return undefined;
  for (;;) {
    const candidate = join(dir, 'prompty.json');
    if (options.host.exists(candidate)) return readConfiguration(candidate, dir, options);
    if (dir === root || dirname(dir) === dir) return undefined;
    dir = dirname(dir);
  }
}

function readConfiguration(
  path: string,
  dir: string,
  options: GlobalConfigOptions,
): Record<string, unknown> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(options.host.readText(path));
  } catch (cause) {
    throw new PromptyError('prompty.invalid_field', `Cannot parse ${path}`, {
      cause,
      details: { ...(options.file === undefined ? {} : { file: options.file }), target: path },
    });
  }
  const key = options.configuration ?? 'default';
  const entry =
    typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>)[key] : undefined;
  if (entry === undefined || entry === null) return undefined;
  if (typeof entry !== 'object' || Array.isArray(entry)) {
    throw new PromptyError('prompty.invalid_field', `'${key}' in ${path} must be a mapping`, {
      details: { target: path, path: key },
    });
  }
  const resolved = resolveReferences(entry, {
    env: options.env,
    host: options.host,
    baseDir: dir,
    root: options.root,
    onMissingEnv: 'error',
    file: path,
  });
  return resolved as Record<string, unknown>;
}
