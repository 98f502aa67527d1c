import { PromptyError } from '../errors.js';

/** Deepest nesting accepted in template values; deeper data is refused rather than walked. */
const MAX_DEPTH = 64;

export interface SandboxValueOptions {
  /**
   * Give arrays a null prototype too. mustache.js resolves names with `in`, so an array's prototype
   * would expose `constructor`; nunjucks filters need real arrays, so it keeps the prototype there.
   * @default false
   */
  nullPrototypeArrays?: boolean;
}

/**
 * Copies caller values into plain data a template cannot escape from: objects get a null prototype,
 * functions and symbols are dropped, dates become ISO strings, maps become objects and sets arrays.
 * Cycles and absurd depth are refused with `prompty.invalid_input`.
 */
export function toSandboxValues(
  values: Record<string, unknown>,
  options: SandboxValueOptions = {},
): Record<string, unknown> {
  const out = copyValue(values, options, new Set<object>(), 0, '');
  return out as Record<string, unknown>;
}

function copyValue(
  value: unknown,
  options: SandboxValueOptions,
  ancestors: Set<object>,
  depth: number,
  path: string,
): unknown {
  if (value === null) return null;
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'undefined':
      return value;
    case 'bigint':
      return value.toString();
    case 'function':
    case 'symbol':
      return undefined;
    default:
      break;
  }
  const obj = value as object;
  if (obj instanceof Date) return Number.isNaN(obj.getTime()) ? null : obj.toISOString();
  if (depth >= MAX_DEPTH) {
    throw new PromptyError('prompty.invalid_input', `Input value nested deeper than ${MAX_DEPTH} levels`, {
      details: { input: rootName(path) },
    });
  }
  if (ancestors.has(obj)) {
    throw new PromptyError('prompty.invalid_input', `Input value at "${path}" contains a cycle`, {
      details: { input: rootName(path) },
    });
  }
  ancestors.add(obj);
  try {
    if (Array.isArray(obj) || obj instanceof Set) {
      const items = Array.from(obj as Iterable<unknown>, (item, i) =>
        copyValue(item, options, ancestors, depth + 1, `${path}[${i}]`),
      );
      if (options.nullPrototypeArrays) Object.setPrototypeOf(items, null);
      return items;
    }
    const entries = obj instanceof Map ? [...obj.entries()] : Object.entries(obj);
    const copy: Record<string, unknown> = Object.create(null);
    for (const [key, item] of entries) {
      const name = String(key);
      copy[name] = copyValue(item, options, ancestors, depth + 1, path ? `${path}.${name}` : name);
    }
    return copy;
  } finally {
    ancestors.delete(obj);
  }
}

function rootName(path: string): string {
  return path.split(/[.[]/, 1)[0] ?? path;
}
