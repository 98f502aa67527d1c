import { composeWorker, installShutdownHandlers } from '../../worker/index.js';
import type { CommandRegistrar } from '../program.js';
import { createCliLogger, describeDatabase, positiveInteger, redactUrl } from '../queue-session.js';

interface WorkerCommandOptions {
  concurrency?: string;
  metricsPort?: string;
  quiet?: boolean;
}

/**
 * `opm worker`: a long-running prompt-run worker. It returns once SIGTERM/SIGINT has drained
 * the active jobs and every connection is closed; a second signal exits at once (130).
 */
export const workerCommand: CommandRegistrar = (program, context) => {
  program
    .command('worker')
    .description('run a prompt-run worker until SIGTERM/SIGINT (then drain active jobs and exit 0)')
    .option('-c, --concurrency <n>', 'jobs run at once in this process (env OPM_CONCURRENCY, default 16)')
    .option('--metrics-port <port>', 'serve Prometheus metrics on this port (env OPM_METRICS_PORT)')
    .option('--quiet', 'log only warnings and errors')
    .addHelpText(
      'after',
      `
Logs are JSON lines on stderr. Start as many workers as you like, on any machines that share
REDIS_URL (and DATABASE_URL: with embedded PGlite only one process can open .opm/pglite).

Examples:
  $ opm worker --concurrency 50 --metrics-port 9464
  $ REDIS_URL=redis://redis:6379 DATABASE_URL=postgres://opm@db/opm opm worker`,
    )
    .action(async (options: WorkerCommandOptions) => {
      await context.guard({ json: false }, async () => {
        const concurrency = positiveInteger('--concurrency', options.concurrency);
        const metricsPort = positiveInteger('--metrics-port', options.metricsPort);
        const config = { ...context.config(), promptsDir: context.promptsRoot() };
        const logger = createCliLogger(context.io, { quiet: options.quiet === true });
        const database = describeDatabase(config);
        logger.info('opm worker starting', {
          queue: config.queueName,
          prefix: config.queuePrefix,
          concurrency: concurrency ?? config.worker.concurrency,
          redis: redactUrl(config.redisUrl),
          database: database.kind,
          databaseLocation: database.location,
          defaultProvider: config.gateway.defaultProvider,
          ...(config.gateway.forceProvider === undefined
            ? {}
            : { forceProvider: config.gateway.forceProvider }),
          promptsDir: config.promptsDir,
          pid: process.pid,
        });
        const composed = await composeWorker(config, {
          promptEnv: context.env,
          logger,
          ...(concurrency === undefined ? {} : { concurrency }),
          ...(metricsPort === undefined ? {} : { metricsPort }),
        });
        let uninstall = (): void => undefined;
        const stopped = new Promise<number>((resolve) => {
          uninstall = installShutdownHandlers(composed, {
            // The second signal means "now": active jobs return through stalled-job recovery.
            exit: (code) => (code === 130 ? process.exit(130) : resolve(code)),
          });
        });
        try {
          await composed.start();
        } catch (error) {
          uninstall();
          await composed.close();
          throw error;
        }
        const code = await stopped;
        uninstall();
        logger.info('opm worker stopped', { exitCode: code });
        context.setExitCode(code);
      });
    });
};
