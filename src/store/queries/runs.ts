import { and, count, desc, eq, gte, lt, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { withStoreErrors } from '../errors.js';
import { type NewRun, type Run, type RunStatus, runs } from '../schema/index.js';
import { uuidV7 } from '../uuid-v7.js';
import { bulkInsert } from './bulk-insert.js';

/**
 * The most rows one INSERT statement carries. Rows travel as one jsonb parameter, so Postgres's
 * 65,535 bind-parameter limit does not apply; this only bounds the size of one statement.
 */
export const MAX_RUNS_PER_INSERT = 2000;

/**
 * Inserts runs with one multi-row `INSERT ... ON CONFLICT (job_id) DO NOTHING` per chunk of
 * {@link MAX_RUNS_PER_INSERT} rows (several chunks share one transaction). A job id that is already
 * stored keeps its first row, so redelivered jobs are harmless. Omitted columns get their defaults,
 * except `id`, which is made here as a UUIDv7.
 *
 * @returns how many rows were actually inserted (duplicates are not counted)
 */
export async function insertRuns(db: Db, rows: readonly NewRun[]): Promise<number> {
  if (rows.length === 0) return 0;
  return withStoreErrors('insert runs', async () => {
    if (rows.length <= MAX_RUNS_PER_INSERT) return insertChunk(db, rows);
    return db.transaction(async (tx) => {
      let inserted = 0;
      for (let start = 0; start < rows.length; start += MAX_RUNS_PER_INSERT) {
        inserted += await insertChunk(tx, rows.slice(start, start + MAX_RUNS_PER_INSERT));
      }
      return inserted;
    });
  });
}

/** Run ids are made here, in time order: see {@link uuidV7}. */
const RUN_DEFAULTS = { id: () => uuidV7() };

function insertChunk(db: Pick<Db, 'execute'>, rows: readonly NewRun[]): Promise<number> {
  return bulkInsert(db, runs, runs.jobId, rows, RUN_DEFAULTS);
}

/** The stored run of a job, or `null` when the job has not finished (or never existed). */
export async function getRunByJobId(db: Db, jobId: string): Promise<Run | null> {
  return withStoreErrors('get run', async () => {
    const [row] = await db.select().from(runs).where(eq(runs.jobId, jobId)).limit(1);
    return row ?? null;
  });
}

/** Which runs to count or list. */
export interface RunFilter {
  slug?: string | undefined;
  status?: RunStatus | undefined;
  /** Only runs created strictly before this instant. */
  before?: Date | undefined;
  /** Only runs created at or after this instant. */
  after?: Date | undefined;
  /** Only runs resolved through this deployment label. */
  label?: string | undefined;
}

/** Options for {@link listRuns}. */
export interface ListRunsOptions extends RunFilter {
  /** At most this many runs, newest first. */
  limit: number;
  /**
   * The id of the last run of the previous page; the page continues after it. Rows written in one
   * batch share `created_at`, so paging by timestamp alone would skip some of them.
   */
  cursor?: string | undefined;
}

function filterConditions(filter: RunFilter): SQL[] {
  const conditions: SQL[] = [];
  if (filter.slug !== undefined) conditions.push(eq(runs.slug, filter.slug));
  if (filter.status !== undefined) conditions.push(eq(runs.status, filter.status));
  if (filter.before !== undefined) conditions.push(lt(runs.createdAt, filter.before));
  if (filter.after !== undefined) conditions.push(gte(runs.createdAt, filter.after));
  if (filter.label !== undefined) conditions.push(eq(runs.label, filter.label));
  return conditions;
}

/** Runs matching the filter, newest first (ties broken by id, so pages are stable). */
export async function listRuns(db: Db, options: ListRunsOptions): Promise<Run[]> {
  const conditions = filterConditions(options);
  if (options.cursor !== undefined) {
    conditions.push(
      sql`(${runs.createdAt}, ${runs.id}) < (select c.created_at, c.id from ${runs} as c where c.id = ${options.cursor})`,
    );
  }
  return withStoreErrors('list runs', () =>
    db
      .select()
      .from(runs)
      .where(and(...conditions))
      .orderBy(desc(runs.createdAt), desc(runs.id))
      .limit(options.limit),
  );
}

/** How many runs match the filter. */
export async function countRuns(db: Db, filter: RunFilter = {}): Promise<number> {
  return withStoreErrors('count runs', async () => {
    const [row] = await db
      .select({ value: count() })
      .from(runs)
      .where(and(...filterConditions(filter)));
    return row?.value ?? 0;
  });
}
