import { basename } from 'node:path';

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

/** The body of every file in the chain by basename, so `{% extends "evaluation.prompty" %}` resolves. */
export function chainTemplates(
  parentPath: string,
  parentBody: string,
  parentTemplates: Readonly<Record<string, string>>,
): Record<string, string> {
  return { ...parentTemplates, [basename(parentPath)]: parentBody };
}
