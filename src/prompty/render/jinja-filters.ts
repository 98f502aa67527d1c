import { attributeOf, type FilterFn, itemsOf, runtimeError } from './filter-arguments.js';
import { codePointLength, pythonJson, pythonTruthy } from './python-values.js';
import { assertBuildableLength, chargeIterations } from './sandbox-runtime.js';
import { stringifyValue } from './stringify.js';

/**
 * Filters written to Python jinja2's semantics (`jinja2/filters.py`) where nunjucks' built-ins differ
 * or are missing: keyword arguments, `int`/`float` fallbacks, banker's `round`, `tojson`, `indent`,
 * `unique`, `batch`, `map`, `min`/`max`, `truncate` leeway, word-start `title`.
 */

const text = (value: unknown): string => stringifyValue(value);

function toInt(value: unknown, fallback: unknown = 0, base: unknown = 10): unknown {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : fallback;
  if (typeof value !== 'string') return fallback;
  const radix = Number(base);
  const s = value.trim().replaceAll('_', '');
  const prefixed = /^([+-]?)0([xob])([0-9a-f]+)$/i.exec(s);
  if (prefixed && radix !== 10) {
    const n = Number.parseInt(prefixed[3] ?? '', { x: 16, o: 8, b: 2 }[prefixed[2]?.toLowerCase() ?? 'x']);
    return Number.isNaN(n) ? fallback : prefixed[1] === '-' ? -n : n;
  }
  const digits = radix === 10 ? /^[+-]?\d+$/ : /^[+-]?[0-9a-z]+$/i;
  if (digits.test(s)) {
    const n = Number.parseInt(s, radix);
    return Number.isNaN(n) ? fallback : n;
  }
  const float = toFloat(s, null);
  return typeof float === 'number' && Number.isFinite(float) ? Math.trunc(float) : fallback;
}

function toFloat(value: unknown, fallback: unknown = 0): unknown {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return fallback;
  const s = value.trim().replaceAll('_', '').toLowerCase();
  if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(s)) return Number(s);
  if (/^[+-]?(inf|infinity)$/.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
  return fallback;
}

/** Python `round()`: halves go to the even neighbour. */
function roundHalfEven(value: number, precision: number): number {
  const factor = 10 ** precision;
  const scaled = value * factor;
  const floor = Math.floor(scaled);
  const diff = scaled - floor;
  const rounded = diff === 0.5 ? (floor % 2 === 0 ? floor : floor + 1) : Math.round(scaled);
  return rounded / factor;
}

function round(value: unknown, precision: unknown = 0, method: unknown = 'common'): number {
  const n = Number(value);
  const p = Math.trunc(Number(precision));
  const factor = 10 ** p;
  if (method === 'common') return roundHalfEven(n, p);
  if (method === 'floor') return Math.floor(n * factor) / factor;
  if (method === 'ceil') return Math.ceil(n * factor) / factor;
  throw runtimeError('method must be common, ceil or floor');
}

