/** @module cli — the `opm` command line: the program runner and the seam other capabilities' commands plug into. */

export type { CliErrorCode } from './errors.js';
export { CLI_ERROR_CODES, CliError } from './errors.js';
export type { CliIo, ExitCode } from './output.js';
export { EXIT, reportError, writeJson, writeLines } from './output.js';
export type { CliContext, CommandRegistrar, RunCliOptions } from './program.js';
export { runCli } from './program.js';
