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
  const walk: Walk = { nullPrototypeArrays: options.nullPrototypeArrays === true, ancestors: [], path: [] };
  return copyValue(values, walk) as Record<string, unknown>;
}

/**
 * The objects from the root down to the value being copied (a cycle is an object met again among
 * them; depth is at most MAX_DEPTH, so a linear search beats a Set) and the keys leading there
 * (turned into text only for an error message).
 */
interface Walk {
  nullPrototypeArrays: boolean;
  ancestors: object[];
  path: Array<string | number>;
}

function copyValue(value: unknown, walk: Walk): unknown {
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
  const isArray = Array.isArray(obj);
  const isPlain = !isArray && Object.getPrototypeOf(obj) === Object.prototype;
  if (!isArray && !isPlain && obj instanceof Date) {
    return Number.isNaN(obj.getTime()) ? null : obj.toISOString();
  }
  const { ancestors, path } = walk;
  if (ancestors.length >= MAX_DEPTH) {
    throw new PromptyError('prompty.invalid_input', `Input value nested deeper than ${MAX_DEPTH} levels`, {
      details: { input: rootName(path) },
    });
  }
  if (ancestors.includes(obj)) {
    throw new PromptyError('prompty.invalid_input', `Input value at "${pathText(path)}" contains a cycle`, {
      details: { input: rootName(path) },
    });
  }
  ancestors.push(obj);
  let copy: unknown;
  if (isArray || (!isPlain && obj instanceof Set)) {
    const items: unknown[] = [];
    let index = 0;
    for (const item of obj as Iterable<unknown>) {
      path.push(index);
      items.push(copyValue(item, walk));
      path.pop();
      index++;
    }
    if (walk.nullPrototypeArrays) Object.setPrototypeOf(items, null);
    copy = items;
  } else {
    const record: Record<string, unknown> = Object.create(null);
    if (!isPlain && obj instanceof Map) {
      for (const [key, item] of obj) copyEntry(record, String(key), item, walk);
    } else {
      const source = obj as Record<string, unknown>;
      for (const key of Object.keys(source)) copyEntry(record, key, source[key], walk);
    }
    copy = record;
  }
  // Not in a `finally`: an error abandons the whole walk, so the stacks need no unwinding then.
  ancestors.pop();
  return copy;
}

function copyEntry(copy: Record<string, unknown>, key: string, item: unknown, walk: Walk): void {
  walk.path.push(key);
  copy[key] = copyValue(item, walk);
  walk.path.pop();
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
