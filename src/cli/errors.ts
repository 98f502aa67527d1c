import { OpmError } from '../errors/index.js';

export const CLI_ERROR_CODES = [
  'cli.invalid_var',
  'cli.invalid_vars_file',
  'cli.invalid_option',
  'cli.invalid_input_file',
  'cli.invalid_input_line',
  'cli.redis_unreachable',
  'cli.no_worker',
  'cli.no_prompts',
] as const;
export type CliErrorCode = (typeof CLI_ERROR_CODES)[number];

/** A command-line argument opm cannot use. */
export class CliError extends OpmError<CliErrorCode> {
  constructor(code: CliErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, message, details === undefined ? { status: 400 } : { status: 400, details });
    this.name = 'CliError';
  }
}
