import { parseRoleAttributes } from './attributes.js';

/**
 * Role boundary lines (`system:`, `# User:`, `user[name="Ada"]:`), recognised by a linear scanner that
 * mirrors the reference regex `^\s*#?\s*(role)(\[attrs\])?\s*:\s*$` (case-insensitive) without its
 * backtracking.
 */

/** Roles the v2 parser splits on. */
export const V2_ROLES: ReadonlySet<string> = new Set(['assistant', 'developer', 'system', 'user']);
/** Roles the v1 / promptflow parser splits on. */
export const V1_ROLES: ReadonlySet<string> = new Set(['assistant', 'function', 'system', 'user']);
/** Roles the 1.0-beta parser splits on. */
export const BETA_ROLES: ReadonlySet<string> = new Set([
  'assistant',
  'developer',
  'function',
  'system',
  'tool',
  'user',
]);

export interface RoleBoundary {
  /** Lower-cased role name. */
  role: string;
  /** Parsed `[...]` attributes, or `{}` when the marker has none. */
  attributes: Record<string, unknown>;
}

export interface MatchRoleOptions {
  /**
   * Also accept text after the colon (`system: do X`). The chat parser never does; strict-input
   * checks do, because such a line in a value is an attempt to look like a boundary.
   * @default false
   */
  allowTrailingText?: boolean;
}

/** `/\s/` for one character, without a regex for the ASCII cases every line is made of. */
function isSpace(c: string | undefined): boolean {
  if (c === undefined) return false;
  const code = c.charCodeAt(0);
  if (code < 128) return code === 32 || (code >= 9 && code <= 13);
  return /\s/.test(c);
}

function isLetter(c: string | undefined): boolean {
  return c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
}

/** Longest role name any generation splits on (`assistant`, `developer`). */
const MAX_ROLE_LENGTH = 9;

/** The boundary `line` denotes, or `null` when it is ordinary content. */
export function matchRoleBoundary(
  line: string,
  roles: ReadonlySet<string>,
  options: MatchRoleOptions = {},
): RoleBoundary | null {
  // Every boundary has a colon; most content lines do not, and are rejected without a scan.
  if (!line.includes(':')) return null;
  const text = line.trim();
  let i = 0;
  if (text[i] === '#') i++;
  while (isSpace(text[i])) i++;
  const start = i;
  while (isLetter(text[i])) i++;
  if (i === start || i - start > MAX_ROLE_LENGTH) return null;
  const role = text.slice(start, i).toLowerCase();
  if (!roles.has(role)) return null;
  let attributes: Record<string, unknown> = {};
  if (text[i] === '[') {
    let quoted = false;
    let end = -1;
    for (let j = i + 1; j < text.length; j++) {
      if (text[j] === '"') quoted = !quoted;
      else if (text[j] === ']' && !quoted) {
        end = j;
        break;
      }
    }
    if (end === -1) return null;
    const parsed = parseRoleAttributes(text.slice(i + 1, end));
    if (parsed === null) return null;
    attributes = parsed;
    i = end + 1;
  }
  while (isSpace(text[i])) i++;
  if (text[i] !== ':') return null;
  i++;
  if (options.allowTrailingText) return { role, attributes };
  while (isSpace(text[i])) i++;
  return i === text.length ? { role, attributes } : null;
}

/** `text` with CRLF and lone CR turned into `\n`. */
export function normalizeNewlines(text: string): string {
  return text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
}

/** `text` without its leading and trailing `\n`; spaces and indentation are content. */
export function stripNewlines(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && text.charCodeAt(start) === 10) start++;
  while (end > start && text.charCodeAt(end - 1) === 10) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

/** Splits rendered text into lines after normalising CRLF and lone CR to `\n`. */
export function splitLines(text: string): string[] {
  return normalizeNewlines(text).split('\n');
}

/**
 * Whether the line `text[from, to)` could be a role marker: its first non-space character is `#` or
 * a letter. A cheap test that spares cutting out the lines {@link matchRoleBoundary} would refuse.
 */
export function mayStartRoleMarker(text: string, from: number, to: number): boolean {
  let i = from;
  while (i < to && isSpace(text[i])) i++;
  if (i >= to) return false;
  const c = text[i];
  return c === '#' || isLetter(c);
}
