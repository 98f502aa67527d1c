import { PromptyError } from '../errors.js';
import { percentFormat, toNumber } from './python-format.js';
import { assertBuildableLength, chargeIterations, chargeOutput } from './sandbox-runtime.js';

/** Python value operations the jinja2 sandbox needs: `json.dumps` as `tojson` prints, and slices. */

function runtimeError(message: string): PromptyError {
  return new PromptyError('prompty.template_runtime', message);
}

/** Python `json.dumps(sort_keys=True)` with jinja's HTML-safe escapes, as jinja's `tojson` prints. */
export function pythonJson(value: unknown, indentBy?: unknown, depth = 0): string {
  const width =
    typeof indentBy === 'number' ? ' '.repeat(indentBy) : typeof indentBy === 'string' ? indentBy : undefined;
  const open = width === undefined ? '' : `\n${width.repeat(depth + 1)}`;
  const close = width === undefined ? '' : `\n${width.repeat(depth)}`;
  const comma = width === undefined ? ', ' : ',';
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      return Number.isNaN(value)
        ? 'NaN'
        : Number.isFinite(value)
          ? String(value)
          : value > 0
            ? 'Infinity'
            : '-Infinity';
    case 'string':
      return jsonString(value);
    case 'object': {
      if (Array.isArray(value)) {
        if (value.length === 0) return '[]';
        return `[${open}${value.map((v) => pythonJson(v, indentBy, depth + 1)).join(comma + open)}${close}]`;
      }
      const entries = Object.entries(value).filter(([, v]) => v !== undefined);
      if (entries.length === 0) return '{}';
      entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      const body = entries.map(([k, v]) => `${jsonString(k)}: ${pythonJson(v, indentBy, depth + 1)}`);
      return `{${open}${body.join(comma + open)}${close}}`;
    }
    default:
      throw runtimeError(
        `Object of type ${value === undefined ? 'Undefined' : typeof value} is not JSON serializable`,
      );
  }
}

const JSON_ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

function jsonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    const code = s.charCodeAt(i);
    const escaped = JSON_ESCAPES[c];
    if (escaped) out += escaped;
    else if (code < 0x20 || code > 0x7e || c === '<' || c === '>' || c === '&' || c === "'") {
      out += `\\u${code.toString(16).padStart(4, '0')}`;
    } else out += c;
  }
  return `${out}"`;
}

function index(value: unknown, what: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new PromptyError('prompty.template_runtime', `slice ${what} must be a whole number`);
  }
  return value;
}

function adjust(raw: number | undefined, n: number, step: number, fallback: number): number {
  if (raw === undefined) return fallback;
  let i = raw < 0 ? raw + n : raw;
  if (i < 0) i = step < 0 ? -1 : 0;
  else if (i >= n) i = step < 0 ? n - 1 : n;
  return i;
}

const SURROGATE = /[\uD800-\uDFFF]/;

