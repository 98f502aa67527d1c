import { PromptyError } from '../errors.js';
import { isKeywords } from './filter-arguments.js';
import { isForbiddenKey } from './sandbox-policy.js';
import { assertBuildableLength, chargeIterations } from './sandbox-runtime.js';
import { stringifyValue } from './stringify.js';

/**
 * The few Python methods templates commonly call (`d.items()`, `s.strip()`, `loop.cycle()`),
 * re-implemented over plain data. The sandbox rewrites `x.name(args)` into a call of
 * {@link callMethod} for names in {@link ALLOWED_METHODS}; nothing reaches a JavaScript method.
 */

type Method = (target: never, ...args: unknown[]) => unknown;

function runtimeError(message: string): PromptyError {
  return new PromptyError('prompty.template_runtime', message);
}

function stripChars(s: string, chars: unknown, left: boolean, right: boolean): string {
  if (chars === undefined || chars === null) {
    let out = s;
    if (left) out = out.replace(/^\s+/, '');
    if (right) out = out.replace(/\s+$/, '');
    return out;
  }
  const set = new Set(Array.from(String(chars)));
  const list = Array.from(s);
  let start = 0;
  let end = list.length;
  while (left && start < end && set.has(list[start] as string)) start++;
  while (right && end > start && set.has(list[end - 1] as string)) end--;
  return list.slice(start, end).join('');
}

/** Python `str.split(sep=None, maxsplit=-1)`. */
function split(s: string, sep?: unknown, maxsplit: unknown = -1): string[] {
  const limit = typeof maxsplit === 'number' && maxsplit >= 0 ? maxsplit : Number.POSITIVE_INFINITY;
  let parts: string[];
  if (sep === undefined || sep === null) {
    parts = [];
    let rest = s.replace(/^\s+/, '');
    while (rest !== '' && parts.length < limit) {
      const match = /\s+/.exec(rest);
      if (!match) break;
      parts.push(rest.slice(0, match.index));
      rest = rest.slice(match.index + match[0].length);
    }
    if (rest !== '') parts.push(rest);
  } else {
    const separator = String(sep);
    if (separator === '') throw runtimeError('empty separator');
    const all = s.split(separator);
    parts = all.length - 1 > limit ? [...all.slice(0, limit), all.slice(limit).join(separator)] : all;
  }
  chargeIterations(parts.length);
  return parts;
}

function affix(s: string, test: unknown, check: (s: string, x: string) => boolean): boolean {
  const options = Array.isArray(test) ? test : [test];
  return options.some((option) => typeof option === 'string' && check(s, option));
}

const STRING_METHODS: Record<string, Method> = {
  upper: (s: string) => s.toUpperCase(),
  lower: (s: string) => s.toLowerCase(),
  strip: (s: string, chars?: unknown) => stripChars(s, chars, true, true),
  lstrip: (s: string, chars?: unknown) => stripChars(s, chars, true, false),
  rstrip: (s: string, chars?: unknown) => stripChars(s, chars, false, true),
  capitalize: (s: string) => (s[0] ?? '').toUpperCase() + s.slice(1).toLowerCase(),
  title: (s: string) => s.toLowerCase().replace(/(^|[^\p{L}])(\p{L})/gu, (_m, a, b) => a + b.toUpperCase()),
  split: (s: string, sep?: unknown, maxsplit?: unknown) => split(s, sep, maxsplit),
  splitlines: (s: string) =>
    s.split(/\r\n|\r|\n/).filter((line, i, all) => i < all.length - 1 || line !== ''),
  startswith: (s: string, prefix: unknown) => affix(s, prefix, (a, b) => a.startsWith(b)),
  endswith: (s: string, suffix: unknown) => affix(s, suffix, (a, b) => a.endsWith(b)),
  find: (s: string, sub: unknown) => s.indexOf(String(sub)),
  count: (s: string, sub: unknown) => (String(sub) === '' ? s.length + 1 : s.split(String(sub)).length - 1),
  replace: (s: string, old: unknown, replacement: unknown, count?: unknown) => {
    const from = String(old);
    const to = stringifyValue(replacement);
    const found = from === '' ? s.length + 1 : s.split(from).length - 1;
    const limit = typeof count === 'number' && count >= 0 ? Math.min(count, found) : found;
    assertBuildableLength(s.length + Math.max(0, to.length - from.length) * limit);
    if (from !== '') {
      return s
        .split(from)
        .reduce((out, piece, i) => (i === 0 ? piece : out + (i <= limit ? to : from) + piece), '');
    }
    const chars = Array.from(s);
    let out = '';
    for (let i = 0; i <= chars.length; i++) out += (i < limit ? to : '') + (chars[i] ?? '');
    return out;
  },
  join: (s: string, items: unknown) => {
    const list = Array.isArray(items) ? items : typeof items === 'string' ? Array.from(items) : [];
    const parts = list.map((item) => stringifyValue(item));
    assertBuildableLength(parts.reduce((n, p) => n + p.length + s.length, 0));
    return parts.join(s);
  },
};

type Dict = Record<string, unknown>;

const DICT_METHODS: Record<string, Method> = {
  items: (d: Dict) => Object.entries(d),
  keys: (d: Dict) => Object.keys(d),
  values: (d: Dict) => Object.values(d),
  get: (d: Dict, key: unknown, fallback: unknown = null) => {
    const name = String(key);
    if (isForbiddenKey(name))
      throw new PromptyError('prompty.template_forbidden', `Key "${name}" is not allowed`);
    return Object.hasOwn(d, name) ? d[name] : fallback;
  },
};

/** Every method this module implements, for the test that keeps it in step with ALLOWED_METHODS. */
export const IMPLEMENTED_METHODS: readonly string[] = [
  ...Object.keys(STRING_METHODS),
  ...Object.keys(DICT_METHODS),
  'cycle',
];

function isLoop(value: unknown): value is { index0: number } {
  return (
    typeof value === 'object' && value !== null && typeof (value as { index0?: unknown }).index0 === 'number'
  );
}

function typeName(value: unknown): string {
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'object' && value !== null) return 'dict';
  return typeof value;
}

/** `target.name(...args)` with Python semantics; undefined targets give undefined, as undefined names print nothing. */
export function callMethod(target: unknown, name: unknown, ...args: unknown[]): unknown {
  if (isKeywords(args.at(-1))) throw runtimeError(`${String(name)}() does not take keyword arguments here`);
  const method = String(name);
  if (target === undefined || target === null) return undefined;
  if (method === 'cycle' && isLoop(target)) {
    return args.length === 0 ? undefined : args[target.index0 % args.length];
  }
  const table = typeof target === 'string' ? STRING_METHODS : typeName(target) === 'dict' ? DICT_METHODS : {};
  const fn = Object.hasOwn(table, method) ? table[method] : undefined;
  if (!fn) throw runtimeError(`'${typeName(target)}' object has no method '${method}'`);
  return (fn as (t: unknown, ...a: unknown[]) => unknown)(target, ...args);
}
