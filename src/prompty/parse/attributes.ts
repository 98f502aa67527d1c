/**
 * Role attributes: the `k=v, k2="v 2"` inside `user[...]:`. Parsed by a single left-to-right scan
 * (no regex), so hostile marker lines cost linear time (upstream ReDoS #446).
 */

/** The attribute every strict-mode boundary carries; never coerced (upstream #520). */
export const NONCE_ATTRIBUTE = 'nonce';

const NONCE_STAMP = `${NONCE_ATTRIBUTE}="`;

/** `/\w/` (ASCII letters, digits, `_`) for one character, without a regex. */
function isWordChar(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c === '_';
}

/** `/\s/` for one character, without a regex for the ASCII cases. */
function isSpace(c: string | undefined): boolean {
  if (c === undefined) return false;
  const code = c.charCodeAt(0);
  if (code < 128) return code === 32 || (code >= 9 && code <= 13);
  return /\s/.test(c);
}

/**
 * Unquoted values become booleans (`true`/`false`), integers or decimals when they look like one;
 * quoted values stay strings, and `nonce` is always a string.
 */
export function coerceAttribute(key: string, value: string, quoted: boolean): unknown {
  if (quoted || key === NONCE_ATTRIBUTE) return value;
  const lower = value.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  if (/^-?\d+$/.test(value)) {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : value;
  }
  if (/^-?\d+\.\d+$/.test(value)) return Number(value);
  return value;
}

/** Splits at commas outside double quotes. `null` when a quote is left open. */
function splitTopLevel(raw: string): string[] | null {
  const pieces: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === '"') quoted = !quoted;
    else if (c === ',' && !quoted) {
      pieces.push(raw.slice(start, i));
      start = i + 1;
    }
  }
  if (quoted) return null;
  pieces.push(raw.slice(start));
  return pieces;
}

/**
 * Parses the inside of `[...]` into attributes, or `null` when it is not a well-formed attribute list
 * (then the line is not a role boundary at all).
 */
export function parseRoleAttributes(raw: string): Record<string, unknown> | null {
  // The strict-mode stamp alone, `nonce="…"`, is the list nearly every marker carries: read it directly.
  if (raw.startsWith(NONCE_STAMP) && raw.indexOf('"', NONCE_STAMP.length) === raw.length - 1) {
    return { [NONCE_ATTRIBUTE]: raw.slice(NONCE_STAMP.length, -1) };
  }
  const pieces = splitTopLevel(raw);
  if (pieces === null) return null;
  const attributes: Record<string, unknown> = {};
  let count = 0;
  for (const piece of pieces) {
    const text = piece.trim();
    if (text === '') continue;
    let i = 0;
    while (i < text.length && isWordChar(text[i] as string)) i++;
    if (i === 0) return null;
    const key = text.slice(0, i);
    while (isSpace(text[i])) i++;
    if (text[i] !== '=') return null;
    i++;
    while (isSpace(text[i])) i++;
    let value = text.slice(i);
    const quoted = value.length >= 2 && value.startsWith('"') && value.endsWith('"');
    if (quoted) value = value.slice(1, -1);
    else if (value.includes('"')) return null;
    const coerced = coerceAttribute(key, value, quoted);
    // Plain assignment keeps the object fast; only `__proto__` needs defining to stay a data key.
    if (key === '__proto__') {
      Object.defineProperty(attributes, key, {
        value: coerced,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else attributes[key] = coerced;
    count++;
  }
  return count === 0 ? null : attributes;
}

/**
 * Writes attributes back as `k=v, k2="v 2"`. Strings are quoted when they hold spaces, commas or quotes,
 * or would read back as another type (`"7"`), so a round trip keeps every value and its type.
 */
export function formatRoleAttributes(attributes: Record<string, unknown>): string {
  return Object.entries(attributes)
    .map(([key, value]) => {
      const text = String(value);
      const needsQuotes =
        typeof value === 'string' &&
        (key === NONCE_ATTRIBUTE ||
          text === '' ||
          /[\s,\]"=]/.test(text) ||
          coerceAttribute(key, text, false) !== text);
      return `${key}=${needsQuotes ? `"${text.replaceAll('"', '')}"` : text}`;
    })
    .join(', ');
}
