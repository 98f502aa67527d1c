import type { OpmConfig } from '../../config/index.js';
import { resolveInputs } from '../../prompty/index.js';
import type { RunResult } from '../../queue/index.js';
import { enqueueWithProgress, waitWithProgress } from '../batch-progress.js';
import { CliError } from '../errors.js';
import { writeJson, writeLines } from '../output.js';
import type { CliContext, CommandRegistrar } from '../program.js';
import {
  assertRedisReachable,
  describeDatabase,
  openClient,
  positiveInteger,
  startLocalWorker,
} from '../queue-session.js';
import { formatMs, formatTokens } from '../run-format.js';
import { createRunTracker } from '../run-tracker.js';
import { formatTable } from '../table.js';

interface DemoOptions {
  perPrompt: string;
  concurrency: string;
  timeout: string;
  json?: boolean;
}

interface DemoItem {
  slug: string;
  vars: Record<string, unknown>;
}

/** Every loadable prompt with its example values, `perPrompt` times each. */
async function demoItems(context: CliContext, perPrompt: number): Promise<DemoItem[]> {
  const source = context.openSource();
  const summaries = (await source.list()).filter((summary) => summary.error === null);
  if (summaries.length === 0) {
    throw new CliError(
      'cli.no_prompts',
      `No loadable prompts under ${context.promptsRoot()}. Run the demo from the repository root, ` +
        'or point --prompts / OPM_PROMPTS_DIR at a folder of .prompty files.',
    );
  }
  const items: DemoItem[] = [];
  for (const summary of summaries) {
    const { prompt } = await source.resolve({ slug: summary.slug });
    const vars = resolveInputs(prompt, {}, { useSample: true });
    for (let copy = 0; copy < perPrompt; copy += 1) items.push({ slug: summary.slug, vars });
  }
  return items;
}

/**
 * The demo's configuration: its own queue (so it never takes a deployment's jobs or hands its own
 * to a deployment's workers) and, with no API key, the `echo` provider for every prompt.
 */
function demoConfig(context: CliContext): { config: OpmConfig; provider: string } {
  const base = context.config();
  const hasCredentials = base.gateway.defaultProvider !== 'echo';
  const forced = base.gateway.forceProvider ?? (hasCredentials ? undefined : 'echo');
  const config: OpmConfig = {
    ...base,
    promptsDir: context.promptsRoot(),
    queueName: `${base.queueName}-demo`,
    gateway: { ...base.gateway, ...(forced === undefined ? {} : { forceProvider: forced }) },
  };
  return { config, provider: forced ?? `${base.gateway.defaultProvider} (each prompt's own provider)` };
}

function preview(result: RunResult | undefined): string {
  if (!result) return '(no result in time)';
  if (result.error) return `[${result.error.code}] ${result.error.message}`;
  return result.text ?? '';
}

/** `opm demo`: the whole path on this machine: queue → worker → provider → store → events. */
export const demoCommand: CommandRegistrar = (program, context) => {
  program
    .command('demo')
    .description('run every example prompt through Redis, an in-process worker and the run store')
    .option('--per-prompt <n>', 'jobs per example prompt', '2')
    .option('-c, --concurrency <n>', 'concurrency of the in-process worker', '8')
    .option('--timeout <ms>', 'how long to wait for the batch', '120000')
    .option('--json', 'print one JSON object with the provider, the results and the totals')
    .addHelpText(
      'after',
      `
Needs only Redis (REDIS_URL, default localhost; \`docker compose up -d redis\` starts one). Runs are
stored in DATABASE_URL, else in embedded PGlite under .opm/. Without OPENROUTER_API_KEY /
OPENAI_API_KEY every prompt is answered by the built-in echo provider, which returns the rendered
messages; OPM_FORCE_PROVIDER=mock uses the scripted mock instead. Jobs go to their own queue
("<OPM_QUEUE_NAME>-demo"), so a running deployment is not disturbed.

Example:
  $ npm run demo`,
    )
    .action(async (options: DemoOptions) => {
      const json = options.json === true;
      await context.guard({ json }, async () => {
        const perPrompt = positiveInteger('--per-prompt', options.perPrompt) ?? 2;
        const concurrency = positiveInteger('--concurrency', options.concurrency);
        const timeoutMs = positiveInteger('--timeout', options.timeout);
        const { config, provider } = demoConfig(context);
        const say = (line: string): void => {
          if (!json) context.io.stderr.write(`${line}\n`);
        };
        await assertRedisReachable(config.redisUrl);
        const items = await demoItems(context, perPrompt);
        const database = describeDatabase(config);
        say(`redis ${config.redisUrl} · queue ${config.queuePrefix}:${config.queueName}`);
        say(`database ${database.kind} ${database.location} · provider ${provider}`);
        const worker = await startLocalWorker(config, { ...context, concurrency });
        const client = openClient(config);
        const tracker = createRunTracker({ client, config });
        const started = Date.now();
        try {
          const jobIds = await enqueueWithProgress(client, items, { io: context.io, json });
          const results = await waitWithProgress(tracker, jobIds, { io: context.io, json, timeoutMs });
          const rows = items.map((item, index) => ({ item, result: results.get(jobIds[index] ?? '') }));
          const completed = rows.filter((row) => row.result?.status === 'completed').length;
          if (completed < rows.length) context.setExitCode(1);
          if (json) {
            writeJson(context.io, {
              provider,
              database,
              results: rows.map((row) => row.result ?? { slug: row.item.slug, status: 'pending' }),
              summary: { total: rows.length, completed, wallMs: Date.now() - started },
            });
            return;
          }
          writeLines(
            context.io,
            formatTable(
              [
                { header: 'slug', maxWidth: 36 },
                { header: 'status' },
                { header: 'model', maxWidth: 28 },
                { header: 'tokens', align: 'right' },
                { header: 'latency', align: 'right' },
                { header: 'output', maxWidth: 48 },
              ],
              rows.map(({ item, result }) => [
                item.slug,
                result?.status ?? 'pending',
                result?.modelUsed ?? '-',
                result ? formatTokens(result) : '-',
                formatMs(result?.totalMs),
                preview(result),
              ]),
            ),
          );
          say(`${completed}/${rows.length} completed in ${formatMs(Date.now() - started)}.`);
        } finally {
          await tracker.close();
          await client.close();
          await worker.close();
        }
      });
    });
};
