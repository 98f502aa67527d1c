import { and, eq, gt, inArray, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { withStoreErrors } from '../errors.js';
import { runs } from '../schema/index.js';

/** How a set of versions behaved under a label: what a canary guard compares. */
export interface VersionRunStats {
  runs: number;
  failed: number;
  /** failed / runs; 0 without runs. */
  errorRate: number;
  /** 95th percentile of the runs' total time (enqueue to finish), ms; null without timed runs. */
  p95Ms: number | null;
  /** Mean cost of the runs that report one, USD; null when none does. */
  meanCostUsd: number | null;
}

/** Run figures of `slug` under `label` for the given versions together, counting runs created after `since`. */
export async function versionRunStats(
  db: Db,
  filter: { slug: string; label: string; since: Date; versions: readonly string[] },
): Promise<VersionRunStats> {
  if (filter.versions.length === 0)
    return { runs: 0, failed: 0, errorRate: 0, p95Ms: null, meanCostUsd: null };
  return withStoreErrors('version run stats', async () => {
    const [row] = await db
      .select({
        runs: sql<number>`count(*)::int`,
        failed: sql<number>`(count(*) filter (where ${runs.status} = 'failed'))::int`,
        p95Ms: sql<number | null>`percentile_cont(0.95) within group (order by ${runs.totalMs})`,
        meanCostUsd: sql<number | null>`avg(${runs.costUsd})`,
      })
      .from(runs)
      .where(
        and(
          eq(runs.slug, filter.slug),
          eq(runs.label, filter.label),
          gt(runs.createdAt, filter.since),
          inArray(runs.version, [...filter.versions]),
        ),
      );
    const total = Number(row?.runs ?? 0);
    const failed = Number(row?.failed ?? 0);
    return {
      runs: total,
      failed,
      errorRate: total === 0 ? 0 : failed / total,
      p95Ms: row?.p95Ms == null ? null : Number(row.p95Ms),
      meanCostUsd: row?.meanCostUsd == null ? null : Number(row.meanCostUsd),
    };
  });
}
