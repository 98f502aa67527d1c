import fs from 'node:fs';
import path from 'node:path';
import { findPromptFiles, type LintReport, lintPromptFiles, RegistryError } from '../../registry/index.js';
import { EXIT, writeJson, writeLines } from '../output.js';
import type { CliContext, CommandRegistrar } from '../program.js';

/** `file` with its folder's symlinks resolved but not its own name, so a linked file stays visible. */
function realFolder(file: string): string {
  const folder = path.dirname(file);
  return fs.existsSync(folder) ? path.join(fs.realpathSync.native(folder), path.basename(file)) : file;
}

/** Files to check: each path as given, folders expanded to the `.prompty` files under them. */
function expand(context: CliContext, root: string | null, paths: readonly string[]): string[] {
  if (paths.length === 0) return root === null ? [] : findPromptFiles(root);
  return paths.flatMap((given) => {
    const absolute = path.resolve(context.cwd, given);
    const isFolder = fs.existsSync(absolute) && fs.statSync(absolute).isDirectory();
    return isFolder ? findPromptFiles(fs.realpathSync.native(absolute)) : [realFolder(absolute)];
  });
}

function humanLines(context: CliContext, report: LintReport): string[] {
  const lines = report.diagnostics.map((diagnostic) => {
    const file = path.relative(context.cwd, diagnostic.file) || diagnostic.file;
    return `${file}:${diagnostic.line}:${diagnostic.column}: ${diagnostic.severity} ${diagnostic.code} ${diagnostic.message}`;
  });
  const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
  return [
    ...lines,
    `${plural(report.files, 'file')} checked: ${plural(report.errors, 'error')}, ${plural(report.warnings, 'warning')}.`,
  ];
}

/** `opm validate [paths...]`: lints prompt files for CI; exits 1 when any error is found. */
export const validateCommand: CommandRegistrar = (program, context) => {
  program
    .command('validate')
    .description(
      'lint prompt files: load errors, template syntax, undeclared or unused variables, unknown fields',
    )
    .argument('[paths...]', 'files or folders to check (default: every prompt under the prompts folder)')
    .option(
      '--json',
      'print {"files","errors","warnings","diagnostics":[{file,line,column,severity,code,message}]}',
    )
    .addHelpText(
      'after',
      `
Output: one line per finding, file:line:col: error|warning code message; exit code 1 on any error.

Examples:
  $ opm validate
  $ opm validate prompts/acme --json`,
    )
    .action(async (paths: string[], options: { json?: boolean; requireEnv?: boolean }) => {
      const json = options.json === true;
      await context.guard({ json }, async () => {
        const rootPath = context.promptsRoot();
        const root = fs.existsSync(rootPath) ? fs.realpathSync.native(rootPath) : null;
        if (root === null && paths.length === 0) {
          throw new RegistryError('registry.root_not_found', `Prompts folder not found: ${rootPath}`, {
            details: { root: rootPath },
          });
        }
        const files = expand(context, root, paths);
        const report = lintPromptFiles(files, {
          root,
          env: context.env,
          requireEnv: options.requireEnv === true,
        });
        if (json) writeJson(context.io, report);
        else writeLines(context.io, humanLines(context, report));
        context.setExitCode(report.errors > 0 ? EXIT.failure : EXIT.ok);
      });
    });
};
