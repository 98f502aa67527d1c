import { toErrorJson } from '../errors/index.js';

/** Process exit codes of every `opm` command. */
export const EXIT = {
  ok: 0,
  /** The command ran and failed: an error, or `validate` found errors. */
  failure: 1,
  /** The command line itself was wrong (unknown option, missing argument). */
  usage: 2,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Where a command writes; the real process streams in `main.ts`, buffers in tests. */
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/** Writes one JSON document and a newline to stdout. */
export function writeJson(io: CliIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Writes lines to stdout. */
export function writeLines(io: CliIo, lines: readonly string[]): void {
  if (lines.length > 0) io.stdout.write(`${lines.join('\n')}\n`);
}

/**
 * Reports a failed command: a clear message on stderr and, with `--json`, exactly one
 * `{"error":{"code","message"}}` object on stdout so scripts never parse stderr.
 */
export function reportError(io: CliIo, error: unknown, options: { json: boolean }): ExitCode {
  const { code, message } = toErrorJson(error);
  io.stderr.write(`opm: ${message} [${code}]\n`);
  if (options.json) writeJson(io, { error: { code, message } });
  return EXIT.failure;
}

/** Names that hint a value is a credential, hidden from `show` output. */
const SECRET_KEY = /key|secret|token|password|credential/i;

/** A copy of `value` with credential-looking fields replaced by `***`. */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key,
      SECRET_KEY.test(key) && typeof inner === 'string' ? '***' : redactSecrets(inner),
    ]),
  );
}

/** Short, single-line rendering of any value for human output. */
export function formatValue(value: unknown, maxLength = 60): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
}
