import { PromptyError } from '../errors.js';
import { LruCache } from './compile-cache.js';
import {
  compileDirect,
  compileTrackedDirect,
  type DirectContext,
  type DirectEnvironment,
  type DirectTemplate,
  isUnsupportedRender,
  type TrackedTemplate,
} from './direct-compiler.js';
import { parseWithSlices } from './jinja-parser.js';
import { rewriteLoops } from './loop-rewrites.js';
import {
  type NunjucksFrame,
  type NunjucksNode,
  type NunjucksTemplateError,
  nunjucksInternals,
  type RenderFunction,
} from './nunjucks-internals.js';
import { SandboxContext } from './sandbox-context.js';
import { createSandboxFilters, createSandboxTests } from './sandbox-filters.js';
import { instrumentAst } from './sandbox-instrument.js';
import { assertSandboxed } from './sandbox-policy.js';
import { restartRenderBudget, safeRange, sandboxRuntime } from './sandbox-runtime.js';
import { annotateSegments } from './segment-sources.js';

/** A template compiled from a vetted, instrumented AST. */
export interface CompiledJinja {
  root: RenderFunction;
  blocks: Record<string, RenderFunction>;
  /** The same template compiled by the direct back end, when it uses only what that covers. */
  direct: DirectTemplate | null;
}

/** What a template error says about where it happened, in template coordinates (1-based). */
export type TemplatePosition = {
  line?: number;
  column?: number;
};

const COMPILE_CACHE_SIZE = 500;
/**
 * Compiled templates per variant, keyed by the template text itself: equal content finds the same
 * entry, and since V8 caches a string's hash, rendering the same prompt again does not rehash it.
 */
const compiled = {
  render: new LruCache<CompiledJinja>(COMPILE_CACHE_SIZE),
  segments: new LruCache<CompiledJinja>(COMPILE_CACHE_SIZE),
  trimBlocks: new LruCache<CompiledJinja>(COMPILE_CACHE_SIZE),
};

/** Python-jinja2-like options: no autoescape, undefined prints nothing, whitespace kept verbatim. */
const ENV_OPTIONS = { autoescape: false, throwOnUndefined: false, trimBlocks: false, lstripBlocks: false };

/** promptflow rendered with `trim_blocks=True`: the newline right after a block tag is dropped. */
const TRIM_BLOCKS_OPTIONS = { ...ENV_OPTIONS, trimBlocks: true };

/** Parses a template into a nunjucks AST, mapping parse errors to `prompty.template_syntax`. */
export function parseJinja(source: string, trimBlocks = false): NunjucksNode {
  try {
    return parseWithSlices(source, trimBlocks ? TRIM_BLOCKS_OPTIONS : ENV_OPTIONS);
  } catch (error) {
    const e = error as NunjucksTemplateError;
    throw new PromptyError('prompty.template_syntax', cleanMessage(e.message), {
      details: typeof e.lineno === 'number' ? positionOf(e) : endOf(source),
      cause: error,
    });
  }
}

/** nunjucks reports errors at end of input without a position; point at the last line. */
function endOf(source: string): TemplatePosition {
  const lines = source.split('\n');
  return { line: lines.length, column: (lines.at(-1)?.length ?? 0) + 1 };
}

function positionOf(e: NunjucksTemplateError): TemplatePosition {
  return {
    ...(typeof e.lineno === 'number' ? { line: e.lineno } : {}),
    ...(typeof e.colno === 'number' ? { column: e.colno } : {}),
  };
}

function cleanMessage(message: string): string {
  return message
    .replace(/^\(unknown path\)\s*(\[Line \d+, Column \d+\])?\s*/, '')
    .replace(/^parse\w*: /, '')
    .trim();
}

type LoopBindings = (node: unknown, arr: string, i: string, len: string) => void;

/**
 * Adds jinja2's `loop.previtem` and `loop.nextitem` to the `loop.*` nunjucks binds. `arr`, `i` and
 * `len` are names of generated variables, never template text.
 */
function withJinjaLoopBindings(compiler: object): void {
  const target = compiler as { _emitLoopBindings: LoopBindings; _emitLine(code: string): void };
  const nunjucksBindings = target._emitLoopBindings;
  target._emitLoopBindings = function emitLoopBindings(node, arr, i, len) {
    nunjucksBindings.call(this, node, arr, i, len);
    const list = `runtime.isArray(${arr})`;
    this._emitLine(`frame.set("loop.previtem", ${list} && ${i} > 0 ? ${arr}[${i} - 1] : undefined);`);
    this._emitLine(
      `frame.set("loop.nextitem", ${list} && ${i} < ${len} - 1 ? ${arr}[${i} + 1] : undefined);`,
    );
  };
}

