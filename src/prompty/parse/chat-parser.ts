import { PromptyError } from '../errors.js';
import type { PromptyHost } from '../host.js';
import type { ChatContentPart, Generation } from '../model.js';
import { NONCE_ATTRIBUTE } from './attributes.js';
import { splitMarkdownImages } from './images.js';
import {
  BETA_ROLES,
  matchRoleBoundary,
  mayStartRoleMarker,
  normalizeNewlines,
  type RoleBoundary,
  splitLines,
  stripNewlines,
  V1_ROLES,
  V2_ROLES,
} from './role-marker.js';
import { injectionSource } from './strict-nonce.js';

/** One message split out of rendered text. */
export interface ParsedMessage {
  role: string;
  /** A string, or parts when v1 markdown images were inlined. */
  content: string | ChatContentPart[];
  /** Role attributes from `role[k=v]:`, without the strict-mode nonce. */
  metadata?: Record<string, unknown>;
}

export interface ParseMessagesOptions {
  /** Which generation's parser rules apply (research §5.1 v2/1.0-beta, §5.3 v1/promptflow). */
  generation: Generation;
  /** Strict mode: every boundary must carry this nonce, else `prompty.role_injection`. */
  nonce?: string | undefined;
  /** Folder of the .prompty file, for v1 local images. */
  baseDir?: string | undefined;
  /** Local images may not leave this folder. @default baseDir */
  root?: string | undefined;
  host?: PromptyHost | undefined;
  /** `model.apiType`; v1/promptflow only split `chat` (parser key `prompty.<api>`). @default 'chat' */
  apiType?: string | undefined;
  /** The render's values, used only to name the input behind an injected boundary. */
  values?: Record<string, unknown> | undefined;
}

function rolesFor(generation: Generation): ReadonlySet<string> {
  if (generation === 'v2') return V2_ROLES;
  if (generation === 'v1.0-beta') return BETA_ROLES;
  return V1_ROLES;
}

function checkNonce(boundary: RoleBoundary, line: string, options: ParseMessagesOptions): void {
  if (options.nonce === undefined) return;
  if (boundary.attributes[NONCE_ATTRIBUTE] === options.nonce) return;
  const input = injectionSource(line, options.values);
  throw new PromptyError(
    'prompty.role_injection',
    `Role marker "${line.trim()}" did not come from the template${input ? ` (it came from input '${input}')` : ''}: possible prompt injection`,
    { details: input ? { input } : {} },
  );
}

/** The input whose (first line of) text sits inside `line`, for naming the source of a broken marker. */
function valueInside(line: string, values: Record<string, unknown> | undefined): string | undefined {
  if (!values) return undefined;
  return Object.keys(values).find((name) => {
    const value = values[name];
    const first = typeof value === 'string' ? (value.split('\n', 1)[0] ?? '') : '';
    return first.length > 0 && line.includes(first);
  });
}

/**
 * Strict mode: the secret nonce only ever appears on role markers the template wrote, exactly once
 * each. A line carrying it that no longer reads as one marker with one nonce was changed by a value
 * rendered into the marker (its attributes), which could otherwise merge messages or forge attributes.
 */
function assertIntactMarker(
  line: string,
  boundary: RoleBoundary | null,
  options: ParseMessagesOptions,
): void {
  const { nonce } = options;
  if (nonce === undefined || !line.includes(nonce)) return;
  if (boundary && (line.match(/\bnonce\s*=/gi)?.length ?? 0) === 1) return;
  const input = injectionSource(line, options.values) ?? valueInside(line, options.values);
  throw new PromptyError(
    'prompty.role_injection',
    `Role marker "${line.trim().replaceAll(nonce, '…')}" was altered by a rendered value${input ? ` (input '${input}')` : ''}: possible prompt injection`,
    { details: input ? { input } : {} },
  );
}

