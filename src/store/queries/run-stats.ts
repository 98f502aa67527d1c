import { and, asc, count, gte, lt, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { withStoreErrors } from '../errors.js';
import { runs } from '../schema/index.js';

/** Which runs {@link runStats} summarises. */
export interface RunStatsFilter {
  /** Only this slug, or every slug under it when it ends in `/`. */
  slug?: string | undefined;
  /** Runs created at or after this instant. */
  since?: Date | undefined;
  /** Runs created strictly before this instant. */
  until?: Date | undefined;
}

/** The figures of one slug over the filtered runs. */
export interface SlugStats {
  slug: string;
  runs: number;
  completed: number;
  failed: number;
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
  /** Median and 95th percentile of the whole run time (queue wait included), ms; null without data. */
  p50TotalMs: number | null;
  p95TotalMs: number | null;
  p95LlmLatencyMs: number | null;
}

function toNumber(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

/** Counts, tokens, cost and latency percentiles per slug, sorted by slug. */
export async function runStats(db: Db, filter: RunStatsFilter = {}): Promise<SlugStats[]> {
  const conditions: SQL[] = [];
  if (filter.slug !== undefined) {
    conditions.push(
      filter.slug.endsWith('/')
        ? sql`starts_with(${runs.slug}, ${filter.slug})`
        : sql`${runs.slug} = ${filter.slug}`,
    );
  }
  if (filter.since !== undefined) conditions.push(gte(runs.createdAt, filter.since));
  if (filter.until !== undefined) conditions.push(lt(runs.createdAt, filter.until));
  const rows = await withStoreErrors('run stats', () =>
    db
      .select({
        slug: runs.slug,
        runs: count(),
        completed: sql<number>`count(*) filter (where ${runs.status} = 'completed')`,
        failed: sql<number>`count(*) filter (where ${runs.status} = 'failed')`,
        tokensIn: sql<number>`coalesce(sum(${runs.tokensIn}), 0)`,
        tokensOut: sql<number>`coalesce(sum(${runs.tokensOut}), 0)`,
        costUsd: sql<number>`coalesce(sum(${runs.costUsd}), 0)`,
        p50TotalMs: sql<number | null>`percentile_cont(0.5) within group (order by ${runs.totalMs})`,
        p95TotalMs: sql<number | null>`percentile_cont(0.95) within group (order by ${runs.totalMs})`,
        p95LlmLatencyMs: sql<
          number | null
        >`percentile_cont(0.95) within group (order by ${runs.llmLatencyMs})`,
      })
      .from(runs)
      .where(and(...conditions))
      .groupBy(runs.slug)
      .orderBy(asc(runs.slug)),
  );
  // Drivers return bigint and numeric aggregates as strings.
  return rows.map((row) => ({
    slug: row.slug,
    runs: Number(row.runs),
    completed: Number(row.completed),
    failed: Number(row.failed),
    tokensIn: Number(row.tokensIn),
    tokensOut: Number(row.tokensOut),
    costUsd: Number(row.costUsd),
    p50TotalMs: toNumber(row.p50TotalMs),
    p95TotalMs: toNumber(row.p95TotalMs),
    p95LlmLatencyMs: toNumber(row.p95LlmLatencyMs),
  }));
}
