/**
 * `opm stats` at a million runs: seeds BENCH_RUNS (default 1,000,000) runs into a fresh schema of
 * the local Postgres, all inside the last 24 hours (the worst case for `--since 24h`), then times
 * the stats query (each grouping) and the whole `opm stats --since 24h` command.
 * Run: `node --import tsx bench/stats.ts` (BENCH_CLI=dist/src/cli/main.js to time the built CLI).
 * The last line is JSON with the timings in ms.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { createDatabase, executeRows, migrate, usageStats } from '../src/store/index.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 1_000_000);
const DATABASE_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const schema = `bench_stats_${randomUUID().slice(0, 8)}`;
const database = await createDatabase({ url: DATABASE_URL, schema });
const timings: Record<string, number> = {};

const time = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
  const started = performance.now();
  const value = await fn();
  timings[name] = Math.round(performance.now() - started);
  return value;
};

try {
  await migrate(database);
  // Realistic rows: 20 slugs, 3 versions, 2 labels, 4% failures, 10% fallbacks, spread over 24 h.
  await time('seedMs', () =>
    executeRows(
      database.db,
      sql.raw(`insert into runs (job_id, slug, version, label, status, error_code, model_requested, model_used,
        provider, attempts, tokens_in, tokens_out, cost_usd, queue_wait_ms, llm_latency_ms, total_ms, inputs,
        messages, output_text, created_at, enqueued_at, started_at, finished_at)
      select 'job-' || g, 'acme/p' || (g % 20), 'v' || (g % 3),
        case when g % 2 = 0 then 'production' else 'staging' end,
        case when g % 25 = 0 then 'failed' else 'completed' end,
        case when g % 25 = 0 then 'gateway.all_failed' end,
        'model-a', case when g % 25 = 0 then null when g % 10 = 0 then 'model-b' else 'model-a' end, 'openrouter',
        case when g % 10 = 0
          then '[{"model":"model-a","outcome":"error"},{"model":"model-b","outcome":"ok"}]'::jsonb
          else '[{"model":"model-a","outcome":"ok"}]'::jsonb end,
        100 + g % 50, 20 + g % 7, 0.0001 * (g % 5), g % 40,
        200 + (g::bigint * 7919) % 2000, 250 + (g::bigint * 7919) % 2000,
        '{"ticket":"My order is late"}'::jsonb,
        '[{"role":"system","content":"Classify the ticket."},{"role":"user","content":"My order is late"}]'::jsonb,
        'shipping', now() - (g % 86000) * interval '1 second', now(), now(), now()
      from generate_series(1, ${RUNS}) g`),
    ),
  );
  await executeRows(database.db, sql.raw('analyze runs'));
  const since = new Date(Date.now() - 86_400_000);
  await usageStats(database.db, { since }); // warm the cache, as a second `opm stats` would find it
  await time('queryTotalMs', () => usageStats(database.db, { since }));
  await time('queryByModelMs', () => usageStats(database.db, { since, by: 'model' }));
  await time('queryByVersionMs', () => usageStats(database.db, { since, by: 'version' }));
  await time('queryOneSlugMs', () => usageStats(database.db, { since, slug: 'acme/p3' }));
  // The built CLI (`BENCH_CLI=dist/src/cli/main.js` after `npm run build`) starts ~1 s faster than tsx.
  const cli = process.env.BENCH_CLI
    ? [process.env.BENCH_CLI]
    : ['--import', 'tsx', fileURLToPath(new URL('../src/cli/main.ts', import.meta.url))];
  const started = performance.now();
  const result = spawnSync(process.execPath, [...cli, 'stats', '--since', '24h'], {
    env: { ...process.env, DATABASE_URL, OPM_DATABASE_SCHEMA: schema },
    encoding: 'utf8',
  });
  timings.cliStatsSince24hMs = Math.round(performance.now() - started);
  console.log(result.stdout.trim());
  if (result.status !== 0) throw new Error(result.stderr);
} finally {
  await executeRows(database.db, sql.raw(`drop schema if exists "${schema}" cascade`));
  await database.close();
}
console.log(JSON.stringify({ runs: RUNS, ...timings }));
