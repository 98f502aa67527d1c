import { basename, dirname } from 'node:path';
import { PromptyError } from './errors.js';
import type { Locator } from './front-matter.js';
import type { PromptyHost } from './host.js';
import { resolveContainedPath } from './references.js';

type Data = Record<string, unknown>;

function record(value: unknown): Data | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Data) : undefined;
}

function union(child: unknown, parent: unknown): unknown[] | undefined {
  if (!Array.isArray(child) && !Array.isArray(parent)) return undefined;
  return [...new Set([...(Array.isArray(child) ? child : []), ...(Array.isArray(parent) ? parent : [])])];
}

function shallow(parent: unknown, child: unknown): Data | undefined {
  const p = record(parent);
  const c = record(child);
  return p || c ? { ...p, ...c } : undefined;
}

function defined(entries: [string, unknown][]): Data {
  return Object.fromEntries(entries.filter(([, value]) => value !== undefined && value !== null));
}

/**
 * Merges a v1 `base:` parent's front matter under the child's, as Python 0.1.x
 * `hoist_base_prompty` does (research §2.1): the child wins for scalars, `authors`/`tags` are
 * unioned, model settings and `sample` are shallow-merged, and inputs/outputs are NOT inherited.
 */
export function mergeBaseFrontMatter(parent: Data, child: Data): Data {
  const parentModel = record(parent.model) ?? {};
  const childModel = record(child.model) ?? {};
  const model = defined([
    ...Object.entries(parentModel),
    ...Object.entries(childModel),
    ['configuration', shallow(parentModel.configuration, childModel.configuration)],
    [
      'connection',
      record(childModel.connection)
        ? shallow(parentModel.connection, childModel.connection)
        : (childModel.connection ?? parentModel.connection),
    ],
    ['parameters', shallow(parentModel.parameters, childModel.parameters)],
    ['options', shallow(parentModel.options, childModel.options)],
  ]);
  const { base: _base, ...own } = child;
  return defined([
    ...Object.entries(own),
    ['name', child.name ?? parent.name],
    ['description', child.description ?? parent.description],
    ['version', child.version ?? parent.version],
    ['template', child.template ?? parent.template],
    ['authors', union(child.authors, parent.authors)],
    ['tags', union(child.tags, parent.tags)],
    ['metadata', shallow(parent.metadata, child.metadata)],
    ['sample', shallow(parent.sample, child.sample)],
    ['model', Object.keys(model).length > 0 ? model : undefined],
  ]);
}

/** What resolving a `base:` needs; the parent itself is loaded by the caller's `loadParent`. */
export interface BaseChainOptions {
  host: PromptyHost;
  /** Absolute path of the child file. */
  path: string;
  root: string;
  /** Canonical paths already in the chain, to refuse cycles. */
  visited: ReadonlySet<string>;
  locate: Locator;
  loadParent: (parentPath: string, visited: Set<string>) => ChainLink;
}

/** A loaded file of the chain: its resolved front matter, its body and its own ancestors' bodies. */
export interface ChainLink {
  data: Data;
  body: string;
  templates: Record<string, string>;
}

/**
 * Loads the `base:` parent of a v1/1.0-beta file (contained in `root`, cycles refused), merges
 * its front matter under the child's and collects every body of the chain by basename, so the
 * renderer can resolve `{% extends "evaluation.prompty" %}`.
 */
export function applyBaseChain(
  base: string,
  data: Data,
  body: string,
  options: BaseChainOptions,
): { data: Data; templates: Record<string, string> } {
  const { host, path, root } = options;
  const details = () => ({ file: path, path: 'base', ...(options.locate(['base']) ?? {}) });
  const parentPath = resolveContainedPath(base, { host, baseDir: dirname(path), root }, details);
  // The prompt being edited may not be saved yet, so its own path need not exist.
  const seen = new Set([...options.visited, host.exists(path) ? host.realpath(path) : path]);
  if (seen.has(host.realpath(parentPath))) {
    throw new PromptyError('prompty.invalid_field', `'base: ${base}' makes a cycle`, { details: details() });
  }
  const parent = options.loadParent(parentPath, seen);
  return {
    data: mergeBaseFrontMatter(parent.data, data),
    templates: { ...parent.templates, [basename(parentPath)]: parent.body, [basename(path)]: body },
  };
}