/** Python `len()` of a string: code points, not UTF-16 units. */
export function codePointLength(text: string): number {
  if (!SURROGATE.test(text)) return text.length;
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/**
 * Python `value[start:stop:step]` for lists and strings (strings by code point, as Python counts).
 * A string slice is charged to the output budget (it builds a string), a list slice to iterations.
 */
export function pythonSlice(value: unknown, start: unknown, stop: unknown, step: unknown): unknown {
  if (value === undefined || value === null) return undefined;
  const isString = typeof value === 'string';
  if (!isString && !Array.isArray(value)) {
    throw new PromptyError('prompty.template_runtime', 'only lists and strings can be sliced');
  }
  const by = index(step, 'step') ?? 1;
  if (by === 0) throw new PromptyError('prompty.template_runtime', 'slice step cannot be zero');
  const units = isString && !SURROGATE.test(value);
  const seq: string | unknown[] = units ? value : isString ? Array.from(value) : value;
  const n = seq.length;
  const from = adjust(index(start, 'start'), n, by, by < 0 ? n - 1 : 0);
  const to = adjust(index(stop, 'stop'), n, by, by < 0 ? -1 : n);
  let out: string | unknown[];
  if (by === 1) out = seq.slice(from, Math.max(from, to));
  else {
    const picked: unknown[] = [];
    for (let i = from; by > 0 ? i < to : i > to; i += by) picked.push(seq[i]);
    out = typeof seq === 'string' ? picked.join('') : picked;
  }
  if (isString) {
    const text = typeof out === 'string' ? out : out.join('');
    chargeOutput(text.length);
    return text;
  }
  chargeIterations(out.length);
  return out;
}

/** Python `a % b` on numbers: the result takes the divisor's sign. */
function pythonModulo(a: number, b: number): number {
  if (b === 0) throw runtimeError('integer division or modulo by zero');
  return a - b * Math.floor(a / b);
}

/** Jinja `a % b`: printf-style formatting when `a` is a string, Python modulo otherwise. */
export function pythonMod(left: unknown, right: unknown, isTuple: unknown): unknown {
  if (typeof left === 'string') return percentFormat(left, right, isTuple === true);
  return pythonModulo(toNumber(left), toNumber(right));
}

function repeat(sequence: string | unknown[], times: number): string | unknown[] {
  const count = Math.max(0, Math.trunc(times));
  if (typeof sequence === 'string') {
    assertBuildableLength(sequence.length * count);
    return sequence.repeat(count);
  }
  chargeIterations(sequence.length * count);
  const out: unknown[] = [];
  for (let i = 0; i < count; i++) for (const item of sequence) out.push(item);
  return out;
}

/** Jinja `a * b`: repeats a string or list by a whole number, else multiplies numbers. */
export function pythonMul(left: unknown, right: unknown): unknown {
  const isSequence = (v: unknown): v is string | unknown[] => typeof v === 'string' || Array.isArray(v);
  if (isSequence(left) && Number.isInteger(right)) return repeat(left, right as number);
  if (isSequence(right) && Number.isInteger(left)) return repeat(right, left as number);
  if (isSequence(left) || isSequence(right)) throw runtimeError("can't multiply a sequence by a non-integer");
  return toNumber(left) * toNumber(right);
}

/** Python `bool(value)`: None, False, 0, "" and empty lists and mappings are false; NaN is true. */
export function pythonTruthy(value: unknown): boolean {
  if (value === undefined || value === null || value === false) return false;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'string') return value.length > 0;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') {
    if (value instanceof String) return value.length > 0;
    for (const _ in value) return true;
    return false;
  }
  return true;
}

function numeric(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return undefined;
}

/** Python `==`: numbers and booleans by value, strings exactly, lists and mappings item by item. */
export function pythonEquals(left: unknown, right: unknown): boolean {
  const a = numeric(left);
  const b = numeric(right);
  if (a !== undefined || b !== undefined) return a === b;
  if (typeof left !== 'object' || typeof right !== 'object' || left === null || right === null) {
    return left === right;
  }
  if (Array.isArray(left) || Array.isArray(right)) {
    if (!Array.isArray(left) || !Array.isArray(right) || left.length !== right.length) return false;
    return left.every((item, i) => pythonEquals(item, right[i]));
  }
  if (left instanceof String || right instanceof String) return String(left) === String(right);
  const keys = Object.keys(left);
  if (keys.length !== Object.keys(right).length) return false;
  return keys.every(
    (key) =>
      Object.hasOwn(right, key) &&
      pythonEquals((left as Record<string, unknown>)[key], (right as Record<string, unknown>)[key]),
  );
}

/** Python ordering: -1, 0 or 1, or undefined when the values do not compare (jinja2 would raise). */
function order(left: unknown, right: unknown): number | undefined {
  const a = numeric(left);
  const b = numeric(right);
  if (a !== undefined && b !== undefined) return a < b ? -1 : a > b ? 1 : 0;
  if (typeof left === 'string' && typeof right === 'string') return left < right ? -1 : left > right ? 1 : 0;
  if (Array.isArray(left) && Array.isArray(right)) {
    for (let i = 0; i < Math.min(left.length, right.length); i++) {
      if (!pythonEquals(left[i], right[i])) return order(left[i], right[i]);
    }
    return Math.sign(left.length - right.length);
  }
  return undefined;
}

/** One Python comparison. Values that do not order (`1 < "a"`, undefined) compare false rather than fail. */
export function pythonCompare(left: unknown, op: unknown, right: unknown): boolean {
  if (op === '==' || op === '===') return pythonEquals(left, right);
  if (op === '!=' || op === '!==') return !pythonEquals(left, right);
  const sign = order(left, right);
  if (sign === undefined) return false;
  if (op === '<') return sign < 0;
  if (op === '>') return sign > 0;
  if (op === '<=') return sign <= 0;
  if (op === '>=') return sign >= 0;
  throw runtimeError(`unknown comparison ${String(op)}`);
}
