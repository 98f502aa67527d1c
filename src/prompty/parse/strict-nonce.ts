import { randomBytes } from 'node:crypto';
import { LruCache } from '../render/compile-cache.js';
import { formatRoleAttributes, NONCE_ATTRIBUTE } from './attributes.js';
import { matchRoleBoundary, splitLines } from './role-marker.js';

/**
 * Strict mode (research §5.2): before rendering, every role marker written in the template itself is
 * stamped with a per-render nonce; after rendering, the parser accepts only boundaries carrying it, so a
 * marker smuggled in through an input value is refused.
 */

/**
 * The render variable holding the per-render nonce. Template markers are stamped with a reference
 * to it rather than with the nonce itself, so the stamped template is the same on every render and
 * compiles once; values cannot forge it because they are never rendered as templates.
 */
export const NONCE_VARIABLE = 'opm_strict_nonce';

const POOL_BYTES = 4096;
// Hex of a pool of CSPRNG bytes, and how many of its characters were handed out.
let pool = '';
let used = 0;

/**
 * `byteCount` fresh CSPRNG bytes as hex. Bytes come from a pooled buffer (as `crypto.randomUUID`
 * does), turned into hex once per pool, and are handed out once each: per call, filling or even
 * hex-encoding costs more than the render they protect.
 */
export function randomHex(byteCount: number): string {
  const length = byteCount * 2;
  if (used + length > pool.length) {
    pool = randomBytes(Math.max(POOL_BYTES, byteCount)).toString('hex');
    used = 0;
  }
  const hex = pool.slice(used, used + length);
  used += length;
  return hex;
}

/** A fresh nonce: 16 hex characters from a CSPRNG. */
export function createNonce(): string {
  return randomHex(8);
}

// Keyed by the role set itself (callers pass the V2/V1/BETA constants), weakly so no set is kept alive.
const stamped = new WeakMap<ReadonlySet<string>, LruCache<string>>();

/**
 * `template` with every boundary line stamped `role[nonce="{{ opm_strict_nonce }}"]:` (both jinja2 and
 * mustache print the variable), cached per template text.
 */
export function stampTemplateBoundaries(template: string, roles: ReadonlySet<string>): string {
  let cache = stamped.get(roles);
  if (!cache) {
    cache = new LruCache<string>(500);
    stamped.set(roles, cache);
  }
  return cache.getOrCreate(template, () => tagTemplateBoundaries(template, `{{ ${NONCE_VARIABLE} }}`, roles));
}

/**
 * Stamps `nonce` onto every boundary line of `template`, keeping the marker's other attributes
 * (the reference runtimes drop them; spec §6.3 says keep them).
 */
export function tagTemplateBoundaries(template: string, nonce: string, roles: ReadonlySet<string>): string {
  return splitLines(template)
    .map((line) => {
      const boundary = matchRoleBoundary(line, roles);
      if (!boundary) return line;
      const attributes = { ...boundary.attributes, [NONCE_ATTRIBUTE]: nonce };
      const indent = /^\s*/.exec(line)?.[0] ?? '';
      return `${indent}${boundary.role}[${formatRoleAttributes(attributes)}]:`;
    })
    .join('\n');
}

const MAX_SEARCH_DEPTH = 16;

function containsLine(value: unknown, line: string, depth: number): boolean {
  if (typeof value === 'string') return value.includes(line);
  if (depth >= MAX_SEARCH_DEPTH || typeof value !== 'object' || value === null) return false;
  return Object.values(value).some((item) => containsLine(item, line, depth + 1));
}

/** The top-level input whose value contains the injected marker `line`, when one does. */
export function injectionSource(
  line: string,
  values: Record<string, unknown> | undefined,
): string | undefined {
  if (!values) return undefined;
  const needle = line.trim();
  if (!needle) return undefined;
  return Object.keys(values).find((name) => containsLine(values[name], needle, 0));
}

/** The first line of `text` that looks like a role marker, even with text after the colon. */
export function findForgedBoundary(text: string, roles: ReadonlySet<string>): string | undefined {
  return splitLines(text).find(
    (line) => matchRoleBoundary(line, roles, { allowTrailingText: true }) !== null,
  );
}