function withMetadata(role: string, content: string, attributes: Record<string, unknown>): ParsedMessage {
  let metadata: Record<string, unknown> | undefined;
  for (const key of Object.keys(attributes)) {
    if (key === NONCE_ATTRIBUTE) continue;
    metadata ??= {};
    Object.defineProperty(metadata, key, {
      value: attributes[key],
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return metadata ? { role, content, metadata } : { role, content };
}

/**
 * v2 / 1.0-beta rules: line scan, keep messages that own at least one line, strip only newlines.
 * Works on offsets into the text: only lines that could be a marker (or carry the nonce) are cut out,
 * and each message is one slice of the text.
 */
function parseLineMessages(rendered: string, options: ParseMessagesOptions): ParsedMessage[] {
  const text = normalizeNewlines(rendered);
  const roles = rolesFor(options.generation);
  const { nonce } = options;
  const messages: ParsedMessage[] = [];
  let current: RoleBoundary | null = null;
  // Offset of the first line `current` owns; -1 when its marker ended the text (it owns none).
  let from = 0;
  // Offset of the first marker line; the text before it is the preamble.
  let firstBoundary = -1;
  // The next nonce occurrence at or after the line being read (a nonce never spans lines).
  let nonceAt = nonce === undefined ? -1 : text.indexOf(nonce);
  let lineStart = 0;
  for (;;) {
    const newline = text.indexOf('\n', lineStart);
    const lineEnd = newline === -1 ? text.length : newline;
    const hasNonce = nonceAt !== -1 && nonceAt < lineEnd;
    if (hasNonce) nonceAt = text.indexOf(nonce as string, lineEnd);
    if (hasNonce || mayStartRoleMarker(text, lineStart, lineEnd)) {
      const line = text.slice(lineStart, lineEnd);
      const boundary = matchRoleBoundary(line, roles);
      if (hasNonce) assertIntactMarker(line, boundary, options);
      if (boundary) {
        checkNonce(boundary, line, options);
        if (current) pushMessage(messages, current, text, from, lineStart);
        else firstBoundary = lineStart;
        current = boundary;
        from = newline === -1 ? -1 : newline + 1;
      }
    }
    if (newline === -1) break;
    lineStart = newline + 1;
  }
  return finishMessages(messages, current, text, from, firstBoundary);
}

/** Adds the last message and the text before the first marker (as `system`) to `messages`. */
function finishMessages(
  messages: ParsedMessage[],
  current: RoleBoundary | null,
  text: string,
  from: number,
  firstBoundary: number,
): ParsedMessage[] {
  if (current) pushMessage(messages, current, text, from, text.length + 1);
  const head = stripNewlines(firstBoundary === -1 ? text : text.slice(0, Math.max(0, firstBoundary - 1)));
  if (head.trim() !== '') messages.unshift({ role: 'system', content: head });
  return messages;
}

/**
 * Strict mode's shortcut through {@link parseLineMessages}, with the same result: the template's own
 * markers are the lines carrying the nonce, found with `indexOf`, and every other line that could be a
 * marker has a colon, so only lines with one are looked at. It returns `null` for anything irregular
 * (a carriage return, a nonce line that is not one intact marker, a marker without the nonce), and
 * the full scan then raises the canonical error.
 */
function parseStrictLineMessages(
  text: string,
  nonce: string,
  generation: Generation,
): ParsedMessage[] | null {
  if (text.includes('\r')) return null;
  const roles = rolesFor(generation);
  const messages: ParsedMessage[] = [];
  let current: RoleBoundary | null = null;
  let from = 0;
  let firstBoundary = -1;
  // Lines before this offset are known to hold no unstamped marker.
  let checked = 0;
  let at = text.indexOf(nonce);
  while (at !== -1) {
    const lineStart = startOfLine(text, at, checked);
    const newline = text.indexOf('\n', at);
    const lineEnd = newline === -1 ? text.length : newline;
    if (holdsUnstampedMarker(text, checked, lineStart, roles)) return null;
    const line = text.slice(lineStart, lineEnd);
    let boundary = stampedBoundary(text, lineStart, lineEnd, at, nonce, roles);
    if (boundary === null) {
      boundary = matchRoleBoundary(line, roles);
      if (boundary === null || boundary.attributes[NONCE_ATTRIBUTE] !== nonce) return null;
      if ((line.match(/\bnonce\s*=/gi)?.length ?? 0) !== 1) return null;
    }
    if (current) pushMessage(messages, current, text, from, lineStart);
    else firstBoundary = lineStart;
    current = boundary;
    from = newline === -1 ? -1 : newline + 1;
    checked = newline === -1 ? text.length : newline + 1;
    at = newline === -1 ? -1 : text.indexOf(nonce, checked);
  }
  if (holdsUnstampedMarker(text, checked, text.length, roles)) return null;
  return finishMessages(messages, current, text, from, firstBoundary);
}

/**
 * False when the line `text[from, to)` surely is no role marker: it does not start (after blanks and
 * an optional `#`) with a word of at most 9 letters followed by blanks and `:` or `[`. Scans characters
 * without allocating; anything outside ASCII is left to {@link matchRoleBoundary}.
 */
function mayBeRoleMarker(text: string, from: number, to: number): boolean {
  let i = from;
  let code = text.charCodeAt(i);
  while (i < to && (code === 32 || (code >= 9 && code <= 13))) code = text.charCodeAt(++i);
  if (code > 127) return true;
  if (code === 35) {
    code = text.charCodeAt(++i);
    while (i < to && (code === 32 || (code >= 9 && code <= 13))) code = text.charCodeAt(++i);
    if (code > 127) return true;
  }
  const start = i;
  while (i < to && ((code >= 97 && code <= 122) || (code >= 65 && code <= 90))) code = text.charCodeAt(++i);
  if (i === start || i - start > 9) return false;
  while (i < to && (code === 32 || (code >= 9 && code <= 13))) code = text.charCodeAt(++i);
  return code === 58 || code === 91 || code > 127;
}

/** A strict render that says where its nonce was printed and which lines may hold a marker. */
export interface TrackedText {
  text: string;
  /** `[start, end)` pairs of whole lines, ascending; lines outside them cannot be markers. */
  checks: readonly number[];
  /** Offsets where the nonce was printed. */
  marks: readonly number[];
}

/**
 * Strict mode's parse of a tracked render, with the result {@link parseLineMessages} would give:
 * only the lines the render flagged are read (those holding printed values or joined pieces of
 * template text, among them every marker, as the nonce is printed). `null` for anything irregular,
 * and the full scan then decides or raises the canonical error.
 */
export function parseTrackedMessages(
  rendered: TrackedText,
  nonce: string,
  generation: Generation,
): ParsedMessage[] | null {
  const { text, checks, marks } = rendered;
  if (text.includes('\r')) return null;
  const roles = rolesFor(generation);
  const messages: ParsedMessage[] = [];
  let current: RoleBoundary | null = null;
  let from = 0;
  let firstBoundary = -1;
  let mark = 0;
  let nextMark = marks.length > 0 ? (marks[0] as number) : text.length + 1;
  for (let c = 0; c < checks.length; c += 2) {
    let lineStart = checks[c] as number;
    const end = checks[c + 1] as number;
    for (;;) {
      const newline = text.indexOf('\n', lineStart);
      const lineEnd = newline === -1 ? text.length : newline;
      if (lineEnd > end || nextMark < lineStart) return null;
      if (nextMark < lineEnd) {
        const boundary = stampedBoundary(text, lineStart, lineEnd, nextMark, nonce, roles);
        mark++;
        nextMark = mark < marks.length ? (marks[mark] as number) : text.length + 1;
        if (boundary === null || nextMark < lineEnd) return null;
        if (current) pushMessage(messages, current, text, from, lineStart);
        else firstBoundary = lineStart;
        current = boundary;
        from = newline === -1 ? -1 : newline + 1;
      } else if (endsWithColon(text, lineStart, lineEnd)) {
        // Every marker ends with its colon; only such lines need the full test.
        if (mayBeRoleMarker(text, lineStart, lineEnd)) {
          if (matchRoleBoundary(text.slice(lineStart, lineEnd), roles) !== null) return null;
        }
      }
      if (lineEnd >= end) break;
      lineStart = lineEnd + 1;
    }
  }
  if (mark !== marks.length) return null;
  return finishMessages(messages, current, text, from, firstBoundary);
}

/** Whether the last non-blank character of `text[from, to)` is a colon (non-ASCII blanks count as maybe). */
function endsWithColon(text: string, from: number, to: number): boolean {
  let i = to - 1;
  let code = text.charCodeAt(i);
  while (i > from && (code === 32 || (code >= 9 && code <= 13))) code = text.charCodeAt(--i);
  return code === 58 || code > 127;
}

// A stamped marker's attributes, as far as messages are concerned: the nonce is never metadata.
const NO_ATTRIBUTES: Record<string, unknown> = Object.freeze({});

const NONCE_OPENING = `[${NONCE_ATTRIBUTE}="`;

/**
 * The boundary of the line `text[lineStart, lineEnd)` when it is a marker exactly as strict mode
 * stamps one without other attributes (`<indent>role[nonce="…"]:`, the nonce printed at `at`);
 * `null` for any other line. Reads characters in place, without building the stamp.
 */
function stampedBoundary(
  text: string,
  lineStart: number,
  lineEnd: number,
  at: number,
  nonce: string,
  roles: ReadonlySet<string>,
): RoleBoundary | null {
  const close = at + nonce.length;
  // The mark says where the nonce variable was printed; a loop variable could shadow it.
  if (!holdsAt(text, at, nonce)) return null;
  if (lineEnd !== close + 3 || text.charCodeAt(close) !== 34 || text.charCodeAt(close + 1) !== 93)
    return null;
  if (text.charCodeAt(close + 2) !== 58) return null;
  const opening = at - NONCE_OPENING.length;
  if (opening <= lineStart || !holdsAt(text, opening, NONCE_OPENING)) return null;
  let start = lineStart;
  while (text.charCodeAt(start) === 32 || text.charCodeAt(start) === 9) start++;
  for (const role of roles) {
    if (role.length === opening - start && holdsAt(text, start, role))
      return { role, attributes: NO_ATTRIBUTES };
  }
  return null;
}

/** `text.startsWith(part, at)`; a slice compare measured cheaper than both startsWith and a char loop. */
function holdsAt(text: string, at: number, part: string): boolean {
  return text.slice(at, at + part.length) === part;
}

/**
 * Offset of the line holding `at`, searched forward from `from` (a line start at or before it):
 * `indexOf` is far cheaper than `lastIndexOf` in V8.
 */
function startOfLine(text: string, at: number, from: number): number {
  let start = from;
  let newline = text.indexOf('\n', start);
  while (newline !== -1 && newline < at) {
    start = newline + 1;
    newline = text.indexOf('\n', start);
  }
  return start;
}

/** Whether a line in `text[from, to)` (whole lines) reads as a role marker; only lines with a colon can. */
function holdsUnstampedMarker(text: string, from: number, to: number, roles: ReadonlySet<string>): boolean {
  let colon = text.indexOf(':', from);
  let lineStart = from;
  while (colon !== -1 && colon < to) {
    lineStart = startOfLine(text, colon, lineStart);
    const newline = text.indexOf('\n', colon);
    const lineEnd = newline === -1 ? text.length : newline;
    if (
      mayBeRoleMarker(text, lineStart, lineEnd) &&
      matchRoleBoundary(text.slice(lineStart, lineEnd), roles) !== null
    ) {
      return true;
    }
    if (newline === -1) return false;
    colon = text.indexOf(':', newline + 1);
  }
  return false;
}

/**
 * Adds the message of `boundary`, whose lines run from offset `from` up to the line starting at
 * `nextLine` (`text.length + 1` at the end), unless it owns no line at all.
 */
function pushMessage(
  messages: ParsedMessage[],
  boundary: RoleBoundary,
  text: string,
  from: number,
  nextLine: number,
): void {
  if (from === -1 || nextLine <= from) return;
  messages.push(
    withMetadata(boundary.role, stripNewlines(text.slice(from, nextLine - 1)), boundary.attributes),
  );
}

/**
 * v1 / promptflow rules (Python 0.1.x `re.split` on `^\s*#?\s*(role)\s*:\s*\n`): chunks are stripped,
 * empty chunks dropped, a leading non-role chunk becomes `system`, a trailing bare role is dropped.
 */
function parseLegacyMessages(rendered: string, options: ParseMessagesOptions): ParsedMessage[] {
  const lines = splitLines(rendered);
  const chunks: string[] = [];
  let buffer: string[] = [];
  lines.forEach((line, index) => {
    // The reference regex needs a newline after the colon, so a marker on the last line is text.
    const isLast = index === lines.length - 1;
    const boundary = isLast ? null : matchRoleBoundary(line, V1_ROLES);
    assertIntactMarker(line, boundary, options);
    const isMarker =
      boundary && (options.nonce !== undefined || Object.keys(boundary.attributes).length === 0);
    if (boundary && isMarker) {
      checkNonce(boundary, line, options);
      chunks.push(buffer.join('\n'), boundary.role);
      buffer = [];
    } else buffer.push(line);
  });
  chunks.push(buffer.join('\n'));
  const items = chunks.filter((chunk) => chunk.trim().length > 0);
  const isRole = (item: string | undefined): boolean =>
    item !== undefined && V1_ROLES.has(item.trim().toLowerCase());
  if (!isRole(items[0])) items.unshift('system');
  if (isRole(items.at(-1))) items.pop();
  if (items.length % 2 !== 0) {
    throw new PromptyError('prompty.invalid_message', 'Invalid prompt format: a role marker has no content');
  }
  const messages: ParsedMessage[] = [];
  for (let i = 0; i < items.length; i += 2) {
    const role = (items[i] ?? '').trim().toLowerCase();
    const content = (items[i + 1] ?? '').trim();
    messages.push({ role, content: splitMarkdownImages(content, options) });
  }
  return messages;
}

/**
 * Splits rendered text into chat messages at role boundary lines (research §5). Content before the
 * first boundary becomes a `system` message. For v1/promptflow with an `apiType` other than `chat`,
 * the reference parser is a no-op, so the whole text is returned as one `system` message.
 *
 * @throws PromptyError `prompty.role_injection` in strict mode, `prompty.invalid_message` for v1
 *   content the reference parser rejects.
 */
export function parseMessages(rendered: string, options: ParseMessagesOptions): ParsedMessage[] {
  const legacy = options.generation === 'v1' || options.generation === 'promptflow';
  if (!legacy) {
    const fast =
      options.nonce === undefined
        ? null
        : parseStrictLineMessages(rendered, options.nonce, options.generation);
    return fast ?? parseLineMessages(rendered, options);
  }
  if ((options.apiType ?? 'chat') !== 'chat') return [{ role: 'system', content: rendered.trim() }];
  return parseLegacyMessages(rendered, options);
}
