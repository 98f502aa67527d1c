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
  const out = copyValue(values, options.nullPrototypeArrays === true, new Set<object>(), []);
  return out as Record<string, unknown>;
}

/**
 * `path` holds the keys from the root to `value` (pushed and popped as the walk goes); it is turned
 * into text only for an error message.
 */
function copyValue(
  value: unknown,
  nullPrototypeArrays: boolean,
  ancestors: Set<object>,
  path: Array<string | number>,
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
  if (path.length >= MAX_DEPTH) {
    throw new PromptyError('prompty.invalid_input', `Input value nested deeper than ${MAX_DEPTH} levels`, {
      details: { input: rootName(path) },
    });
  }
  if (ancestors.has(obj)) {
    throw new PromptyError('prompty.invalid_input', `Input value at "${pathText(path)}" contains a cycle`, {
      details: { input: rootName(path) },
    });
  }
  ancestors.add(obj);
  try {
    if (Array.isArray(obj) || obj instanceof Set) {
      const items: unknown[] = [];
      let index = 0;
      for (const item of obj as Iterable<unknown>) {
        path.push(index);
        items.push(copyValue(item, nullPrototypeArrays, ancestors, path));
        path.pop();
        index++;
      }
      if (nullPrototypeArrays) Object.setPrototypeOf(items, null);
      return items;
    }
    const copy: Record<string, unknown> = Object.create(null);
    if (obj instanceof Map) {
      for (const [key, item] of obj) copyEntry(copy, String(key), item, nullPrototypeArrays, ancestors, path);
    } else {
      const record = obj as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        copyEntry(copy, key, record[key], nullPrototypeArrays, ancestors, path);
      }
    }
    return copy;
  } finally {
    ancestors.delete(obj);
  }
}

function copyEntry(
  copy: Record<string, unknown>,
  key: string,
  item: unknown,
  nullPrototypeArrays: boolean,
  ancestors: Set<object>,
  path: Array<string | number>,
): void {
  path.push(key);
  copy[key] = copyValue(item, nullPrototypeArrays, ancestors, path);
  path.pop();
}

/** `a.b[0].c`, as the error messages print a value's place. */
function pathText(path: ReadonlyArray<string | number>): string {
  let text = '';
  for (const key of path) text += typeof key === 'number' ? `[${key}]` : text ? `.${key}` : key;
  return text;
}

function rootName(path: ReadonlyArray<string | number>): string {
  return String(path[0] ?? '');
}
