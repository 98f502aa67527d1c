import { isOpmError } from '../../errors/index.js';
import { PromptyError, type PromptyErrorCode } from '../errors.js';
import type { TrackedRender, TrackedTemplate } from './direct-compiler.js';
import { renderMustache } from './mustache.js';
import { compileJinja, directContext, runCompiled, withIncludeScope } from './nunjucks-env.js';
import { toSandboxValues } from './safe-values.js';
import { DEFAULT_RENDER_LIMITS, type RenderLimits, withRenderBudget } from './sandbox-runtime.js';

/** Template engines opm renders. `jinja2` and `nunjucks` are the same sandboxed nunjucks engine. */
export const TEMPLATE_ENGINES = ['jinja2', 'nunjucks', 'mustache'] as const;
export type TemplateEngine = (typeof TEMPLATE_ENGINES)[number];

export interface RenderTemplateOptions {
  /** Which engine renders the template (the file's `template.format.kind`). */
  engine: TemplateEngine;
  /** Templates reachable from `{% extends %}`/`{% include %}` or mustache partials, keyed by basename. */
  templates?: Readonly<Record<string, string>> | undefined;
  /** The .prompty file, for error locations. */
  file?: string | undefined;
  /** 1-based file line where the template starts, so template errors point into the file. @default 1 */
  bodyLine?: number | undefined;
  /** Drop the newline after a block tag, as promptflow's jinja2 did (`trim_blocks=True`). @default false */
  trimBlocks?: boolean | undefined;
  /** Work budget of one render. @default DEFAULT_RENDER_LIMITS */
  limits?: Partial<RenderLimits> | undefined;
  /**
   * Render on nunjucks only, skipping the direct back end (a direct render of this template just
   * failed: a hostile template is not rendered with a full budget once more). @default false
   */
  nunjucksOnly?: boolean | undefined;
}

/** Narrows a `template.format.kind` string to an engine, or throws `prompty.unsupported`. */
export function toTemplateEngine(kind: string): TemplateEngine {
  const engine = kind.toLowerCase();
  if ((TEMPLATE_ENGINES as readonly string[]).includes(engine)) return engine as TemplateEngine;
  throw new PromptyError(
    'prompty.unsupported',
    `Unknown template format "${kind}" (use jinja2 or mustache)`,
    {
      details: { path: 'template.format.kind' },
    },
  );
}

/**
 * Renders a template in the sandbox. Values are deep-copied into plain data first; undefined prints
 * nothing, HTML is not escaped (jinja2) and whitespace is kept verbatim.
 *
 * @throws PromptyError `prompty.template_syntax`, `prompty.template_forbidden` or
 *   `prompty.template_runtime`, located as `file:line:col` in the .prompty file.
 * @example
 * renderTemplate('Hello {{ name }}!', { name: 'Ada' }, { engine: 'jinja2' }); // 'Hello Ada!'
 */
export function renderTemplate(
  template: string,
  values: Record<string, unknown>,
  options: RenderTemplateOptions,
): string {
  const limits = options.limits ? { ...DEFAULT_RENDER_LIMITS, ...options.limits } : DEFAULT_RENDER_LIMITS;
  const templates = options.templates ?? {};
  try {
    return withRenderBudget(limits, () => {
      if (options.engine === 'mustache') {
        return renderMustache(template, toSandboxValues(values, { nullPrototypeArrays: true }), templates);
      }
      const compiled = compileJinja(
        template,
        'template',
        options.trimBlocks === true ? 'trimBlocks' : 'render',
      );
      const safe = toSandboxValues(values);
      return withIncludeScope(templates, () =>
        runCompiled(compiled, safe, undefined, options.nunjucksOnly === true),
      );
    });
  } catch (error) {
    throw locateTemplateError(error, options);
  }
}

/**
 * {@link renderTemplate} for a jinja2 template compiled with {@link compileTrackedJinja}: also says
 * which lines a parser must look at. `null` when the render needs the nunjucks back end (then
 * `renderTemplate` renders it, or raises the canonical error).
 */
export function renderTrackedTemplate(
  template: TrackedTemplate,
  /** Plain data (data properties), as input resolution produces. */
  values: Record<string, unknown>,
  /** A variable added to (or replacing one of) `values`: the strict-mode nonce. */
  extra: { name: string; value: string },
  limits?: Partial<RenderLimits>,
): TrackedRender | null {
  const budget = limits ? { ...DEFAULT_RENDER_LIMITS, ...limits } : DEFAULT_RENDER_LIMITS;
  try {
    return withRenderBudget(budget, () => {
      // Direct renders read own properties only, so flat data needs no sandbox copy; anything nested does.
      const safe = isFlatData(values) ? values : toSandboxValues(values);
      return template.render(directContext(safe, extra));
    });
  } catch {
    return null;
  }
}

/** Whether every value is a string, a finite-or-not number, a boolean, null or undefined. */
function isFlatData(values: Record<string, unknown>): boolean {
  for (const key of Object.keys(values)) {
    const value = values[key];
    const type = typeof value;
    if (
      value !== null &&
      type !== 'string' &&
      type !== 'number' &&
      type !== 'boolean' &&
      type !== 'undefined'
    ) {
      return false;
    }
  }
  return true;
}

/** Moves a template-relative error position into the .prompty file and adds the file name. */
export function locateTemplateError(
  error: unknown,
  options: Pick<RenderTemplateOptions, 'file' | 'bodyLine'>,
): PromptyError {
  const bodyLine = options.bodyLine ?? 1;
  if (!isOpmError(error) || !error.code.startsWith('prompty.')) {
    const message = error instanceof Error ? error.message : String(error);
    return new PromptyError('prompty.template_runtime', message, {
      details: options.file === undefined ? {} : { file: options.file },
      cause: error,
    });
  }
  const details = { ...error.details };
  if (typeof details.line === 'number') details.line = details.line + bodyLine - 1;
  if (options.file !== undefined) details.file = options.file;
  const where = typeof details.line === 'number' ? `${details.line}:${details.column ?? 1}` : '';
  const prefix =
    options.file === undefined
      ? where
        ? `line ${where}: `
        : ''
      : `${options.file}${where ? `:${where}` : ''}: `;
  return new PromptyError(error.code as PromptyErrorCode, `${prefix}${error.message}`, {
    details,
    cause: error,
  });
}
