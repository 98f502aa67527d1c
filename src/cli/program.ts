import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { loadConfig, type OpmConfig } from '../config/index.js';
import { createFileSource, type FileSource } from '../registry/index.js';
import { type CliIo, EXIT, reportError } from './output.js';
import { readPackageVersion } from './version.js';

/** What every command receives: its streams, the environment and the prompts folder. */
export interface CliContext {
  io: CliIo;
  /** The environment, for `${env:}` references and settings. */
  env: Record<string, string | undefined>;
  cwd: string;
  /**
   * The validated configuration (environment + `opm.config.json`), loaded on first use so that
   * commands which need none of it never fail on an unrelated setting.
   * @throws ConfigError listing every invalid setting.
   */
  config(): OpmConfig;
  /** The prompts root: `--prompts`, else the config's `promptsDir` (`OPM_PROMPTS_DIR`, `./prompts`). */
  promptsRoot(): string;
  /** A file source over `promptsRoot()`, created on first use. */
  openSource(): FileSource;
  /** Sets the code the process exits with (the last call wins). */
  setExitCode(code: number): void;
  /**
   * Runs a command body: any error is reported (on stderr, and as JSON on stdout with `--json`)
   * and turns into exit code 1.
   */
  guard(options: { json: boolean }, body: () => Promise<void> | void): Promise<void>;
}

/** Adds one command to the program. Each `commands/*.ts` exports one of these. */
export type CommandRegistrar = (program: Command, context: CliContext) => void;

export interface RunCliOptions {
  commands: readonly CommandRegistrar[];
  io: CliIo;
  env: Record<string, string | undefined>;
  cwd: string;
}

const EXAMPLES = `
Examples:
  $ opm list
  $ opm show acme/support/triage
  $ opm render acme/support/triage --var ticket="My invoice is wrong" --json
  $ opm render ./drafts/new.prompty --sample
  $ opm validate                      # every prompt under the prompts folder
  $ OPM_PROMPTS_DIR=./my-prompts opm list --json`;

/** Parses `argv` (without node and script), runs the command and returns the exit code. */
export async function runCli(argv: readonly string[], options: RunCliOptions): Promise<number> {
  const { io, env, cwd } = options;
  let exitCode: number = EXIT.ok;
  let source: FileSource | undefined;
  let config: OpmConfig | undefined;
  const program = new Command('opm')
    .description('Open Prompt Manager: .prompty prompts addressed by slug, rendered and run by workers.')
    .version(readPackageVersion(), '-V, --version', 'print the opm version')
    .option('--prompts <dir>', 'prompts folder (env OPM_PROMPTS_DIR, default ./prompts)')
    .addHelpText('after', EXAMPLES)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });

  const context: CliContext = {
    io,
    env,
    cwd,
    config() {
      config ??= loadConfig({ env, cwd });
      return config;
    },
    promptsRoot() {
      const chosen = program.opts<{ prompts?: string }>().prompts;
      return chosen === undefined
        ? path.resolve(cwd, context.config().promptsDir)
        : path.resolve(cwd, chosen);
    },
    openSource() {
      source ??= createFileSource({ root: context.promptsRoot(), env });
      return source;
    },
    setExitCode(code) {
      exitCode = code;
    },
    async guard(guardOptions, body) {
      try {
        await body();
      } catch (error) {
        exitCode = reportError(io, error, guardOptions);
      }
    },
  };

  for (const register of options.commands) register(program, context);
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    return reportError(io, error, { json: false });
  } finally {
    await source?.close?.();
  }
  return exitCode;
}
