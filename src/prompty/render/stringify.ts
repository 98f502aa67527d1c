/**
 * How a value prints inside `{{ }}` and `~`. opm follows the Prompty Jinja Subset "B2" rules rather
 * than stock Python jinja2: booleans print lowercase, null and undefined print nothing, numbers print
 * in their shortest form (`1.0` → `1`), and lists or mappings print as compact JSON, which is what a
 * model reads best (Python would print `['a', 'b']`, nunjucks `a,b`).
 */
export function stringifyValue(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'undefined':
      return '';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      return Object.is(value, -0) ? '0' : String(value);
    case 'bigint':
      return value.toString();
    case 'object':
      if (value === null) return '';
      if (isSafeString(value)) return value.val;
      return JSON.stringify(value, jsonReplacer) ?? '';
    default:
      // Functions and symbols never reach a template through sandboxed values; print nothing.
      return '';
  }
}

function jsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

/** nunjucks marks `| safe` output with a String subclass carrying `val`. */
function isSafeString(value: object): value is { val: string } {
  return value instanceof String && typeof (value as { val?: unknown }).val === 'string';
}
