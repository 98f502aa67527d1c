import { createHash } from 'node:crypto';
import { dirname, isAbsolute, normalize } from 'node:path';
import { err, ok, type Result } from '../errors/index.js';
import { applyBaseChain } from './base-chain.js';
import { PromptyError } from './errors.js';
import { type Locator, parseFrontMatter, splitFrontMatter } from './front-matter.js';
import { detectGeneration } from './generation.js';
import { loadGlobalConfiguration } from './global-config.js';
import type { PromptyHost } from './host.js';
import type { Generation, LoadWarning, Prompty } from './model.js';
import { normalizeBeta } from './normalize-beta.js';
import type { NormalizeContext, NormalizedFrontMatter } from './normalize-shared.js';
import { normalizeV1 } from './normalize-v1.js';
import { normalizeV2 } from './normalize-v2.js';
import { envNotSetError, type MissingEnv, resolveReferences } from './references.js';

/** How to load one .prompty text. All I/O goes through `host`; nothing reads `process.env`. */
export interface LoadOptions {
  /** Absolute path of the file; needed for `${file:}`, `base:` and `prompty.json`. */
  path?: string | undefined;
  /** No referenced file may resolve outside this folder. @default dirname(path) */
  root?: string | undefined;
  /** File access for references, `base:` and `prompty.json`. */
  host?: PromptyHost | undefined;
  /** Variables for `${env:NAME}`; the caller decides what the prompt may see. @default {} */
  env?: Record<string, string | undefined> | undefined;
  /** Key of the v1 `prompty.json` entry merged under `model.connection`. @default 'default' */
  configuration?: string | undefined;
  /** Skips detection and reads the file as this generation. */
  generation?: Generation | undefined;
}

interface ResolvedDocument {
  data: Record<string, unknown>;
  body: string;
  bodyLine: number;
  generation: Generation;
  locate: Locator;
  templates: Record<string, string>;
}

/**
 * Loads a .prompty file of any generation into the v2-shaped {@link Prompty}. Throws
 * {@link PromptyError} on a broken file; unknown fields are kept and reported in `warnings`.
 *
 * @example
 * const prompt = loadPrompty(text, { path: '/prompts/acme/triage.prompty', host, env: { KEY: 'x' } });
 */
export function loadPrompty(text: string, options: LoadOptions = {}): Prompty {
  const path = options.path === undefined ? undefined : absolutePath(options.path, 'path');
  const root = options.root === undefined ? undefined : absolutePath(options.root, 'root');
  const document = resolveDocument(text, { ...options, path, root }, new Set());
  const warnings: LoadWarning[] = [];
  const context: NormalizeContext = { file: path, locate: document.locate, warnings };
  const front = normalizeFrontMatter(document, context);
  const { instructions, ...rest } = front;
  const templates = document.templates;
  return {
    ...rest,
    instructions: document.body !== '' ? document.body : (instructions ?? ''),
    generation: document.generation,
    warnings,
    source: {
      ...(path === undefined ? {} : { path }),
      contentHash: createHash('sha256').update(text).digest('hex'),
      bodyLine: document.bodyLine,
      ...(Object.keys(templates).length > 0 ? { templates } : {}),
    },
  };
}

/** {@link loadPrompty} returning a {@link Result} instead of throwing PromptyErrors. */
export function safeLoadPrompty(text: string, options: LoadOptions = {}): Result<Prompty, PromptyError> {
  try {
    return ok(loadPrompty(text, options));
  } catch (error) {
    if (error instanceof PromptyError) return err(error);
    throw error;
  }
}

/** Reads `path` through `options.host` and loads it; a missing file is `prompty.file_not_found`. */
export function loadPromptyFile(path: string, options: LoadOptions & { host: PromptyHost }): Prompty {
  const absolute = absolutePath(path, 'path');
  if (!options.host.exists(absolute)) {
    throw new PromptyError('prompty.file_not_found', `FileNotFoundError: ${absolute} does not exist`, {
      details: { file: absolute },
    });
  }
  return loadPrompty(options.host.readText(absolute), { ...options, path: absolute });
}

/** Paths must be absolute: resolving a relative one would read the process's working directory. */
function absolutePath(path: string, option: string): string {
  if (!isAbsolute(path)) {
    throw new PromptyError(
      'prompty.unsupported',
      `LoadOptions.${option} must be an absolute path, got '${path}'`,
      {
        details: { path: option },
      },
    );
  }
  return normalize(path);
}

function normalizeFrontMatter(document: ResolvedDocument, context: NormalizeContext): NormalizedFrontMatter {
  switch (document.generation) {
    case 'v2':
      return normalizeV2(document.data, context);
    case 'v1.0-beta':
      return normalizeBeta(document.data, context);
    case 'v1':
    case 'promptflow':
      return normalizeV1(document.data, document.generation, context);
  }
}

/** Split, parse, resolve references, merge `prompty.json` and the `base:` chain; no normalising yet. */
function resolveDocument(text: string, options: LoadOptions, visited: Set<string>): ResolvedDocument {
  const { path, host } = options;
  const split = splitFrontMatter(text);
  const parsed = parseFrontMatter(split, path);
  const promptDir = path === undefined ? undefined : dirname(path);
  const root = options.root ?? promptDir;
  const env = options.env ?? {};
  const missingEnv: MissingEnv[] = [];
  // Resolve first and detect on the result: a `${file:}` may hold the fields that tell generations apart.
  let data = resolveReferences(parsed.data, {
    env,
    host,
    baseDir: promptDir,
    root,
    onMissingEnv: 'keep',
    missingEnv,
    file: path,
  }) as Record<string, unknown>;
  const generation = options.generation ?? detectGeneration(data, split.body);
  const unset = missingEnv[0];
  // promptflow kept an unset `${env:X}` as the literal text (research §2.2); later generations refuse it.
  if (unset && generation !== 'promptflow') throw envNotSetError(unset.variable, unset.path, path);
  if (generation === 'v1' && host && promptDir !== undefined && root !== undefined) {
    const global = loadGlobalConfiguration({
      host,
      promptDir,
      root,
      configuration: options.configuration,
      env,
      file: path,
    });
    if (global) data = mergeGlobalConfiguration(data, global);
  }
  let templates: Record<string, string> = {};
  const base = data.base;
  if (typeof base === 'string' && (generation === 'v1' || generation === 'v1.0-beta')) {
    if (!host || root === undefined || path === undefined) {
      throw new PromptyError('prompty.unsupported', `'base: ${base}' needs the prompt's path and a host`, {
        details: { path: 'base' },
      });
    }
    const chain = applyBaseChain(base, data, split.body, {
      host,
      path,
      root,
      visited,
      locate: parsed.locate,
      loadParent: (parentPath, seen) =>
        resolveDocument(host.readText(parentPath), { ...options, path: parentPath, generation }, seen),
    });
    data = chain.data;
    templates = chain.templates;
  }
  return { data, body: split.body, bodyLine: split.bodyLine, generation, locate: parsed.locate, templates };
}

/** prompty.json sits UNDER the file: the file's own configuration fields win. */
function mergeGlobalConfiguration(
  data: Record<string, unknown>,
  global: Record<string, unknown>,
): Record<string, unknown> {
  const model = (typeof data.model === 'object' && data.model !== null ? data.model : {}) as Record<
    string,
    unknown
  >;
  const own =
    typeof model.configuration === 'object' && model.configuration !== null ? model.configuration : {};
  return { ...data, model: { ...model, configuration: { ...global, ...own } } };
}
