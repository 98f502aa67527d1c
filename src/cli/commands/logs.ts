import { and, asc, eq, sql } from 'drizzle-orm';
import { type Db, listRuns, RUN_STATUSES, type Run, type RunStatus, runs } from '../../store/index.js';
import { CliError } from '../errors.js';
import type { CliIo } from '../output.js';
import type { CommandRegistrar } from '../program.js';
import { withRegistryStore } from './registry-store.js';
import { parseSince } from './stats.js';

interface LogsCommandOptions {
  slug?: string;
  status?: string;
  since?: string;
  limit?: string;
  follow?: boolean;
  intervalMs?: string;
  json?: boolean;
}

/** The fields of a run one log line shows; `--json` prints exactly these, one object per line. */
export function logEntry(run: Run) {
  return {
    time: (run.finishedAt ?? run.createdAt).toISOString(),
    jobId: run.jobId,
    status: run.status,
    slug: run.slug,
    version: run.version,
    label: run.label,
    model: run.modelUsed ?? run.modelRequested,
    totalMs: run.totalMs,
    llmLatencyMs: run.llmLatencyMs,
    tokensIn: run.tokensIn,
    tokensOut: run.tokensOut,
    costUsd: run.costUsd,
    error: run.errorCode === null ? null : { code: run.errorCode, message: run.errorMessage },
    traceId: run.traceId,
  };
}

function formatLine(run: Run): string {
  const entry = logEntry(run);
  const tokens = entry.tokensIn === null ? '' : ` tokens=${entry.tokensIn}/${entry.tokensOut}`;
  const cost = entry.costUsd === null ? '' : ` cost=$${entry.costUsd.toFixed(6)}`;
  const outcome = entry.error === null ? '' : ` error=${entry.error.code}: ${entry.error.message ?? ''}`;
  const version = entry.version === null ? '' : `@${entry.version}`;
  return `${entry.time} ${entry.status.padEnd(9)} ${entry.slug}${version} model=${entry.model ?? '-'} ${
    entry.totalMs ?? '-'
  }ms${tokens}${cost} job=${entry.jobId}${outcome}`;
}

function write(io: CliIo, runs: readonly Run[], json: boolean): void {
  for (const run of runs) io.stdout.write(`${json ? JSON.stringify(logEntry(run)) : formatLine(run)}\n`);
}

function parseStatus(value: string | undefined): RunStatus | undefined {
  if (value === undefined) return undefined;
  if ((RUN_STATUSES as readonly string[]).includes(value)) return value as RunStatus;
  throw new CliError(
    'cli.invalid_option',
    `--status must be one of ${RUN_STATUSES.join(', ')}; got "${value}"`,
  );
}

function parseCount(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) {
    throw new CliError('cli.invalid_option', `${name} must be a positive integer; got "${value}"`);
  }
  return number;
}

const FOLLOW_PAGE = 1_000;

/** Where `--follow` goes on from: after a printed run, or (nothing printed yet) from an instant. */
type Cursor = { id: string } | { since: Date };

/**
 * Prints runs stored after the cursor, oldest first, until the signal. The cursor is
 * `(created_at, id)`: rows of one batch share `created_at`, so the timestamp alone would skip some.
 */
async function follow(
  db: Db,
  io: CliIo,
  filter: { slug?: string | undefined; status?: RunStatus | undefined },
  cursor: Cursor,
  options: { json: boolean; intervalMs: number; signal: AbortSignal },
): Promise<void> {
  let last = cursor;
  while (!options.signal.aborted) {
    // The last row's own created_at (microseconds), not a JS Date (milliseconds), or it would repeat.
    const conditions = [
      'id' in last
        ? sql`(${runs.createdAt}, ${runs.id}) > (select c.created_at, c.id from ${runs} as c where c.id = ${last.id})`
        : sql`${runs.createdAt} >= ${last.since.toISOString()}::timestamptz`,
    ];
    if (filter.slug !== undefined) conditions.push(eq(runs.slug, filter.slug));
    if (filter.status !== undefined) conditions.push(eq(runs.status, filter.status));
    const page = await db
      .select()
      .from(runs)
      .where(and(...conditions))
      .orderBy(asc(runs.createdAt), asc(runs.id))
      .limit(FOLLOW_PAGE);
    write(io, page, options.json);
    const newest = page.at(-1);
    if (newest !== undefined) last = { id: newest.id };
    if (page.length === FOLLOW_PAGE) continue;
    await new Promise((resolve) => {
      const timer = setTimeout(resolve, options.intervalMs);
      options.signal.addEventListener('abort', () => resolve(clearTimeout(timer)), { once: true });
    });
  }
}

/** `opm logs [--slug] [--status] [--since] [--limit] [--follow] [--json]`: the runs table as a log. */
export const logsCommand: CommandRegistrar = (program, context) => {
  program
    .command('logs')
    .description('print stored runs, newest last; --follow keeps printing new runs as workers store them')
    .option('--slug <slug>', 'only this prompt')
    .option('--status <status>', `only ${RUN_STATUSES.join(' | ')} runs`)
    .option('--since <when>', 'only runs since a duration ago (30m, 24h) or an ISO date')
    .option('-n, --limit <n>', 'how many recent runs to print first', '20')
    .option('-f, --follow', 'keep printing new runs until Ctrl-C')
    .option('--interval-ms <ms>', 'how often --follow looks for new runs', '1000')
    .option('--json', 'one JSON object per line: {time,jobId,status,slug,version,label,model,totalMs,...}')
    .addHelpText(
      'after',
      `
Examples:
  $ opm logs --slug acme/support/triage --status failed
  $ opm logs --follow --json | jq .error`,
    )
    .action(async (options: LogsCommandOptions) => {
      const json = options.json === true;
      await context.guard({ json }, async () => {
        const filter = {
          slug: options.slug,
          status: parseStatus(options.status),
          after: options.since === undefined ? undefined : parseSince(options.since),
        };
        const limit = parseCount('--limit', options.limit, 20);
        const intervalMs = parseCount('--interval-ms', options.intervalMs, 1_000);
        await withRegistryStore(context, async ({ db }) => {
          const recent = await listRuns(db, { ...filter, limit });
          write(context.io, [...recent].reverse(), json);
          if (options.follow !== true) return;
          const newest = recent[0];
          const cursor: Cursor = newest ? { id: newest.id } : { since: filter.after ?? new Date() };
          const controller = new AbortController();
          const stop = () => controller.abort();
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
          try {
            await follow(db, context.io, filter, cursor, { json, intervalMs, signal: controller.signal });
          } finally {
            process.off('SIGINT', stop);
            process.off('SIGTERM', stop);
          }
        });
      });
    });
};
