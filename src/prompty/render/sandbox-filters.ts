import { createRequire } from 'node:module';
import { PromptyError } from '../errors.js';
import { attributeOf, type FilterFn, isKeywords, itemsOf, withSignature } from './filter-arguments.js';
import { BUILTIN_PARAMS, JINJA_FILTERS } from './jinja-filters.js';
import { callMethod } from './jinja-methods.js';
import { percentFormat } from './python-format.js';
import { pythonCompare, pythonMod, pythonMul, pythonSlice, pythonTruthy } from './python-values.js';
import { ALLOWED_FILTERS, ALLOWED_TESTS, INTERNAL_FILTERS, isForbiddenKey } from './sandbox-policy.js';
import { assertBuildableLength, chargeIterations, recordSegment } from './sandbox-runtime.js';
import { stringifyValue } from './stringify.js';

const require = createRequire(import.meta.url);
const builtinFilters = require('nunjucks/src/filters.js') as Record<string, FilterFn>;
const builtinTests = require('nunjucks/src/tests.js') as Record<string, FilterFn>;

/** Position of the attribute-path argument of filters that resolve `a.b.c` paths on items. */
const ATTRIBUTE_ARGUMENT: Record<string, number> = {
  sort: 3,
  sum: 1,
  selectattr: 1,
  rejectattr: 1,
  groupby: 1,
};

function guardAttribute(filter: string, fn: FilterFn, index: number): FilterFn {
  return function guarded(this: unknown, ...args: unknown[]) {
    const attribute = args[index];
    if (typeof attribute === 'string' && attribute.split('.').some(isForbiddenKey)) {
      throw new PromptyError(
        'prompty.template_forbidden',
        `Attribute "${attribute}" is not allowed in ${filter}`,
      );
    }
    return fn.apply(this, args);
  };
}

/** Jinja `join`, printing items with the same rules as `{{ }}`. */
function join(value: unknown, separator: unknown = '', attribute?: unknown): string {
  let items = itemsOf(value);
  if (attribute !== undefined && attribute !== null)
    items = items.map((item) => attributeOf(item, attribute));
  const sep = stringifyValue(separator);
  let length = 0;
  const parts = items.map((item) => {
    const text = stringifyValue(item);
    length += text.length + sep.length;
    return text;
  });
  assertBuildableLength(length);
  return parts.join(sep);
}

/** `replace`, refusing up front a result beyond the output budget (`replace("", long)` multiplies). */
function replace(
  this: unknown,
  value: unknown,
  old: unknown,
  replacement: unknown,
  maxCount?: unknown,
): unknown {
  if (value === undefined) return value;
  if (typeof value !== 'string') return replace.call(this, stringifyValue(value), old, replacement, maxCount);
  if (typeof old === 'string') {
    const found = old === '' ? value.length + 1 : value.split(old).length - 1;
    const limit = typeof maxCount === 'number' && maxCount >= 0 ? Math.min(found, maxCount) : found;
    const growth = stringifyValue(replacement).length - old.length;
    assertBuildableLength(value.length + Math.max(0, growth) * limit);
  }
  return (builtinFilters.replace as FilterFn).call(this, value, old, replacement, maxCount);
}

/**
 * Jinja `map(attribute='x', default=d)` or `map('filter', args...)`; only allowlisted filters can be
 * named, so `map` reaches nothing a template could not call directly.
 */
function mapItems(
  this: unknown,
  filters: Record<string, FilterFn>,
  value: unknown,
  args: unknown[],
): unknown[] {
  const last = args.at(-1);
  const keywords = isKeywords(last) ? last : undefined;
  if (keywords) args.pop();
  const items = itemsOf(value);
  chargeIterations(items.length);
  if (keywords && Object.hasOwn(keywords, 'attribute')) {
    return items.map((item) => attributeOf(item, keywords.attribute) ?? keywords.default);
  }
  const [name, ...rest] = args;
  const filter = typeof name === 'string' && ALLOWED_FILTERS.has(name) ? filters[name] : undefined;
  if (!filter)
    throw new PromptyError('prompty.template_forbidden', `Filter "${String(name)}" is not allowed`);
  return items.map((item) => filter.call(this, item, ...rest, ...(keywords ? [keywords] : [])));
}

/** The items a `for ... if` loop keeps: those whose mask character (rendered per item) is `1`. */
function selectByMask(items: unknown, mask: unknown, pairs: unknown): unknown[] {
  const isMapping = typeof items === 'object' && items !== null && !Array.isArray(items);
  const list = pairs && isMapping ? Object.entries(items) : itemsOf(items);
  const flags = String(mask ?? '');
  return list.filter((_, i) => flags[i] === '1');
}

function iterate(value: unknown): unknown {
  if (value === undefined || value === null) return value;
  const items = itemsOf(value);
  chargeIterations(items.length);
  return items;
}

function iteratePairs(value: unknown): unknown {
  if (Array.isArray(value)) {
    chargeIterations(value.length);
    return value;
  }
  if (typeof value === 'object' && value !== null) {
    chargeIterations(Object.keys(value).length);
    return value;
  }
  return [];
}

function concat(left: unknown, right: unknown): string {
  const a = stringifyValue(left);
  const b = stringifyValue(right);
  assertBuildableLength(a.length + b.length);
  return a + b;
}

