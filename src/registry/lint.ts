import fs from 'node:fs';
import path from 'node:path';
import { isOpmError, toErrorJson } from '../errors/index.js';
import {
  analyzeTemplateVariables,
  type Prompty,
  type PromptyHost,
  renderTemplate,
  safeLoadPrompty,
  toTemplateEngine,
} from '../prompty/index.js';
import { createNodePromptyHost } from './node-host.js';
import { safeRealpath } from './prompt-files.js';
import { explainInvalidSlug, isInside, PROMPT_FILE_EXTENSION } from './slug.js';

/** One finding of `opm validate`, positioned for editors and CI annotations. */
export interface Diagnostic {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  severity: 'error' | 'warning';
  code: string;
  message: string;
}

export interface LintOptions {
  /** The prompts root: files under it must have slug-shaped paths; `${file:}` may not leave it. */
  root: string | null;
  /** Values for `${env:VAR}` references. @default {} */
  env?: Record<string, string | undefined>;
  /** @default createNodePromptyHost() */
  host?: PromptyHost;
  /**
   * Whether an unset `${env:}` variable is an error. By default it is a warning, so CI can lint
   * prompts without holding the secrets they reference. @default false
   */
  requireEnv?: boolean;
}

export interface LintReport {
  files: number;
  errors: number;
  warnings: number;
  diagnostics: Diagnostic[];
}

type Finding = Omit<Diagnostic, 'file'>;

/** Distinct unset variables one file may reference before the linter stops substituting. */
const MAX_ENV_RETRIES = 20;

function load(
  text: string,
  file: string,
  root: string,
  env: Record<string, string | undefined>,
  options: LintOptions,
): ReturnType<typeof safeLoadPrompty> {
  return safeLoadPrompty(text, { path: file, root, host: options.host ?? createNodePromptyHost(), env });
}

/** The 1-based line and column of the first whole-word `name` in lines [from, to), else null. */
function locate(
  lines: readonly string[],
  name: string,
  from: number,
  to: number,
): Pick<Finding, 'line' | 'column'> | null {
  const word = new RegExp(`(^|[^A-Za-z0-9_])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![A-Za-z0-9_])`);
  for (let index = from; index < Math.min(to, lines.length); index += 1) {
    const match = word.exec(lines[index] ?? '');
    if (match) return { line: index + 1, column: match.index + (match[1]?.length ?? 0) + 1 };
  }
  return null;
}

/** Names a template may read: declared inputs, plus v1/promptflow `sample` keys. */
function declaredNames(prompt: Prompty): Set<string> {
  const names = new Set(prompt.inputs.map((input) => input.name));
  if (prompt.generation === 'v1' || prompt.generation === 'promptflow') {
    for (const key of Object.keys(prompt.sample ?? {})) names.add(key);
  }
  return names;
}

/** Renders once with no values: the sandbox refuses forbidden constructs before touching any value. */
function forbiddenConstruct(prompt: Prompty): Finding | null {
  try {
    renderTemplate(
      prompt.instructions,
      {},
      {
        engine: toTemplateEngine(prompt.template.format.kind),
        templates: prompt.source.templates,
        file: prompt.source.path,
        bodyLine: prompt.source.bodyLine,
      },
    );
    return null;
  } catch (error) {
    if (!isOpmError(error)) throw error;
    const { code, message, details } = toErrorJson(error);
    if (code !== 'prompty.template_forbidden') return null;
    const line = typeof details?.line === 'number' ? details.line : prompt.source.bodyLine;
    const column = typeof details?.column === 'number' ? details.column : 1;
    return { line, column, severity: 'error', code, message };
  }
}

function templateFindings(prompt: Prompty, lines: readonly string[]): Finding[] {
  const bodyStart = prompt.source.bodyLine - 1;
  let used: string[];
  try {
    used = analyzeTemplateVariables(prompt.instructions, prompt.template.format.kind).used;
  } catch (error) {
    const { code, message, details } = toErrorJson(error);
    const line = typeof details?.line === 'number' ? details.line : 1;
    const column = typeof details?.column === 'number' ? details.column : 1;
    // A position without a file is relative to the template body, not to the file.
    const inFile = details?.file === undefined ? line + bodyStart : line;
    return [{ line: inFile, column, severity: 'error', code, message }];
  }
  const forbidden = forbiddenConstruct(prompt);
  if (forbidden) return [forbidden];
  const declared = declaredNames(prompt);
  const findings: Finding[] = [];
  for (const name of used) {
    if (declared.has(name)) continue;
    const at = locate(lines, name, bodyStart, lines.length) ?? { line: prompt.source.bodyLine, column: 1 };
    findings.push({
      ...at,
      severity: 'error',
      code: 'validate.undeclared_variable',
      message: `The template uses "${name}", which is not a declared input.`,
    });
  }
  const usedSet = new Set(used);
  for (const input of prompt.inputs) {
    // Thread inputs the template never places are appended after the last message, so they are used.
    if (usedSet.has(input.name) || input.kind === 'thread') continue;
    const at = locate(lines, input.name, 0, bodyStart) ?? { line: 1, column: 1 };
    findings.push({
      ...at,
      severity: 'warning',
      code: 'validate.unused_input',
      message: `Input "${input.name}" is declared but the template never uses it.`,
    });
  }
  return findings;
}

