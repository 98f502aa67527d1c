import { PromptyError } from '../errors.js';
import { isForbiddenKey } from './sandbox-policy.js';

/** How filters receive their arguments and reach into items: keyword arguments, attribute paths. */

export type FilterFn = (this: unknown, ...args: unknown[]) => unknown;

export function runtimeError(message: string): PromptyError {
  return new PromptyError('prompty.template_runtime', message);
}

/** Whether `value` is the trailing keyword-arguments object nunjucks passes. */
export function isKeywords(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.hasOwn(value, '__keywords');
}

/**
 * Gives a filter Python's calling convention: nunjucks passes `name=value` arguments as one trailing
 * object, which its own filters mostly ignore; here each is moved to its parameter's position.
 */
export function withSignature(filter: string, params: readonly string[], fn: FilterFn): FilterFn {
  return function called(this: unknown, value: unknown, ...args: unknown[]) {
    const last = args.at(-1);
    if (isKeywords(last)) {
      args.pop();
      for (const [key, given] of Object.entries(last)) {
        if (key === '__keywords') continue;
        const index = params.indexOf(key);
        if (index === -1) throw runtimeError(`${filter}() got an unexpected keyword argument '${key}'`);
        while (args.length < index) args.push(undefined);
        args[index] = given;
      }
    }
    return fn.call(this, value, ...args);
  };
}

/** Jinja's attribute paths (`a.b`, `0`), over own data properties only. */
export function attributeOf(item: unknown, path: unknown): unknown {
  const keys = String(path).split('.');
  if (keys.some(isForbiddenKey))
    throw new PromptyError('prompty.template_forbidden', `Attribute "${path}" is not allowed`);
  let current = item;
  for (const key of keys) {
    if (Array.isArray(current) && /^-?\d+$/.test(key)) current = current.at(Number(key));
    else if (typeof current === 'object' && current !== null && Object.hasOwn(current, key)) {
      current = (current as Record<string, unknown>)[key];
    } else return undefined;
  }
  return current;
}

/** What `for x in value` walks: list items, string characters, mapping keys. */
export function itemsOf(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (typeof value === 'string') return Array.from(value);
  if (typeof value === 'object' && value !== null) return Object.keys(value);
  return [];
}
