/**
 * Process entry point of a prompt-run worker: config → compose → start → drain on SIGTERM/SIGINT.
 * Run as `node dist/workers/prompt-runner.js` (or `node --import tsx workers/prompt-runner.ts`).
 */
import { loadConfig } from '../src/config/index.js';
import { composeWorker, installShutdownHandlers } from '../src/worker/index.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const composed = await composeWorker(config, { promptEnv: process.env });
  installShutdownHandlers(composed);
  await composed.start();
}

main().catch((error: unknown) => {
  console.error(JSON.stringify({ level: 'error', message: 'worker failed to start', error: String(error) }));
  process.exit(1);
});
