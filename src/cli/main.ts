#!/usr/bin/env node
import { auditCommand } from './commands/audit.js';
import { batchCommand } from './commands/batch.js';
import { demoCommand } from './commands/demo.js';
import { deployCommand } from './commands/deploy.js';
import { diffCommand } from './commands/diff.js';
import { guardCommand } from './commands/guard.js';
import { historyCommand } from './commands/history.js';
import { keysCommand } from './commands/keys.js';
import { labelsCommand } from './commands/labels.js';
import { listCommand } from './commands/list.js';
import { logsCommand } from './commands/logs.js';
import { migrateCommand } from './commands/migrate.js';
import { publishCommand } from './commands/publish.js';
import { renderCommand } from './commands/render.js';
import { rollbackCommand } from './commands/rollback.js';
import { runCommand } from './commands/run.js';
import { serveCommand } from './commands/serve.js';
import { showCommand } from './commands/show.js';
import { statsCommand } from './commands/stats.js';
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
  batchCommand,
  workerCommand,
  migrateCommand,
  demoCommand,
  serveCommand,
  keysCommand,
  publishCommand,
  deployCommand,
  rollbackCommand,
  labelsCommand,
  historyCommand,
  diffCommand,
  auditCommand,
  guardCommand,
  logsCommand,
  statsCommand,
];

process.exitCode = await runCli(process.argv.slice(2), {
  commands,
  io: { stdout: process.stdout, stderr: process.stderr },
  env: process.env,
  cwd: process.cwd(),
});
