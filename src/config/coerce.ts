import { z } from 'zod';

/** Strings as they come from the environment; numbers and booleans as they come from the JSON file. */
function trimmed(value: unknown): unknown {
  return typeof value === 'string' ? value.trim() : value;
}

/** An integer setting; accepts `"16"` from the environment and `16` from the file. */
export function integer(options: { min?: number; max?: number } = {}) {
  let schema = z.number({ error: 'expected an integer' }).int({ error: 'expected an integer' });
  if (options.min !== undefined) schema = schema.min(options.min, { error: `must be >= ${options.min}` });
  if (options.max !== undefined) schema = schema.max(options.max, { error: `must be <= ${options.max}` });
  return z.preprocess((raw) => {
    const value = trimmed(raw);
    return typeof value === 'string' && /^[-+]?\d+$/.test(value) ? Number(value) : value;
  }, schema);
}

/** A non-negative decimal setting (prices). */
export function decimal() {
  return z.preprocess(
    (raw) => {
      const value = trimmed(raw);
      return typeof value === 'string' && value !== '' && Number.isFinite(Number(value))
        ? Number(value)
        : value;
    },
    z.number({ error: 'expected a number' }).nonnegative({ error: 'must be >= 0' }),
  );
}

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off']);

/** A boolean setting; only true/false, 1/0, yes/no, on/off are accepted, anything else is reported. */
export function boolean() {
  return z.preprocess(
    (raw) => {
      const value = trimmed(raw);
      if (typeof value !== 'string') return value;
      const word = value.toLowerCase();
      if (TRUE_WORDS.has(word)) return true;
      if (FALSE_WORDS.has(word)) return false;
      return value;
    },
    z.boolean({ error: 'expected true or false' }),
  );
}

/** A non-empty string setting. */
export function text() {
  return z.string({ error: 'expected a string' }).trim().min(1, { error: 'must not be empty' });
}

/** A URL setting restricted to the given protocols (e.g. `['redis:', 'rediss:']`). */
export function url(protocols: readonly string[]) {
  return text().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { error: `expected a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}` },
  );
}
