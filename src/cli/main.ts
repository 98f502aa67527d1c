#!/usr/bin/env node
import { keysCommand } from './commands/keys.js';
import { listCommand } from './commands/list.js';
import { migrateCommand } from './commands/migrate.js';
import { renderCommand } from './commands/render.js';
import { runCommand } from './commands/run.js';
import { serveCommand } from './commands/serve.js';
import { showCommand } from './commands/show.js';
import { validateCommand } from './commands/validate.js';
import { workerCommand } from './commands/worker.js';
import { type CommandRegistrar, runCli } from './program.js';

/** Every `opm` command, in help order. Adding one is an import and one entry here. */
const commands: CommandRegistrar[] = [
  listCommand,
  showCommand,
  renderCommand,
  validateCommand,
  runCommand,
  workerCommand,
  migrateCommand,
  serveCommand,
  keysCommand,
];

process.exitCode = await runCli(process.argv.slice(2), {
  commands,
  io: { stdout: process.stdout, stderr: process.stderr },
  env: process.env,
  cwd: process.cwd(),
});
