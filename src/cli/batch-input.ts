import fs from 'node:fs';
import { CliError } from './errors.js';

/** One usable line of a batch input: its 1-based line number and its variables. */
export interface BatchItem {
  line: number;
  vars: Record<string, unknown>;
}

/** A line that cannot become a job, and why. */
export interface BadLine {
  line: number;
  message: string;
}

export interface BatchInput {
  items: BatchItem[];
  bad: BadLine[];
}

const PREVIEW_CHARS = 40;

/**
 * Splits JSON Lines into items: each non-blank line must be a JSON object of input variables.
 * Blank lines are skipped; every other line that does not qualify is reported with its number,
 * so one typo does not hide the rest.
 */
export function parseBatchInput(text: string): BatchInput {
  const items: BatchItem[] = [];
  const bad: BadLine[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (error) {
      const preview = trimmed.length > PREVIEW_CHARS ? `${trimmed.slice(0, PREVIEW_CHARS)}…` : trimmed;
      bad.push({ line, message: `not valid JSON (${(error as Error).message}): ${preview}` });
      return;
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      const kind = parsed === null ? 'null' : Array.isArray(parsed) ? 'an array' : `a ${typeof parsed}`;
      bad.push({ line, message: `must be a JSON object of input variables, got ${kind}` });
      return;
    }
    items.push({ line, vars: parsed as Record<string, unknown> });
  });
  return { items, bad };
}

/** Reads and splits a `--input` file (`-` reads stdin). */
export function readBatchInput(file: string): BatchInput {
  let text: string;
  try {
    text = fs.readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (error) {
    throw new CliError('cli.invalid_input_file', `Cannot read --input ${file}: ${(error as Error).message}`, {
      file,
    });
  }
  return parseBatchInput(text);
}
