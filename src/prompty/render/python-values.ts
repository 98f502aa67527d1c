import { PromptyError } from '../errors.js';
import { assertBuildableLength, chargeIterations, chargeOutput } from './sandbox-runtime.js';
import { stringifyValue } from './stringify.js';

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

const SPEC = /%(?:\(([^)]*)\))?([-+ 0#]*)(\d+)?(?:\.(\d+))?([diouxXeEfFgGcrsa%])/g;

function toNumber(value: unknown): number {
  const n = typeof value === 'boolean' ? Number(value) : value;
  if (typeof n !== 'number' || Number.isNaN(n))
    throw runtimeError('a real number is required in % formatting');
  return n;
}

function pythonExponent(text: string): string {
  return text.replace(/e([+-])(\d)$/, 'e$10$2');
}

function convert(type: string, value: unknown, precision: number | undefined, flags: string): string {
  switch (type) {
    case 's':
    case 'a':
      return stringifyValue(value);
    case 'r':
      return typeof value === 'string' ? `'${value}'` : stringifyValue(value);
    case 'c':
      return typeof value === 'string' ? value.slice(0, 1) : String.fromCodePoint(toNumber(value));
    case 'f':
    case 'F':
      return toNumber(value).toFixed(precision ?? 6);
    case 'e':
    case 'E': {
      const text = pythonExponent(toNumber(value).toExponential(precision ?? 6));
      return type === 'E' ? text.toUpperCase() : text;
    }
    case 'g':
    case 'G': {
      const text = String(Number(toNumber(value).toPrecision(precision || 6)));
      return type === 'G' ? text.toUpperCase() : text;
    }
    case 'x':
    case 'X':
    case 'o': {
      const n = Math.trunc(toNumber(value));
      const digits = Math.abs(n).toString(type === 'o' ? 8 : 16);
      const prefix = flags.includes('#') ? (type === 'o' ? '0o' : '0x') : '';
      const text = `${n < 0 ? '-' : ''}${prefix}${digits}`;
      return type === 'X' ? text.toUpperCase() : text;
    }
    default:
      return String(Math.trunc(toNumber(value)));
  }
}

function pad(text: string, type: string, flags: string, width: number): string {
  const numeric = !'srac'.includes(type);
  let out = text;
  if (numeric && !out.startsWith('-')) {
    if (flags.includes('+')) out = `+${out}`;
    else if (flags.includes(' ')) out = ` ${out}`;
  }
  if (out.length >= width) return out;
  assertBuildableLength(width);
  if (flags.includes('-')) return out.padEnd(width);
  if (numeric && flags.includes('0')) {
    const sign = /^[+\- ]/.test(out) ? out.slice(0, 1) : '';
    return sign + out.slice(sign.length).padStart(width - sign.length, '0');
  }
  return out.padStart(width);
}

/** Python `format % args` (printf-style); `args` is one value, a tuple (`isTuple`), or a mapping for `%(key)s`. */
export function percentFormat(format: string, args: unknown, isTuple: boolean): string {
  const list = isTuple && Array.isArray(args) ? args : [args];
  const mapping =
    !isTuple && typeof args === 'object' && args !== null && !Array.isArray(args) ? args : undefined;
  let next = 0;
  let usedMapping = false;
  let built = format.length;
  const out = format.replace(
    SPEC,
    (
      _m,
      key: string | undefined,
      flags: string,
      width: string | undefined,
      precision: string | undefined,
      type: string,
    ) => {
      if (type === '%') return '%';
      let value: unknown;
      if (key !== undefined) {
        if (!mapping) throw runtimeError('format requires a mapping');
        usedMapping = true;
        value = Object.hasOwn(mapping, key) ? (mapping as Record<string, unknown>)[key] : undefined;
        if (value === undefined) throw runtimeError(`KeyError: '${key}'`);
      } else {
        if (next >= list.length) throw runtimeError('not enough arguments for format string');
        value = list[next++];
      }
      const digits = precision === undefined ? undefined : Number(precision);
      const piece = pad(convert(type, value, digits, flags), type, flags, Number(width ?? 0));
      // Counted as it is built: `"%s%s%s..." % (big, big, big...)` must stop before it allocates.
      built += piece.length;
      assertBuildableLength(built);
      return piece;
    },
  );
  if (!usedMapping && next < list.length)
    throw runtimeError('not all arguments converted during string formatting');
  assertBuildableLength(out.length);
  return out;
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
