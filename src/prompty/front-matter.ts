import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { PromptyError } from './errors.js';

/** A .prompty file cut in two: the YAML front matter (if any) and the template body. */
export interface FrontMatterSplit {
  /** The YAML text between the delimiters; `null` when the file has no front matter. */
  frontMatter: string | null;
  /** The template body, without leading newlines or trailing whitespace. */
  body: string;
  /** 1-based file line of the first front-matter line (0 when there is no front matter). */
  frontMatterLine: number;
  /** 1-based file line where the body starts. */
  bodyLine: number;
}

/** `---`, or `+++` which the v2 spec and the Python runtime also accept; the closing one must match. */
const DELIMITERS = new Set(['---', '+++']);

/**
 * Splits a .prompty file. Unlike the reference regex, the closing `---` must sit alone on its own
 * line, so `name: a---b` stays inside the YAML. A BOM is dropped and CRLF becomes LF.
 */
export function splitFrontMatter(text: string): FrontMatterSplit {
  const normalized = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const lines = normalized.split('\n');
  let open = 0;
  while (open < lines.length && (lines[open] ?? '').trim() === '') open++;
  const opening = lines[open];
  const delimiter = opening?.trim();
  if (delimiter === undefined || !DELIMITERS.has(delimiter)) return bodyOnly(lines, 0);
  const closing = new RegExp(`^${delimiter.replace(/\+/g, '\\+')}[ \t]*$`);
  let close = open + 1;
  while (close < lines.length && !closing.test(lines[close] ?? '')) close++;
  if (close >= lines.length) return bodyOnly(lines, 0);
  const rest = bodyOnly(lines, close + 1);
  return { ...rest, frontMatter: lines.slice(open + 1, close).join('\n'), frontMatterLine: open + 2 };
}

function bodyOnly(lines: string[], from: number): FrontMatterSplit {
  let start = from;
  while (start < lines.length && lines[start] === '') start++;
  return {
    frontMatter: null,
    body: lines.slice(start).join('\n').trimEnd(),
    frontMatterLine: 0,
    bodyLine: start + 1,
  };
}

/** A 1-based position in the .prompty file. */
export interface FilePosition {
  line: number;
  column: number;
}

/** Finds where a front-matter key sits in the file, for warnings and errors. */
export type Locator = (path: readonly (string | number)[]) => FilePosition | undefined;

/** Parsed front matter: the plain data and a way back to file positions. */
export interface ParsedFrontMatter {
  data: Record<string, unknown>;
  locate: Locator;
}

/**
 * Parses the YAML front matter. Errors carry line and column in the FILE, not in the YAML
 * snippet, so editors can jump to them.
 */
export function parseFrontMatter(split: FrontMatterSplit, file?: string): ParsedFrontMatter {
  if (split.frontMatter === null || split.frontMatter.trim() === '') {
    return { data: {}, locate: () => undefined };
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(split.frontMatter, { lineCounter, prettyErrors: false });
  const offset = split.frontMatterLine - 1;
  const toFile = (pos: number): FilePosition => {
    const { line, col } = lineCounter.linePos(pos);
    return { line: line + offset, column: col };
  };
  const first = doc.errors[0];
  if (first) {
    const at = toFile(first.pos[0]);
    throw new PromptyError(
      'prompty.invalid_front_matter',
      `Invalid frontmatter: ${first.message.split('\n')[0] ?? first.message}`,
      { details: { ...(file === undefined ? {} : { file }), ...at } },
    );
  }
  const data: unknown = doc.toJS({ maxAliasCount: 100 });
  if (data === null || data === undefined) return { data: {}, locate: () => undefined };
  if (typeof data !== 'object' || Array.isArray(data)) {
    const at = doc.contents?.range
      ? toFile(doc.contents.range[0])
      : { line: split.frontMatterLine, column: 1 };
    throw new PromptyError(
      'prompty.invalid_front_matter',
      'Invalid frontmatter: it must be a YAML mapping of keys to values',
      { details: { ...(file === undefined ? {} : { file }), ...at } },
    );
  }
  const locate: Locator = (path) => {
    const range = findRange(doc.contents, path);
    return range === undefined ? undefined : toFile(range);
  };
  return { data: data as Record<string, unknown>, locate };
}

function findRange(root: unknown, path: readonly (string | number)[]): number | undefined {
  let node = root as Node | null | undefined;
  let keyStart: number | undefined;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find(
        (item) => isScalar(item.key) && String(item.key.value) === String(segment),
      );
      if (!pair) return keyStart;
      keyStart = isScalar(pair.key) ? pair.key.range?.[0] : undefined;
      node = pair.value as Node | null;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment] as Node | undefined;
      if (!item) return keyStart;
      keyStart = item.range?.[0];
      node = item;
    } else {
      return keyStart;
    }
  }
  return keyStart;
}
