import { dirname, extname, isAbsolute, normalize, relative, resolve, sep } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { PromptyError } from './errors.js';
import type { PromptyHost } from './host.js';

/** What `${env:}` and `${file:}` resolution needs, all injected. */
export interface ReferenceContext {
  env: Record<string, string | undefined>;
  host?: PromptyHost | undefined;
  /** Folder that relative `${file:}` paths start from (the prompt's folder). */
  baseDir?: string | undefined;
  /** No resolved file may live outside this folder (after symlinks). */
  root?: string | undefined;
  /**
   * `error` (v1, v2) raises `prompty.env_not_set`; `keep` (promptflow) leaves the literal
   * `${env:X}` in place, as promptflow did.
   */
  onMissingEnv: 'error' | 'keep';
  /** With `keep`, every unset variable is also recorded here, so a caller can decide later. */
  missingEnv?: MissingEnv[] | undefined;
  /** The .prompty file, for error details. */
  file?: string | undefined;
}

/** An `${env:}` reference whose variable was unset and had no default. */
export interface MissingEnv {
  variable: string;
  path: string;
}

/** The `prompty.env_not_set` error for an unset variable at a front-matter path. */
export function envNotSetError(variable: string, path: string, file: string | undefined): PromptyError {
  return new PromptyError(
    'prompty.env_not_set',
    `Environment variable '${variable}' not set for key '${path}' (use \${env:${variable}:default} to give a default)`,
    { details: { ...(file === undefined ? {} : { file }), path, variable } },
  );
}

const ENV_REF = /^\$\{env:([^:}]+)(?::([\s\S]*))?\}$/;
const FILE_REF = /^\$\{file:([\s\S]+)\}$/;

/**
 * Resolves whole-string `${env:NAME}`, `${env:NAME:default}` and `${file:relative}` values
 * anywhere in a tree (mappings and lists). Data loaded from a file is resolved in turn, relative
 * to that file's folder. Other strings, including `${other:x}`, are left unchanged.
 */
export function resolveReferences(value: unknown, context: ReferenceContext, path = ''): unknown {
  return resolveValue(value, context, path, []);
}

function resolveValue(value: unknown, context: ReferenceContext, path: string, stack: string[]): unknown {
  if (typeof value === 'string') return resolveString(value, context, path, stack);
  if (Array.isArray(value)) {
    return value.map((item, index) => resolveValue(item, context, `${path}[${index}]`, stack));
  }
  if (value !== null && typeof value === 'object') {
    // fromEntries defines own properties, so a `__proto__` key never reaches a prototype.
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        resolveValue(item, context, path ? `${path}.${key}` : key, stack),
      ]),
    );
  }
  return value;
}

function resolveString(value: string, context: ReferenceContext, path: string, stack: string[]): unknown {
  const env = ENV_REF.exec(value);
  if (env) {
    const name = env[1] ?? '';
    const fallback = env[2];
    const found = context.env[name];
    if (found !== undefined) return found;
    if (fallback !== undefined) return fallback;
    if (context.onMissingEnv === 'error') throw envNotSetError(name, path, context.file);
    context.missingEnv?.push({ variable: name, path });
    return value;
  }
  const file = FILE_REF.exec(value);
  if (file) return loadReferencedFile(file[1] ?? '', context, path, stack);
  return value;
}

function loadReferencedFile(
  reference: string,
  context: ReferenceContext,
  path: string,
  stack: string[],
): unknown {
  const { host, baseDir } = context;
  if (!host || baseDir === undefined) {
    throw new PromptyError(
      'prompty.unsupported',
      `Cannot resolve \${file:${reference}} at '${path}': the prompt was loaded without a file path and host`,
      { details: { ...fileDetail(context), path } },
    );
  }
  const target = resolveContainedPath(reference, { host, baseDir, root: context.root ?? baseDir }, () => ({
    ...fileDetail(context),
    path,
  }));
  if (stack.includes(target)) {
    throw new PromptyError(
      'prompty.invalid_field',
      `\${file:${reference}} at '${path}' refers back to itself`,
      {
        details: { ...fileDetail(context), path },
      },
    );
  }
  const text = host.readText(target);
  const data = parseFileContent(text, target, context, path);
  return resolveValue(data, { ...context, baseDir: dirname(target) }, path, [...stack, target]);
}

function parseFileContent(text: string, target: string, context: ReferenceContext, path: string): unknown {
  const extension = extname(target).toLowerCase();
  try {
    if (extension === '.json') return JSON.parse(text) as unknown;
    if (extension === '.yaml' || extension === '.yml') return parseYaml(text) as unknown;
  } catch (cause) {
    throw new PromptyError('prompty.invalid_field', `Cannot parse ${target} referenced at '${path}'`, {
      cause,
      details: { ...fileDetail(context), path, target },
    });
  }
  return text;
}

/** Where a contained path may be looked up, and how it is checked. */
export interface ContainmentOptions {
  host: PromptyHost;
  baseDir: string;
  root: string;
}

/**
 * Resolves `reference` against `baseDir` and refuses anything whose path, before or after
 * resolving symlinks, leaves `root` (GHSA-7pfc-5v9r-j299). Returns the lexical absolute path.
 */
export function resolveContainedPath(
  reference: string,
  { host, baseDir, root }: ContainmentOptions,
  details: () => Record<string, unknown>,
): string {
  const target = resolve(baseDir, reference);
  const outside = () =>
    new PromptyError('prompty.path_outside_root', `'${reference}' is outside allowed roots (${root})`, {
      details: { ...details(), target },
    });
  // The lexical check comes first so a traversal attempt never reveals whether a file exists.
  if (!isInside(normalize(root), target)) throw outside();
  if (!host.exists(target)) {
    throw new PromptyError('prompty.file_not_found', `File not found: '${reference}' (${target})`, {
      details: { ...details(), target },
    });
  }
  if (!isInside(host.realpath(normalize(root)), host.realpath(target))) throw outside();
  return target;
}

function isInside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

function fileDetail(context: ReferenceContext): { file?: string } {
  return context.file === undefined ? {} : { file: context.file };
}
