import { createRequire } from 'node:module';
import { PromptyError } from '../errors.js';
import { ALLOWED_FILTERS, ALLOWED_TESTS, INTERNAL_FILTERS, isForbiddenKey } from './sandbox-policy.js';
import { assertBuildableLength, chargeIterations, recordSegment } from './sandbox-runtime.js';
import { stringifyValue } from './stringify.js';

type FilterFn = (this: unknown, ...args: unknown[]) => unknown;

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

function itemsOf(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (typeof value === 'string') return Array.from(value);
  if (typeof value === 'object' && value !== null) return Object.keys(value);
  return [];
}

/** Jinja `join`, printing items with the same rules as `{{ }}`. */
function join(value: unknown, separator: unknown = '', attribute?: unknown): string {
  let items = itemsOf(value);
  if (typeof attribute === 'string') {
    if (attribute.split('.').some(isForbiddenKey)) {
      throw new PromptyError('prompty.template_forbidden', `Attribute "${attribute}" is not allowed in join`);
    }
    items = items.map((item) =>
      attribute
        .split('.')
        .reduce<unknown>(
          (obj, key) =>
            typeof obj === 'object' && obj !== null && Object.hasOwn(obj, key)
              ? (obj as Record<string, unknown>)[key]
              : undefined,
          item,
        ),
    );
  }
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
  if (typeof value === 'string' && typeof old === 'string') {
    const found = old === '' ? value.length + 1 : value.split(old).length - 1;
    const limit = typeof maxCount === 'number' && maxCount >= 0 ? Math.min(found, maxCount) : found;
    const growth = stringifyValue(replacement).length - old.length;
    assertBuildableLength(value.length + Math.max(0, growth) * limit);
  }
  return (builtinFilters.replace as FilterFn).call(this, value, old, replacement, maxCount);
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
  for (const name of ALLOWED_FILTERS) {
    const fn = builtinFilters[name];
    if (!fn) continue;
    const attributeIndex = ATTRIBUTE_ARGUMENT[name];
    filters[name] = attributeIndex === undefined ? fn : guardAttribute(name, fn, attributeIndex);
  }
  filters.join = join as FilterFn;
  filters.replace = replace as FilterFn;
  filters[INTERNAL_FILTERS.iterate] = iterate as FilterFn;
  filters[INTERNAL_FILTERS.iteratePairs] = iteratePairs as FilterFn;
  filters[INTERNAL_FILTERS.concat] = concat as FilterFn;
  filters[INTERNAL_FILTERS.add] = add as FilterFn;
  filters[INTERNAL_FILTERS.segment] = recordSegment as FilterFn;
  return filters;
}

/** The `is` tests a sandboxed environment exposes, on a null-prototype object. */
export function createSandboxTests(): Record<string, FilterFn> {
  const tests: Record<string, FilterFn> = Object.create(null);
  for (const name of ALLOWED_TESTS) {
    const fn = builtinTests[name];
    if (fn) tests[name] = fn;
  }
  return tests;
}
