import Mustache from 'mustache';
import { PromptyError } from '../errors.js';
import { LruCache, templateKey } from './compile-cache.js';
import { isForbiddenKey } from './sandbox-policy.js';
import { assertBuildableLength } from './sandbox-runtime.js';
import { stringifyValue } from './stringify.js';

/**
 * Mustache rendering. `{{x}}` is HTML-escaped the way the reference Python runtimes escape it
 * (chevron and prompty's vendored mustache: `& " < >` only). mustache.js would also escape `' / \` =`,
 * which is why the v1 promptyjs expectation files contain `&#39;`; opm follows the reference.
 */

const ESCAPES: Record<string, string> = { '&': '&amp;', '"': '&quot;', '<': '&lt;', '>': '&gt;' };

/** Escapes `& " < >`, as Python's chevron does. */
export function escapeMustache(text: string): string {
  return text.replace(/[&"<>]/g, (c) => ESCAPES[c] ?? c);
}

type Token = [string, string, number, number, Token[]?, ...unknown[]];

/** Names that render a value or open a section; their paths are checked against forbidden keys. */
const NAMED_TOKENS = new Set(['name', '&', '#', '^', '>']);

class SandboxWriter extends Mustache.Writer {
  constructor() {
    super();
    // mustache.js caches every template forever; opm keeps its own bounded cache instead.
    (this as unknown as { templateCache: unknown }).templateCache = undefined;
  }

  /** Templates and partials are parsed and vetted once per content (and delimiters), then cached. */
  override parse(template: string, tags?: Mustache.OpeningAndClosingTags): Mustache.TemplateSpans {
    // Default delimiters key by the text itself (V8 caches a string's hash); others by a digest.
    const delimiters = (tags ?? Mustache.tags).join(' ');
    const custom = delimiters !== '{{ }}';
    const key = custom ? templateKey(`mustache:${delimiters}`, template) : template;
    const tokens = (custom ? parsedCustom : parsed).getOrCreate(key, () =>
      parseVetted(template, () => super.parse(template, tags) as unknown as Token[]),
    );
    return tokens as unknown as Mustache.TemplateSpans;
  }

  override unescapedValue(token: string[], context: Mustache.Context): string {
    const value: unknown = context.lookup(token[1] ?? '');
    return value == null ? (undefined as unknown as string) : stringifyValue(value);
  }

  override escapedValue(token: string[], context: Mustache.Context): string {
    const value: unknown = context.lookup(token[1] ?? '');
    return value == null ? (undefined as unknown as string) : escapeMustache(stringifyValue(value));
  }
}

const parsed = new LruCache<Token[]>(500);
const parsedCustom = new LruCache<Token[]>(500);
const writer = new SandboxWriter();

function positionAt(template: string, offset: number): { line: number; column: number } {
  const before = template.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

function vet(template: string, tokens: Token[]): void {
  const visit = (list: Token[]): void => {
    for (const token of list) {
      const [type, name, start] = token;
      if (NAMED_TOKENS.has(type) && name !== '.' && name.split('.').some(isForbiddenKey)) {
        throw new PromptyError('prompty.template_forbidden', `Name "${name}" is not allowed`, {
          details: positionAt(template, start),
        });
      }
      if (Array.isArray(token[4])) visit(token[4]);
    }
  };
  visit(tokens);
}

/** Parses (mustache.js' own parser) and vets a template; syntax errors become `prompty.template_syntax`. */
function parseVetted(template: string, parse: () => Token[]): Token[] {
  let tokens: Token[];
  try {
    tokens = parse();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const offset = Number(/ at (\d+)\s*$/.exec(message)?.[1]);
    throw new PromptyError('prompty.template_syntax', message, {
      details: Number.isFinite(offset) ? positionAt(template, offset) : {},
      cause: error,
    });
  }
  vet(template, tokens);
  return tokens;
}

/** Renders a mustache template with sandboxed values; partials resolve only from `templates`. */
export function renderMustache(
  template: string,
  values: Record<string, unknown>,
  templates: Readonly<Record<string, string>>,
): string {
  const partials = (name: string): string => {
    // mustache would print nothing for an unknown partial; opm says so, since it is usually a typo or a probe.
    if (!Object.hasOwn(templates, name)) {
      throw new PromptyError('prompty.template_forbidden', `Partial "${name}" is not available`);
    }
    return templates[name] ?? '';
  };
  const output = writer.render(template, values, partials);
  assertBuildableLength(output.length);
  return output;
}
