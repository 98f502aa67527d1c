import type { z } from 'zod';
import { PromptyError } from './errors.js';
import type { Locator } from './front-matter.js';
import type { LoadWarning, Prompty, Property } from './model.js';

/** What every generation's normaliser shares: where to report, and the warnings collected so far. */
export interface NormalizeContext {
  file?: string | undefined;
  locate: Locator;
  warnings: LoadWarning[];
}

/** The front-matter half of a Prompty; `load.ts` adds the body, the generation and the source. */
export type NormalizedFrontMatter = Pick<
  Prompty,
  'kind' | 'name' | 'metadata' | 'model' | 'inputs' | 'outputs' | 'tools' | 'template' | 'extra'
> &
  Partial<Pick<Prompty, 'displayName' | 'description' | 'opm' | 'sample'>> & {
    /** v2 allows the instructions in the front matter; the body wins when both are present. */
    instructions?: string;
  };

export type Path = (string | number)[];
type Data = Record<string, unknown>;

export function isRecord(value: unknown): value is Data {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function dotted(path: Path): string {
  return path.reduce<string>(
    (out, part) => (typeof part === 'number' ? `${out}[${part}]` : out ? `${out}.${part}` : part),
    '',
  );
}

function position(context: NormalizeContext, path: Path): { line?: number; column?: number } {
  const at = context.locate(path);
  return at ? { line: at.line, column: at.column } : {};
}

/** Parses `data` with a front-matter schema; the first issue becomes a located `prompty.invalid_field`. */
export function parseWithSchema<S extends z.ZodType>(
  schema: S,
  data: unknown,
  context: NormalizeContext,
  base: Path = [],
): z.infer<S> {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const issue = deepestIssue(result.error.issues[0] as Issue | undefined);
  const path = [...base, ...(issue?.path ?? []).filter((p) => typeof p !== 'symbol')] as Path;
  throw new PromptyError(
    'prompty.invalid_field',
    `Invalid field '${dotted(path)}': ${issue?.message ?? 'invalid'}`,
    {
      details: {
        ...(context.file === undefined ? {} : { file: context.file }),
        path: dotted(path),
        ...position(context, path),
        issues: result.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
      },
    },
  );
}

type Issue = { path: PropertyKey[]; message: string; errors?: Issue[][] };

/**
 * A union (`model: string | {…}`) fails as a whole; the most useful message is the branch that
 * got deepest into the value, e.g. `model.options` rather than `model`.
 */
function deepestIssue(issue: Issue | undefined): Issue | undefined {
  if (!issue?.errors || issue.errors.length === 0) return issue;
  const candidates = issue.errors
    .map((branch) => deepestIssue(branch[0]))
    .filter((candidate): candidate is Issue => candidate !== undefined);
  const best = candidates.reduce<Issue | undefined>(
    (deepest, candidate) => (deepest && deepest.path.length >= candidate.path.length ? deepest : candidate),
    undefined,
  );
  return best && best.path.length > 0 ? { ...best, path: [...issue.path, ...best.path] } : issue;
}

/** A located `prompty.invalid_field` error for `path`. */
export function invalidField(context: NormalizeContext, path: Path, message: string): PromptyError {
  return new PromptyError('prompty.invalid_field', message, {
    details: {
      ...(context.file === undefined ? {} : { file: context.file }),
      path: dotted(path),
      ...position(context, path),
    },
  });
}

/** Codes of the warnings the loader emits; like error codes, stable for tools to match on. */
export const LOAD_WARNING_CODES = [
  'prompty.unknown_field',
  'prompty.missing_kind',
  'prompty.ignored_field',
] as const;
export type LoadWarningCode = (typeof LOAD_WARNING_CODES)[number];

/** Records a warning at `path`, with the file position when the key came from the file itself. */
export function warn(context: NormalizeContext, code: LoadWarningCode, path: Path, message: string): void {
  context.warnings.push({ code, message, path: dotted(path), ...position(context, path) });
}

/** Reports every key of `record` that is not in `known` and returns those keys with their values. */
export function collectUnknown(
  context: NormalizeContext,
  record: Data,
  known: ReadonlySet<string>,
  path: Path,
): Data {
  const unknown = Object.entries(record).filter(([key]) => !known.has(key));
  for (const [key] of unknown) {
    warn(
      context,
      'prompty.unknown_field',
      [...path, key],
      `Unknown field '${dotted([...path, key])}' kept as is`,
    );
  }
  return Object.fromEntries(unknown);
}

/** Drops `null`/`undefined` values so optional fields stay absent under exactOptionalPropertyTypes. */
export function compact<T extends Data>(record: T): { [K in keyof T]?: Exclude<T[K], null | undefined> } {
  return Object.fromEntries(
    Object.entries(record).filter(([, value]) => value !== null && value !== undefined),
  ) as {
    [K in keyof T]?: Exclude<T[K], null | undefined>;
  };
}

/** The v2 kind a sample value implies, for shorthand inputs and untyped declarations. */
export function inferKind(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'float';
  if (isRecord(value)) return 'object';
  return 'string';
}

/** `metadata.opm` is opm's own settings block; Microsoft runtimes ignore metadata, so it lives there. */
export function opmBlock(metadata: Data, context: NormalizeContext): Data | undefined {
  const opm = metadata.opm;
  if (opm === undefined || opm === null) return undefined;
  if (!isRecord(opm)) throw invalidField(context, ['metadata', 'opm'], "'metadata.opm' must be a mapping");
  return opm;
}

/** How each generation spells a property: field renames and the fields it knows. */
export interface PropertyDialect {
  rename: Readonly<Record<string, string>>;
  known: ReadonlySet<string>;
  /** Whether a declaration without `kind` deserves a warning (it does in v2, where kind is required). */
  warnMissingKind: boolean;
}

const TYPE_ALIASES: Readonly<Record<string, string>> = {
  list: 'array',
  str: 'string',
  int: 'integer',
  bool: 'boolean',
  dict: 'object',
};

/**
 * Normalises inputs, outputs or tool parameters written as a list of `{name, …}` or as a mapping
 * of name → declaration (or name → scalar shorthand, which becomes the default).
 */
export function normalizeProperties(
  value: unknown,
  dialect: PropertyDialect,
  context: NormalizeContext,
  path: Path,
): Property[] {
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) {
    return value.map((item, index) => {
      if (!isRecord(item) || typeof item.name !== 'string' || item.name === '') {
        throw invalidField(context, [...path, index], `'${dotted([...path, index])}' needs a 'name'`);
      }
      return normalizeProperty(item.name, item, dialect, context, [...path, index]);
    });
  }
  if (!isRecord(value)) throw invalidField(context, path, `'${dotted(path)}' must be a list or a mapping`);
  return Object.entries(value).map(([name, item]) =>
    isRecord(item)
      ? normalizeProperty(name, item, dialect, context, [...path, name])
      : { name, kind: inferKind(item), ...(item === null ? {} : { default: item }) },
  );
}

function normalizeProperty(
  name: string,
  raw: Data,
  dialect: PropertyDialect,
  context: NormalizeContext,
  path: Path,
): Property {
  collectUnknown(context, raw, dialect.known, path);
  const out: Property = { name, kind: '' };
  for (const [key, value] of Object.entries(raw)) {
    if (key === 'name' || value === null || value === undefined) continue;
    const target = dialect.rename[key] ?? key;
    if (target === 'kind' && typeof value === 'string') out.kind = TYPE_ALIASES[value] ?? value;
    else if (target === 'items' && isRecord(value)) {
      out.items = normalizeProperty(`${name}.items`, value, dialect, context, [...path, key]);
    } else if (target === 'properties')
      out.properties = normalizeProperties(value, dialect, context, [...path, key]);
    else Object.defineProperty(out, target, { value, enumerable: true, writable: true, configurable: true });
  }
  if (out.kind === '') {
    out.kind = inferKind(out.default ?? out.example);
    if (dialect.warnMissingKind) {
      warn(context, 'prompty.missing_kind', path, `'${dotted(path)}' has no 'kind'; assumed '${out.kind}'`);
    }
  }
  return out;
}
