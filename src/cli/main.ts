#!/usr/bin/env node
import type { CommandRegistrar } from './program.js';
import { startEarlyTelemetry } from './telemetry-first.js';

type LoadCommand = () => Promise<CommandRegistrar>;

/**
 * Every `opm` command, in help order. Adding one is one entry here. Commands load lazily: a
 * command pulls in only its own dependencies (the API, OpenTelemetry, git...), which keeps
 * quick commands such as `opm stats` or `opm render` fast to start.
 */
const COMMANDS: Record<string, LoadCommand> = {
  list: async () => (await import('./commands/list.js')).listCommand,
  show: async () => (await import('./commands/show.js')).showCommand,
  render: async () => (await import('./commands/render.js')).renderCommand,
  validate: async () => (await import('./commands/validate.js')).validateCommand,
  run: async () => (await import('./commands/run.js')).runCommand,
  batch: async () => (await import('./commands/batch.js')).batchCommand,
  worker: async () => (await import('./commands/worker.js')).workerCommand,
  migrate: async () => (await import('./commands/migrate.js')).migrateCommand,
  demo: async () => (await import('./commands/demo.js')).demoCommand,
  serve: async () => (await import('./commands/serve.js')).serveCommand,
  keys: async () => (await import('./commands/keys.js')).keysCommand,
  publish: async () => (await import('./commands/publish.js')).publishCommand,
  deploy: async () => (await import('./commands/deploy.js')).deployCommand,
  rollback: async () => (await import('./commands/rollback.js')).rollbackCommand,
  labels: async () => (await import('./commands/labels.js')).labelsCommand,
  history: async () => (await import('./commands/history.js')).historyCommand,
  diff: async () => (await import('./commands/diff.js')).diffCommand,
  audit: async () => (await import('./commands/audit.js')).auditCommand,
  guard: async () => (await import('./commands/guard.js')).guardCommand,
  logs: async () => (await import('./commands/logs.js')).logsCommand,
  stats: async () => (await import('./commands/stats.js')).statsCommand,
};

/** Global options that take a value, so their value is not mistaken for the command name. */
const GLOBAL_OPTIONS_WITH_VALUE = new Set(['--prompts']);

/** The command the arguments name, or undefined (help, a typo, no command: load them all). */
function requestedCommand(argv: readonly string[]): string | undefined {
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index] as string;
    if (GLOBAL_OPTIONS_WITH_VALUE.has(arg)) {
      index += 1;
    } else if (!arg.startsWith('-')) {
      return Object.hasOwn(COMMANDS, arg) ? arg : undefined;
    }
  }
  return undefined;
}

// `opm list | head` closes our stdout early; that is the reader's choice, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

const argv = process.argv.slice(2);
const requested = requestedCommand(argv);
// Before anything loads http, ioredis or pg, whose instrumentation only patches modules loaded later.
if (requested !== undefined) await startEarlyTelemetry(requested, argv, process.env);
const { runCli } = await import('./program.js');
const names = requested === undefined ? Object.keys(COMMANDS) : [requested];
const commands = await Promise.all(names.map((name) => (COMMANDS[name] as LoadCommand)()));

process.exitCode = await runCli(argv, {
  commands,
  io: { stdout: process.stdout, stderr: process.stderr },
  env: process.env,
  cwd: process.cwd(),
});
