import { isOpmError } from '../../errors/index.js';
import { PromptyError } from '../errors.js';
import { type NunjucksContext, type NunjucksFrame, nunjucksInternals } from './nunjucks-internals.js';
import { isForbiddenKey } from './sandbox-policy.js';
import { stringifyValue } from './stringify.js';

/** Work one render may do before it is stopped; protects workers from hostile templates. */
export interface RenderLimits {
  /** Elements a render may iterate over in total (loops and `range`). @default 1_000_000 */
  maxIterations: number;
  /** Characters a render may output or build with `~`/`+`. @default 64_000_000 */
  maxOutputChars: number;
}

export const DEFAULT_RENDER_LIMITS: RenderLimits = { maxIterations: 1_000_000, maxOutputChars: 64_000_000 };

/** One `{{ }}` output recorded by a provenance render. */
export interface SegmentRecord {
  text: string;
  /** Input names the expression reads. */
  sources: string[];
}

interface SegmentRecorder {
  token: string;
  records: SegmentRecord[];
}

interface ActiveRender {
  limits: RenderLimits;
  iterations: number;
  outputChars: number;
  segments?: SegmentRecorder;
}

// Renders are synchronous, so the render in progress is the top of this stack.
const activeRenders: ActiveRender[] = [];

/** Runs `fn` (a synchronous render) under a fresh budget. */
export function withRenderBudget<T>(limits: RenderLimits, fn: () => T, segments?: SegmentRecorder): T {
  activeRenders.push(
    segments
      ? { limits, iterations: 0, outputChars: 0, segments }
      : { limits, iterations: 0, outputChars: 0 },
  );
  try {
    return fn();
  } finally {
    activeRenders.pop();
  }
}

/** Gives the render in progress its whole budget back, before it starts over on another back end. */
export function restartRenderBudget(): void {
  const render = current();
  render.iterations = 0;
  render.outputChars = 0;
}

function current(): ActiveRender {
  const render = activeRenders.at(-1);
  if (!render) throw new Error('sandboxed template code ran outside a render');
  return render;
}

function overBudget(message: string): never {
  throw new PromptyError('prompty.template_forbidden', message);
}

/** Counts `n` iterations against the budget. */
export function chargeIterations(n: number): void {
  const render = current();
  render.iterations += n;
  if (render.iterations > render.limits.maxIterations) {
    overBudget(`Template iterates over more than ${render.limits.maxIterations} items`);
  }
}

/** Counts `n` output characters against the budget. */
export function chargeOutput(n: number): void {
  const render = current();
  render.outputChars += n;
  if (render.outputChars > render.limits.maxOutputChars) {
    overBudget(`Template output exceeds ${render.limits.maxOutputChars} characters`);
  }
}

/** Fails before building a string longer than the output budget. */
export function assertBuildableLength(length: number): void {
  if (length > current().limits.maxOutputChars) {
    overBudget(`Template builds a string longer than ${current().limits.maxOutputChars} characters`);
  }
}

/**
 * Records an output of a provenance render and prints a marker in its place; the marker is
 * `\uE000<token>:<index>\uE001`, with a per-render random token so values cannot forge one.
 */
export function recordSegment(value: unknown, sources: unknown): string {
  const recorder = current().segments;
  const text = stringifyValue(value);
  if (!recorder) return text;
  const list = typeof sources === 'string' && sources !== '' ? sources.split(',') : [];
  recorder.records.push({ text, sources: list });
  return `\uE000${recorder.token}:${recorder.records.length - 1}\uE001`;
}

/** Jinja `range()`, budgeted before anything is allocated. */
export function safeRange(start: unknown, stop?: unknown, step?: unknown): number[] {
  let from = Number(start);
  let to = Number(stop);
  if (stop === undefined) {
    to = from;
    from = 0;
  }
  const by = step === undefined ? 1 : Number(step);
  if (![from, to, by].every(Number.isFinite) || by === 0) {
    throw new PromptyError('prompty.template_runtime', 'range() needs finite numbers and a non-zero step');
  }
  const count = Math.max(0, Math.ceil((to - from) / by));
  chargeIterations(count);
  return Array.from({ length: count }, (_, i) => from + i * by);
}

function ownValue(obj: unknown, key: string | number): unknown {
  if (typeof obj === 'string' || Array.isArray(obj)) {
    const index = typeof key === 'number' ? key : /^-?\d+$/.test(key) ? Number(key) : undefined;
    if (index !== undefined) return obj.at(index);
    return key === 'length' ? obj.length : undefined;
  }
  if (typeof obj !== 'object' || obj === null) return undefined;
  const name = String(key);
  return Object.hasOwn(obj, name) ? (obj as Record<string, unknown>)[name] : undefined;
}

function guardKey(key: unknown): string | number | undefined {
  if (typeof key === 'number') return key;
  if (typeof key !== 'string' && !(key instanceof String)) return undefined;
  const name = String(key);
  if (isForbiddenKey(name))
    throw new PromptyError('prompty.template_forbidden', `Attribute "${name}" is not allowed`);
  return name;
}

/** `obj.key` / `obj[key]`: own data properties only, never a function, never a prototype. */
export function memberLookup(obj: unknown, key: unknown): unknown {
  if (obj === undefined || obj === null) return undefined;
  const name = guardKey(key);
  if (name === undefined) return undefined;
  const value = ownValue(obj, name);
  return typeof value === 'function' ? undefined : value;
}

export function callWrap(fn: unknown, name: string, context: unknown, args: unknown[]): unknown {
  if (fn !== safeRange) {
    throw new PromptyError('prompty.template_forbidden', `Calling "${name}" is not allowed`);
  }
  return safeRange.apply(context, args as [unknown, unknown?, unknown?]);
}

function contextOrFrameLookup(context: NunjucksContext, frame: NunjucksFrame, name: string): unknown {
  if (isForbiddenKey(name)) return undefined;
  const local = frame.lookup(name);
  if (local !== undefined) return local;
  if (Object.hasOwn(context.ctx, name)) return context.ctx[name];
  if (Object.hasOwn(context.env.globals, name)) return context.env.globals[name];
  return undefined;
}

export function suppressValue(value: unknown): string {
  const text = stringifyValue(value);
  chargeOutput(text.length);
  return text;
}

function handleError(error: unknown, lineno: number, colno: number): unknown {
  if (isOpmError(error)) {
    if (error.details?.line !== undefined) return error;
    return new PromptyError(error.code as PromptyError['code'], error.message, {
      details: { ...error.details, line: lineno + 1, column: colno + 1 },
      cause: error.cause,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new PromptyError('prompty.template_runtime', message, {
    details: { line: lineno + 1, column: colno + 1 },
    cause: error,
  });
}

/** The runtime object compiled templates receive instead of nunjucks' own. */
export const sandboxRuntime: Record<string, unknown> = Object.freeze(
  Object.assign(Object.create(null) as Record<string, unknown>, nunjucksInternals.runtime, {
    memberLookup,
    callWrap,
    contextOrFrameLookup,
    suppressValue,
    handleError,
    makeMacro: () => {
      throw new PromptyError('prompty.template_forbidden', 'Macros are not allowed');
    },
  }),
);
