import { USAGE_STATS_GROUPS, type UsageStats, type UsageStatsGroup, usageStats } from '../../store/index.js';
import { CliError } from '../errors.js';
import { writeJson, writeLines } from '../output.js';
import type { CommandRegistrar } from '../program.js';
import { withRegistryStore } from './registry-store.js';

interface StatsCommandOptions {
  since?: string;
  by?: string;
  json?: boolean;
}

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * Reads `--since`: a duration back from `now` (`90s`, `15m`, `24h`, `7d`, `2w`) or an ISO date.
 * @throws CliError `cli.invalid_option` for anything else.
 */
export function parseSince(value: string, now: number = Date.now()): Date {
  const match = /^(\d+(?:\.\d+)?)\s*([smhdw])$/.exec(value.trim());
  if (match) return new Date(now - Number(match[1]) * (UNIT_MS[match[2] as string] as number));
  const date = new Date(value);
  if (/^\d{4}-\d{2}-\d{2}/.test(value) && !Number.isNaN(date.getTime())) return date;
  throw new CliError(
    'cli.invalid_option',
    `--since must be a duration such as 30m, 24h or 7d, or an ISO date; got "${value}"`,
  );
}

function parseGroup(value: string | undefined): UsageStatsGroup | undefined {
  if (value === undefined) return undefined;
  if ((USAGE_STATS_GROUPS as readonly string[]).includes(value)) return value as UsageStatsGroup;
  throw new CliError(
    'cli.invalid_option',
    `--by must be one of ${USAGE_STATS_GROUPS.join(', ')}; got "${value}"`,
  );
}

const ms = (value: number | null) => (value === null ? '-' : `${Math.round(value)}ms`);
const percent = (value: number) => `${(value * 100).toFixed(1)}%`;

/** The human table: one line per group (or one for everything). */
export function statsTable(rows: readonly UsageStats[], by: UsageStatsGroup | undefined): string[] {
  const header = [
    by?.toUpperCase() ?? 'RUNS',
    'COUNT',
    'ERRORS',
    'P50',
    'P95',
    'P99',
    'TOKENS IN',
    'TOKENS OUT',
    'COST USD',
    'FALLBACK',
  ];
  const lines = rows.map((row) => [
    by === undefined ? 'all' : (row.group ?? '(none)'),
    String(row.count),
    percent(row.errorRate),
    ms(row.latencyMs.p50),
    ms(row.latencyMs.p95),
    ms(row.latencyMs.p99),
    String(row.tokensIn),
    String(row.tokensOut),
    row.costUsd.toFixed(4),
    percent(row.fallbackRate),
  ]);
  const widths = header.map((cell, i) =>
    Math.max(cell.length, ...lines.map((line) => (line[i] ?? '').length)),
  );
  const format = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join('  ');
  return [format(header), ...lines.map(format)];
}

/** `opm stats [slug] [--since 24h] [--by model|version|label] [--json]`: usage analytics from the runs table. */
export const statsCommand: CommandRegistrar = (program, context) => {
  program
    .command('stats')
    .description('count, error rate, latency percentiles, tokens, cost and fallback rate of stored runs')
    .argument('[slug]', 'only this prompt')
    .option('--since <when>', 'runs created since a duration ago (30m, 24h, 7d) or an ISO date', '24h')
    .option('--by <group>', `one line per ${USAGE_STATS_GROUPS.join(' | ')}`)
    .option(
      '--json',
      'print {"since","slug","by","rows":[{group,count,completed,failed,errorRate,latencyMs,...}]}',
    )
    .addHelpText(
      'after',
      `
Latency is enqueue to stored run (p50/p95/p99, percentile_cont); FALLBACK is the share of runs that
moved past their primary model. Figures come from the runs table (DATABASE_URL, else PGlite).

Examples:
  $ opm stats
  $ opm stats acme/support/triage --since 7d --by version
  $ opm stats --by model --json`,
    )
    .action(async (slug: string | undefined, options: StatsCommandOptions) => {
      const json = options.json === true;
      await context.guard({ json }, async () => {
        const since = parseSince(options.since ?? '24h');
        const by = parseGroup(options.by);
        const rows = await withRegistryStore(context, ({ db }) => usageStats(db, { slug, since, by }));
        if (json) {
          writeJson(context.io, { since: since.toISOString(), slug: slug ?? null, by: by ?? null, rows });
        } else if (rows.length === 0) {
          writeLines(context.io, [
            `No runs${slug === undefined ? '' : ` of ${slug}`} since ${since.toISOString()}.`,
          ]);
        } else {
          writeLines(context.io, statsTable(rows, by));
        }
      });
    });
};