/** Every finding for one prompt file's text. `file` is the absolute path it was read from. */
export function lintPromptText(text: string, file: string, options: LintOptions): Finding[] {
  const findings: Finding[] = [];
  const root = options.root;
  const insideRoot = root !== null && isInside(root, file);
  if (insideRoot) {
    const slug = path.relative(root, file).slice(0, -PROMPT_FILE_EXTENSION.length).split(path.sep).join('/');
    const reason = explainInvalidSlug(slug);
    if (reason !== null) {
      findings.push({
        line: 1,
        column: 1,
        severity: 'error',
        code: 'registry.invalid_slug',
        message: `Path is not a valid slug "${slug}": ${reason}.`,
      });
    }
  }
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const env: Record<string, string | undefined> = { ...options.env };
  const loadRoot = insideRoot ? root : path.dirname(file);
  let loaded = load(text, file, loadRoot, env, options);
  // Each unset variable gets a stand-in and the load is retried, so one missing secret does not hide other findings.
  for (let attempt = 0; !loaded.ok && attempt < MAX_ENV_RETRIES; attempt += 1) {
    const variable = loaded.error.details?.variable;
    if (loaded.error.code !== 'prompty.env_not_set' || options.requireEnv || typeof variable !== 'string')
      break;
    const at = locate(lines, `\${env:${variable}`, 0, lines.length) ?? { line: 1, column: 1 };
    findings.push({ ...at, severity: 'warning', code: loaded.error.code, message: loaded.error.message });
    env[variable] = `unset-${variable}`;
    loaded = load(text, file, loadRoot, env, options);
  }
  if (!loaded.ok) {
    const details = loaded.error.details;
    const variable = details?.variable;
    const at =
      details?.line === undefined && typeof variable === 'string'
        ? locate(lines, `\${env:${variable}`, 0, lines.length)
        : null;
    findings.push({
      line: at?.line ?? details?.line ?? 1,
      column: at?.column ?? details?.column ?? 1,
      severity: 'error',
      code: loaded.error.code,
      message: loaded.error.message,
    });
    return findings;
  }
  const prompt = loaded.value;
  for (const warning of prompt.warnings) {
    findings.push({
      line: warning.line ?? 1,
      column: warning.column ?? 1,
      severity: 'warning',
      code: warning.code,
      message: warning.message,
    });
  }
  findings.push(...templateFindings(prompt, lines));
  return findings;
}

/**
 * Lints prompt files the way a prompt repository's CI needs: load errors with file:line:col,
 * template syntax errors, undeclared variables (errors), unused inputs and unknown fields (warnings).
 */
export function lintPromptFiles(files: readonly string[], options: LintOptions): LintReport {
  const diagnostics: Diagnostic[] = [];
  for (const file of files) {
    const absolute = path.resolve(file);
    const real = safeRealpath(absolute);
    if (
      options.root !== null &&
      real !== null &&
      isInside(options.root, absolute) &&
      !isInside(options.root, real)
    ) {
      const message = `Links to ${real}, outside the prompts folder; the registry refuses it.`;
      diagnostics.push({
        file: absolute,
        line: 1,
        column: 1,
        severity: 'error',
        code: 'registry.path_outside_root',
        message,
      });
      continue;
    }
    let text: string;
    try {
      text = fs.readFileSync(absolute, 'utf8');
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      diagnostics.push({
        file: absolute,
        line: 1,
        column: 1,
        severity: 'error',
        code: 'validate.unreadable',
        message: reason,
      });
      continue;
    }
    const findings = lintPromptText(text, absolute, options);
    findings.sort((a, b) => a.line - b.line || a.column - b.column);
    for (const finding of findings) diagnostics.push({ file: absolute, ...finding });
  }
  const errors = diagnostics.filter((diagnostic) => diagnostic.severity === 'error').length;
  return { files: files.length, errors, warnings: diagnostics.length - errors, diagnostics };
}