function title(value: unknown): string {
  return text(value)
    .split(/([-\s({[<]+)/)
    .filter((item) => item !== '')
    .map((item) => (item[0] ?? '').toUpperCase() + item.slice(1).toLowerCase())
    .join('');
}

function trim(value: unknown, chars?: unknown): string {
  const s = text(value);
  if (chars === undefined || chars === null) return s.trim();
  const set = new Set(Array.from(text(chars)));
  const list = Array.from(s);
  let start = 0;
  let end = list.length;
  while (start < end && set.has(list[start] as string)) start++;
  while (end > start && set.has(list[end - 1] as string)) end--;
  return list.slice(start, end).join('');
}

function truncate(
  value: unknown,
  length: unknown = 255,
  killwords: unknown = false,
  end: unknown = '...',
  leeway: unknown = 5,
): string {
  const s = text(value);
  const max = Number(length);
  const tail = text(end);
  if (s.length <= max + Number(leeway)) return s;
  if (killwords) return s.slice(0, max - tail.length) + tail;
  const head = s.slice(0, max - tail.length);
  const space = head.lastIndexOf(' ');
  return (space === -1 ? head : head.slice(0, space)) + tail;
}

/** jinja2 `default`: replaces undefined, or with `boolean` anything Python finds false (`[]`, `{}`...). */
function defaultValue(value: unknown, fallback: unknown = '', boolean: unknown = false): unknown {
  if (boolean ? !pythonTruthy(value) : value === undefined) return fallback;
  return value;
}

/** Python `len()`: code points of a string, items of a list, keys of a mapping; 0 for nothing. */
function length(value: unknown): number {
  if (typeof value === 'string') return codePointLength(value);
  if (Array.isArray(value)) return value.length;
  if (typeof value === 'object' && value !== null) return Object.keys(value).length;
  return 0;
}

function first(value: unknown): unknown {
  return itemsOf(value)[0];
}

function last(value: unknown): unknown {
  return itemsOf(value).at(-1);
}

function list(value: unknown): unknown[] {
  const items = [...itemsOf(value)];
  chargeIterations(items.length);
  return items;
}

/** Python `str.splitlines()` line breaks. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the separators Python's splitlines() uses.
const LINE_BREAK = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/;

function indent(
  value: unknown,
  width: unknown = 4,
  indentFirst: unknown = false,
  blank: unknown = false,
): string {
  const source = text(value);
  const padLength = typeof width === 'string' ? width.length : Math.max(0, Math.trunc(Number(width)) || 0);
  const lines = `${source}\n`.split(LINE_BREAK);
  lines.pop();
  // Checked before the padding exists: `indent(1000000000)` must not allocate a gigabyte first.
  assertBuildableLength(source.length + padLength * (lines.length + 1));
  const pad = typeof width === 'string' ? width : ' '.repeat(padLength);
  let out = blank
    ? lines.join(`\n${pad}`)
    : [lines[0] ?? '', ...lines.slice(1).map((line) => (line ? pad + line : line))].join('\n');
  if (indentFirst) out = pad + out;
  return out;
}

function caseKey(value: unknown, caseSensitive: unknown): unknown {
  return !caseSensitive && typeof value === 'string' ? value.toLowerCase() : value;
}

function keyed(
  value: unknown,
  caseSensitive: unknown,
  attribute: unknown,
): { item: unknown; key: unknown }[] {
  return itemsOf(value).map((item) => {
    const picked = attribute === undefined || attribute === null ? item : attributeOf(item, attribute);
    return { item, key: caseKey(picked, caseSensitive) };
  });
}

function unique(value: unknown, caseSensitive: unknown = false, attribute?: unknown): unknown[] {
  const seen = new Set<unknown>();
  const out: unknown[] = [];
  for (const { item, key } of keyed(value, caseSensitive, attribute)) {
    const id = typeof key === 'object' && key !== null ? JSON.stringify(key) : key;
    if (!seen.has(id)) {
      seen.add(id);
      out.push(item);
    }
  }
  return out;
}

function extreme(sign: 1 | -1) {
  return (value: unknown, caseSensitive: unknown = false, attribute?: unknown): unknown => {
    let best: { item: unknown; key: unknown } | undefined;
    for (const entry of keyed(value, caseSensitive, attribute)) {
      if (
        !best ||
        (sign > 0
          ? (entry.key as number) > (best.key as number)
          : (entry.key as number) < (best.key as number))
      )
        best = entry;
    }
    return best?.item;
  };
}

function batch(value: unknown, linecount: unknown, fillWith?: unknown): unknown[][] {
  const size = Number(linecount);
  if (!Number.isInteger(size) || size < 1)
    throw runtimeError('batch() needs a positive whole number of items');
  const items = itemsOf(value);
  const out: unknown[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  const tail = out.at(-1);
  if (tail && fillWith !== undefined && fillWith !== null) {
    chargeIterations(size - tail.length);
    while (tail.length < size) tail.push(fillWith);
  }
  return out;
}

function dictItems(value: unknown): unknown[][] {
  if (value === undefined || value === null) return [];
  if (typeof value !== 'object' || Array.isArray(value)) throw runtimeError('items() needs a mapping');
  return Object.entries(value);
}

function tojson(value: unknown, indentBy?: unknown): string {
  const out = pythonJson(value, indentBy);
  assertBuildableLength(out.length);
  return out;
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  "'": '&#39;',
  '"': '&#34;',
};

/** markupsafe's `escape`. */
function escapeHtml(value: unknown): string {
  return text(value).replace(/[&<>'"]/g, (c) => ESCAPES[c] ?? c);
}

/** Filters replacing nunjucks' own, with Python jinja2's parameter names (for keyword arguments). */
export const JINJA_FILTERS: Record<string, { params: string[]; fn: FilterFn }> = {
  int: { params: ['default', 'base'], fn: toInt as FilterFn },
  float: { params: ['default'], fn: toFloat as FilterFn },
  round: { params: ['precision', 'method'], fn: round as FilterFn },
  title: { params: [], fn: title as FilterFn },
  upper: { params: [], fn: ((v: unknown) => text(v).toUpperCase()) as FilterFn },
  lower: { params: [], fn: ((v: unknown) => text(v).toLowerCase()) as FilterFn },
  capitalize: {
    params: [],
    fn: ((v: unknown) => {
      const s = text(v);
      return (s[0] ?? '').toUpperCase() + s.slice(1).toLowerCase();
    }) as FilterFn,
  },
  trim: { params: ['chars'], fn: trim as FilterFn },
  truncate: { params: ['length', 'killwords', 'end', 'leeway'], fn: truncate as FilterFn },
  string: { params: [], fn: text as FilterFn },
  default: { params: ['default_value', 'boolean'], fn: defaultValue as FilterFn },
  d: { params: ['default_value', 'boolean'], fn: defaultValue as FilterFn },
  length: { params: [], fn: length as FilterFn },
  count: { params: [], fn: length as FilterFn },
  first: { params: [], fn: first as FilterFn },
  last: { params: [], fn: last as FilterFn },
  list: { params: [], fn: list as FilterFn },
  indent: { params: ['width', 'first', 'blank'], fn: indent as FilterFn },
  unique: { params: ['case_sensitive', 'attribute'], fn: unique as FilterFn },
  min: { params: ['case_sensitive', 'attribute'], fn: extreme(-1) as FilterFn },
  max: { params: ['case_sensitive', 'attribute'], fn: extreme(1) as FilterFn },
  batch: { params: ['linecount', 'fill_with'], fn: batch as FilterFn },
  items: { params: [], fn: dictItems as FilterFn },
  tojson: { params: ['indent'], fn: tojson as FilterFn },
  escape: { params: [], fn: escapeHtml as FilterFn },
  e: { params: [], fn: escapeHtml as FilterFn },
  forceescape: { params: [], fn: escapeHtml as FilterFn },
};

/** Python parameter names of nunjucks built-ins kept as they are (same order as jinja2's). */
export const BUILTIN_PARAMS: Record<string, string[]> = {
  join: ['d', 'attribute'],
  replace: ['old', 'new', 'count'],
  sort: ['reverse', 'case_sensitive', 'attribute'],
  sum: ['attribute', 'start'],
  dictsort: ['case_sensitive', 'by', 'reverse'],
  wordcount: [],
  length: [],
  count: [],
  reverse: [],
  abs: [],
  urlencode: [],
  striptags: [],
  safe: [],
  select: [],
  reject: [],
  selectattr: [],
  rejectattr: [],
  groupby: ['attribute', 'default'],
  nl2br: [],
  dump: ['indent'],
};
