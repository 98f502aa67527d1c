/**
 * Process entry point of a prompt-run worker: telemetry → config → compose → start → drain on
 * SIGTERM/SIGINT. Run as `node dist/workers/prompt-runner.js` (or `node --import tsx workers/prompt-runner.ts`).
 */
import { loadConfig } from '../src/config/index.js';
import { startTelemetry } from '../src/telemetry/index.js';

async function main(): Promise<void> {
  const config = loadConfig();
  // Telemetry first: its ioredis and pg instrumentation only sees modules loaded after it, so the
  // worker (which loads them) is imported afterwards.
  await startTelemetry(config, { serviceName: 'opm-worker' });
  const { composeWorker, installShutdownHandlers } = await import('../src/worker/index.js');
  const composed = await composeWorker(config, { promptEnv: process.env });
  installShutdownHandlers(composed);
  await composed.start();
}

main().catch((error: unknown) => {
  console.error(JSON.stringify({ level: 'error', message: 'worker failed to start', error: String(error) }));
  process.exit(1);
});
