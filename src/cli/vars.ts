import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { CliError } from './errors.js';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Parses repeated `--var` assignments. `name=value` gives the string `value` as typed (so
 * `--var id=007` stays "007"); `name:=json` parses JSON for numbers, booleans, arrays and objects.
 * Later assignments win.
 */
export function parseVarAssignments(assignments: readonly string[]): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const assignment of assignments) {
    const equals = assignment.indexOf('=');
    if (equals <= 0) {
      throw new CliError('cli.invalid_var', `--var "${assignment}" must be name=value or name:=<json>.`, {
        assignment,
      });
    }
    const isJson = assignment[equals - 1] === ':';
    const name = assignment.slice(0, isJson ? equals - 1 : equals);
    const raw = assignment.slice(equals + 1);
    if (!NAME.test(name)) {
      throw new CliError(
        'cli.invalid_var',
        `--var name "${name}" must be an identifier ([A-Za-z_][A-Za-z0-9_]*).`,
        {
          assignment,
        },
      );
    }
    if (!isJson) {
      values[name] = raw;
      continue;
    }
    try {
      values[name] = JSON.parse(raw);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new CliError('cli.invalid_var', `--var ${name}:= is not valid JSON: ${reason}`, { assignment });
    }
  }
  return values;
}

/** Reads a `--vars-file`: a JSON (or YAML, by extension) object of input values. */
export function readVarsFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new CliError('cli.invalid_vars_file', `Cannot read --vars-file ${file}: ${reason}`, { file });
  }
  let parsed: unknown;
  try {
    const extension = path.extname(file).toLowerCase();
    parsed = extension === '.yaml' || extension === '.yml' ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new CliError('cli.invalid_vars_file', `--vars-file ${file} does not parse: ${reason}`, { file });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new CliError('cli.invalid_vars_file', `--vars-file ${file} must hold an object of input values.`, {
      file,
    });
  }
  return parsed as Record<string, unknown>;
}
