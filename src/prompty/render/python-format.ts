import { PromptyError } from '../errors.js';
import { assertBuildableLength } from './sandbox-runtime.js';
import { stringifyValue } from './stringify.js';

/** Python printf-style formatting (`"%s: %.2f" % (name, price)`, the `format` filter). */

function runtimeError(message: string): PromptyError {
  return new PromptyError('prompty.template_runtime', message);
}

const SPEC = /%(?:\(([^)]*)\))?([-+ 0#]*)(\d+)?(?:\.(\d+))?([diouxXeEfFgGcrsa%])/g;

export function toNumber(value: unknown): number {
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