/**
 * `segments` compiles the provenance variant used by `renderSegments`; `trimBlocks` renders like
 * promptflow's jinja2 (`trim_blocks=True`; unlike jinja2, nunjucks keeps the newline after a comment).
 */
export type CompileVariant = 'render' | 'segments' | 'trimBlocks';

/** Parses, vets and instruments `source`: the AST both back ends compile. */
function vetted(source: string, name: string, variant: CompileVariant): { ast: NunjucksNode } {
  const ast = parseJinja(source, variant === 'trimBlocks');
  assertSandboxed(ast);
  const instrumented = instrumentAst(rewriteLoops(ast));
  const annotated = variant === 'segments' ? annotateSegments(instrumented) : instrumented;
  return { ast: nunjucksInternals.transformer.transform(annotated, [], name) };
}

/** Parses, vets, instruments and compiles `source`; cached per (variant, source). */
export function compileJinja(
  source: string,
  name = 'template',
  variant: CompileVariant = 'render',
): CompiledJinja {
  return compiled[variant].getOrCreate(source, () => {
    const { ast: transformed } = vetted(source, name, variant);
    let code: string;
    try {
      const compiler = new nunjucksInternals.compiler.Compiler(name, false);
      withJinjaLoopBindings(compiler);
      compiler.compile(transformed);
      code = compiler.getCode();
    } catch (error) {
      const e = error as NunjucksTemplateError;
      throw new PromptyError('prompty.template_syntax', cleanMessage(e.message), {
        details: positionOf(e),
        cause: error,
      });
    }
    // The code is generated from an AST whose identifiers were all checked against IDENTIFIER.
    const props = new Function(code)() as Record<string, RenderFunction>;
    const blocks: Record<string, RenderFunction> = Object.create(null);
    for (const [key, fn] of Object.entries(props)) if (key.startsWith('b_')) blocks[key.slice(2)] = fn;
    const root = props.root;
    if (!root) throw new Error('nunjucks produced no root function');
    // Provenance renders record segments through nunjucks only; the AST is the one nunjucks compiled.
    const direct = variant === 'segments' ? null : compileDirect(transformed, environment);
    return { root, blocks, direct };
  });
}

const tracked = new LruCache<{ markVariable: string; template: TrackedTemplate | null }>(COMPILE_CACHE_SIZE);

/**
 * `source` compiled for line-tracking renders that record where `markVariable` is printed, or `null`
 * when the direct back end does not cover it (render it with {@link compileJinja} then).
 */
export function compileTrackedJinja(source: string, markVariable: string): TrackedTemplate | null {
  const hit = tracked.get(source);
  if (hit !== undefined && hit.markVariable === markVariable) return hit.template;
  // nunjucks must compile it too: a template only the direct back end accepts is no template.
  compileJinja(source);
  const { ast } = vetted(source, 'template', 'render');
  const template = compileTrackedDirect(ast, environment, markVariable);
  tracked.set(source, { markVariable, template });
  return template;
}

interface IncludedTemplate {
  rootRenderFunc: RenderFunction;
  blocks: Record<string, RenderFunction>;
  render(ctx: Record<string, unknown>, frame: NunjucksFrame, cb: (err: unknown, res?: string) => void): void;
}

// Templates reachable by extends/include for the render in progress (renders are synchronous).
const includeScopes: Array<Readonly<Record<string, string>>> = [];

function baseName(name: string): string {
  return name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
}

function getTemplate(
  name: unknown,
  _eager: unknown,
  _parent: unknown,
  ignoreMissing: unknown,
  cb: (err: unknown, tmpl?: IncludedTemplate) => void,
): void {
  const scope = includeScopes.at(-1) ?? {};
  const key = typeof name === 'string' ? baseName(name) : '';
  const source = Object.hasOwn(scope, key) ? scope[key] : ignoreMissing ? '' : undefined;
  if (source === undefined) {
    cb(
      new PromptyError('prompty.template_forbidden', `Template "${String(name)}" is not available`, {
        details: { template: String(name) },
      }),
    );
    return;
  }
  try {
    const tmpl = compileJinja(source, key);
    cb(null, {
      rootRenderFunc: tmpl.root,
      blocks: tmpl.blocks,
      render: (ctx, frame, done) => {
        try {
          done(null, runCompiled(tmpl, ctx, frame));
        } catch (error) {
          done(error);
        }
      },
    });
  } catch (error) {
    cb(error);
  }
}

