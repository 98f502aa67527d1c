import { matchRoleBoundary } from './role-marker.js';
import { randomHex } from './strict-nonce.js';

/**
 * promptflow's `escape_roles` (research §5.4): before rendering, every role-marker line inside a string
 * input is swapped for a random token, so a value can never start a message; after parsing, the tokens
 * are swapped back in the message texts. Lines are matched with the linear role scanner rather than
 * promptflow's `^\s*#?\s*(role)\s*:\s*\n` regex (whose nested `\s*` backtracks on long blank runs).
 */

/** The roles promptflow escaped. */
const ESCAPED_ROLES: ReadonlySet<string> = new Set(['system', 'user', 'assistant', 'function', 'tool']);

export interface RoleEscapes {
  /** The values with role-marker lines replaced by tokens. */
  values: Record<string, unknown>;
  /** Puts the original marker lines back into rendered or parsed text. */
  restore(text: string): string;
}

/** Escapes role-marker lines in every string of `values` (nested in lists and mappings too). */
export function escapeRoleMarkers(values: Record<string, unknown>): RoleEscapes {
  const tokens = new Map<string, string>();
  const prefix = `\u0000pf-role-${randomHex(8)}-`;
  const escapeString = (text: string): string => {
    if (!text.includes(':')) return text;
    const lines = text.split('\n');
    let changed = false;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i] as string;
      if (!matchRoleBoundary(line, ESCAPED_ROLES)) continue;
      let token = tokens.get(line);
      if (token === undefined) {
        token = `${prefix}${tokens.size}\u0000`;
        tokens.set(line, token);
      }
      lines[i] = token;
      changed = true;
    }
    return changed ? lines.join('\n') : text;
  };
  const visit = (value: unknown, depth: number): unknown => {
    if (typeof value === 'string') return escapeString(value);
    if (depth > 64 || typeof value !== 'object' || value === null) return value;
    if (Array.isArray(value)) return value.map((item) => visit(item, depth + 1));
    const out: Record<string, unknown> = Object.create(null);
    for (const [key, item] of Object.entries(value)) out[key] = visit(item, depth + 1);
    return out;
  };
  const escaped = Object.fromEntries(Object.entries(values).map(([key, value]) => [key, visit(value, 0)]));
  const originals = new Map([...tokens].map(([line, token]) => [token, line]));
  return {
    values: escaped,
    restore: (text) =>
      originals.size === 0 || !text.includes(prefix)
        ? text
        : text.replace(new RegExp(`${prefix}\\d+\u0000`, 'g'), (token) => originals.get(token) ?? token),
  };
}
