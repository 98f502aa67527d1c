import { PromptyError } from '../errors.js';
import { chargeIterations } from './sandbox-runtime.js';

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

/** Python `value[start:stop:step]` for lists and strings (strings by code point, as Python counts). */
export function pythonSlice(value: unknown, start: unknown, stop: unknown, step: unknown): unknown {
  if (value === undefined || value === null) return undefined;
  const isString = typeof value === 'string';
  if (!isString && !Array.isArray(value)) {
    throw new PromptyError('prompty.template_runtime', 'only lists and strings can be sliced');
  }
  const by = index(step, 'step') ?? 1;
  if (by === 0) throw new PromptyError('prompty.template_runtime', 'slice step cannot be zero');
  const seq: unknown[] = isString ? Array.from(value) : value;
  const n = seq.length;
  const from = adjust(index(start, 'start'), n, by, by < 0 ? n - 1 : 0);
  const to = adjust(index(stop, 'stop'), n, by, by < 0 ? -1 : n);
  const out: unknown[] = [];
  if (by === 1) out.push(...seq.slice(from, Math.max(from, to)));
  else for (let i = from; by > 0 ? i < to : i > to; i += by) out.push(seq[i]);
  chargeIterations(out.length);
  return isString ? out.join('') : out;
}