interface SandboxEnvironment extends DirectEnvironment {
  globals: Record<string, unknown>;
}

function createEnvironment(): SandboxEnvironment {
  const env = new nunjucksInternals.Environment([], ENV_OPTIONS) as Record<string, unknown>;
  env.filters = createSandboxFilters();
  env.tests = createSandboxTests();
  env.globals = Object.assign(Object.create(null), { range: safeRange });
  env.getTemplate = getTemplate;
  return env as unknown as SandboxEnvironment;
}

const environment = createEnvironment();

/**
 * The context of a direct render over `values` (own properties are all it reads, so a caller's
 * object of plain data serves as is) plus one `extra` variable; filters receive it as `this`.
 */
export function directContext(
  values: Record<string, unknown>,
  extra: { name: string; value: string },
): DirectContext & { env: SandboxEnvironment } {
  return { ctx: values, extra, env: environment };
}

let crossCheck = false;

/**
 * Test hook: every render of a directly compiled template also runs on nunjucks, and any difference
 * (text, or one back end throwing where the other does not) fails the render.
 */
export function setRenderCrossCheck(on: boolean): void {
  crossCheck = on;
}

/** Whether the cross-check test hook is on (fast paths then also run the general one and compare). */
export function isRenderCrossCheck(): boolean {
  return crossCheck;
}

/** Renders a compiled template synchronously with already-sandboxed values. */
export function runCompiled(
  tmpl: CompiledJinja,
  values: Record<string, unknown>,
  parentFrame?: NunjucksFrame,
  nunjucksOnly = false,
): string {
  // A root render owns its freshly copied values; an include shares its parent's and must not write them.
  const context = new SandboxContext(values, tmpl.blocks, environment, parentFrame === undefined);
  if (tmpl.direct !== null && parentFrame === undefined && !nunjucksOnly) {
    if (crossCheck) return renderCrossChecked(tmpl, tmpl.direct, context);
    try {
      return tmpl.direct(context);
    } catch {
      // nunjucks renders again: it raises the canonical error, with its position, or covers the case.
      restartRenderBudget();
    }
  }
  return runNunjucks(tmpl, context, parentFrame);
}

function renderCrossChecked(tmpl: CompiledJinja, direct: DirectTemplate, context: SandboxContext): string {
  let directText: string | undefined;
  let directError: unknown;
  try {
    directText = direct(context);
  } catch (error) {
    directError = error;
  }
  restartRenderBudget();
  let text: string | undefined;
  try {
    text = runNunjucks(tmpl, context);
  } catch (error) {
    if (directText !== undefined) {
      throw new Error(
        `direct render printed ${JSON.stringify(directText)} where nunjucks threw: ${String(error)}`,
      );
    }
    throw error;
  }
  if (directText === undefined && !isUnsupportedRender(directError)) {
    throw new Error(
      `direct render threw ${String(directError)} where nunjucks printed ${JSON.stringify(text)}`,
    );
  }
  if (directText !== undefined && directText !== text) {
    throw new Error(`direct render printed ${JSON.stringify(directText)}, nunjucks ${JSON.stringify(text)}`);
  }
  return text;
}

function runNunjucks(tmpl: CompiledJinja, context: SandboxContext, parentFrame?: NunjucksFrame): string {
  const frame = parentFrame ? parentFrame.push(true) : new nunjucksInternals.runtime.Frame();
  frame.topLevel = true;
  let result: string | undefined;
  let failure: unknown;
  let failed = false;
  tmpl.root(environment, context, frame, sandboxRuntime, (err, res) => {
    if (err) {
      failed = true;
      failure = err;
    } else if (!failed) result = res;
  });
  if (failed) throw failure;
  return result ?? '';
}

/** Runs `fn` with `templates` (keyed by basename) reachable from `{% extends %}`/`{% include %}`. */
export function withIncludeScope<T>(templates: Readonly<Record<string, string>>, fn: () => T): T {
  includeScopes.push(templates);
  try {
    return fn();
  } finally {
    includeScopes.pop();
  }
}