function add(left: unknown, right: unknown): unknown {
  if (typeof left === 'string' || typeof right === 'string') return concat(left, right);
  if (Array.isArray(left) && Array.isArray(right)) {
    chargeIterations(left.length + right.length);
    return [...left, ...right];
  }
  return Number(left) + Number(right);
}

/** The filters a sandboxed environment exposes, on a null-prototype object. */
export function createSandboxFilters(): Record<string, FilterFn> {
  const filters: Record<string, FilterFn> = Object.create(null);
  const own: Record<string, FilterFn> = { join: join as FilterFn, replace: replace as FilterFn };
  for (const name of ALLOWED_FILTERS) {
    const jinja = JINJA_FILTERS[name];
    const fn = jinja?.fn ?? own[name] ?? builtinFilters[name === 'count' ? 'length' : name];
    if (!fn) continue;
    const attributeIndex = ATTRIBUTE_ARGUMENT[name];
    const guarded = attributeIndex === undefined ? fn : guardAttribute(name, fn, attributeIndex);
    filters[name] = withSignature(name, jinja?.params ?? BUILTIN_PARAMS[name] ?? [], guarded);
  }
  const tests = createSandboxTests();
  filters.select = selecting(true, false, tests);
  filters.reject = selecting(false, false, tests);
  filters.selectattr = selecting(true, true, tests);
  filters.rejectattr = selecting(false, true, tests);
  filters.map = function map(this: unknown, value: unknown, ...args: unknown[]) {
    return mapItems.call(this, filters, value, args);
  };
  filters[INTERNAL_FILTERS.iterate] = iterate as FilterFn;
  filters[INTERNAL_FILTERS.iteratePairs] = iteratePairs as FilterFn;
  filters[INTERNAL_FILTERS.concat] = concat as FilterFn;
  filters[INTERNAL_FILTERS.add] = add as FilterFn;
  filters[INTERNAL_FILTERS.segment] = recordSegment as FilterFn;
  filters[INTERNAL_FILTERS.slice] = pythonSlice as FilterFn;
  filters[INTERNAL_FILTERS.method] = callMethod as FilterFn;
  filters[INTERNAL_FILTERS.mask] = selectByMask as FilterFn;
  filters[INTERNAL_FILTERS.mod] = pythonMod as FilterFn;
  filters[INTERNAL_FILTERS.mul] = pythonMul as FilterFn;
  filters[INTERNAL_FILTERS.truthy] = pythonTruthy as FilterFn;
  filters[INTERNAL_FILTERS.compare] = pythonCompare as FilterFn;
  filters.format = function format(this: unknown, value: unknown, ...args: unknown[]) {
    const last = args.at(-1);
    if (isKeywords(last))
      return percentFormat(
        stringifyValue(value),
        Object.fromEntries(Object.entries(last).filter(([k]) => k !== '__keywords')),
        false,
      );
    return percentFormat(stringifyValue(value), args, true);
  };
  return filters;
}

/** jinja2 tests nunjucks lacks. */
const JINJA_TESTS: Record<string, FilterFn> = {
  none: (value) => value === null,
  truthy: (value) => pythonTruthy(value),
  falsy: (value) => !pythonTruthy(value),
  true: (value) => value === true,
  false: (value) => value === false,
  boolean: (value) => typeof value === 'boolean',
  integer: (value) => Number.isInteger(value),
  float: (value) => typeof value === 'number' && !Number.isInteger(value),
  sequence: (value) => typeof value === 'string' || (typeof value === 'object' && value !== null),
  in: (value, container) =>
    typeof container === 'string'
      ? typeof value === 'string' && container.includes(value)
      : Array.isArray(container)
        ? container.includes(value)
        : typeof container === 'object' && container !== null && Object.hasOwn(container, String(value)),
};

/** jinja2's operator spellings of tests (`select(">", 2)`). */
const TEST_ALIASES: Record<string, string> = {
  '==': 'eq',
  '!=': 'ne',
  '<': 'lt',
  '<=': 'le',
  '>': 'gt',
  '>=': 'ge',
};

/**
 * jinja2 `select`/`reject`/`selectattr`/`rejectattr`: keep items whose (attribute) passes the named test
 * with its arguments. nunjucks' own `selectattr` ignores the test and keeps truthy attributes.
 */
function selecting(keep: boolean, byAttribute: boolean, tests: Record<string, FilterFn>): FilterFn {
  return function select(this: unknown, value: unknown, ...args: unknown[]) {
    if (isKeywords(args.at(-1))) args.pop();
    const attribute = byAttribute ? args.shift() : undefined;
    const [name = 'truthy', ...testArgs] = args;
    const testName = TEST_ALIASES[String(name)] ?? String(name);
    const test = Object.hasOwn(tests, testName) ? tests[testName] : undefined;
    if (!test) throw new PromptyError('prompty.template_forbidden', `Test "${String(name)}" is not allowed`);
    const items = value === undefined || value === null ? [] : itemsOf(value);
    chargeIterations(items.length);
    return items.filter((item) => {
      const subject = byAttribute ? attributeOf(item, attribute) : item;
      return (test.call(this, subject, ...testArgs) === true) === keep;
    });
  };
}

/** The `is` tests a sandboxed environment exposes, on a null-prototype object. */
export function createSandboxTests(): Record<string, FilterFn> {
  const tests: Record<string, FilterFn> = Object.create(null);
  for (const name of ALLOWED_TESTS) {
    const fn = JINJA_TESTS[name] ?? builtinTests[name];
    if (fn) tests[name] = fn;
  }
  return tests;
}
