import { startServer } from '../../api/index.js';
import type { CommandRegistrar } from '../program.js';
import { describeDatabase, positiveInteger, redactUrl } from '../queue-session.js';
import { startServeTelemetry } from '../telemetry-first.js';

interface ServeCommandOptions {
  port?: string;
  host?: string;
  quiet?: boolean;
}

/**
 * `opm serve`: the HTTP API until SIGTERM/SIGINT. It refuses to start when no key could
 * authenticate (neither OPM_ADMIN_KEY nor a stored key), so an open API is never an accident.
 */
export const serveCommand: CommandRegistrar = (program, context) => {
  program
    .command('serve')
    .description('serve the HTTP API (runs, events, prompts, stats, keys) until SIGTERM/SIGINT')
    .option('-p, --port <port>', 'port (env OPM_API_PORT, default 8080; 0 picks a free one)')
    .option('--host <host>', 'address to bind (env OPM_API_HOST, default 127.0.0.1)')
    .option('--quiet', 'no request log lines')
    .addHelpText(
      'after',
      `
Every /v1 route needs "Authorization: Bearer <key>". Before the first start, either set
OPM_ADMIN_KEY (a bootstrap admin key, 24+ characters) or create a key with
\`opm keys create --role admin --name ops\`. The first stdout line is {"listening":"<url>"};
logs are JSON lines on stderr. Docs at /docs, the OpenAPI document at /openapi.json.

Examples:
  $ opm keys create --role runner --name checkout-service
  $ opm serve --port 8080
  $ OPM_ADMIN_KEY=$(openssl rand -hex 24) opm serve --host 0.0.0.0`,
    )
    .action(async (options: ServeCommandOptions) => {
      await context.guard({ json: false }, async () => {
        const port = options.port === '0' ? 0 : positiveInteger('--port', options.port);
        const config = { ...context.config(), promptsDir: context.promptsRoot() };
        const log = (entry: Record<string, unknown>) => {
          if (options.quiet && entry.level === 'info') return;
          context.io.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`);
        };
        // Started before the API by the CLI entry when spans are exported; this gets that runtime.
        const telemetry = await startServeTelemetry(config);
        const server = await startServer({
          config,
          ...(port === undefined ? {} : { port }),
          ...(options.host === undefined ? {} : { host: options.host }),
          logger: log,
        });
        log({
          level: 'info',
          msg: 'opm serve listening',
          url: server.url,
          redis: redactUrl(config.redisUrl),
          database: describeDatabase(config).kind,
          promptsDir: config.promptsDir,
          pid: process.pid,
        });
        context.io.stdout.write(`${JSON.stringify({ listening: server.url })}\n`);
        const signal = await new Promise<NodeJS.Signals>((resolve) => {
          process.once('SIGTERM', () => resolve('SIGTERM'));
          process.once('SIGINT', () => resolve('SIGINT'));
        });
        log({ level: 'info', msg: 'opm serve stopping', signal });
        await server.close();
        // Flushes the spans of the last requests.
        await telemetry.shutdown();
      });
    });
};
