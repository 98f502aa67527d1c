import { describe, expect } from 'vitest';
import { logsCommand } from '../../../src/cli/commands/logs.js';
import { statsCommand } from '../../../src/cli/commands/stats.js';
import { runCli } from '../../../src/cli/index.js';
import { insertRuns, type NewRun, usageStats } from '../../../src/store/index.js';
import { BACKENDS, databaseTest, type TestDatabase } from '../../support/db.js';
import { sampleRun } from '../store/fixtures.js';

const HOUR = 3_600_000;
const now = Date.now();
const ago = (ms: number) => new Date(now - ms);

/** Five runs of `acme/stats` in the last day, one older and one of another slug. */
function seed(): NewRun[] {
  const run = (overrides: Partial<NewRun>) =>
    sampleRun({ slug: 'acme/stats', createdAt: ago(HOUR), ...overrides });
  const m1 = [{ model: 'm1', outcome: 'ok' }];
  return [
    run({
      totalMs: 100,
      llmLatencyMs: 90,
      tokensIn: 10,
      tokensOut: 1,
      costUsd: 0.001,
      version: 'v1',
      label: 'production',
      modelUsed: 'm1',
      attempts: m1,
    }),
    run({
      totalMs: 200,
      llmLatencyMs: 150,
      tokensIn: 20,
      tokensOut: 2,
      costUsd: 0.002,
      version: 'v1',
      label: 'production',
      modelUsed: 'm1',
      attempts: m1,
    }),
    run({
      totalMs: 300,
      llmLatencyMs: 250,
      tokensIn: 30,
      tokensOut: 3,
      costUsd: 0.003,
      version: 'v2',
      label: 'staging',
      modelUsed: 'm1',
      attempts: m1,
    }),
    run({
      totalMs: 400,
      llmLatencyMs: 380,
      tokensIn: 40,
      tokensOut: 4,
      costUsd: 0.004,
      version: 'v2',
      label: 'staging',
      modelUsed: 'm2',
      attempts: [
        { model: 'm1', outcome: 'error' },
        { model: 'm2', outcome: 'ok' },
      ],
    }),
    run({
      status: 'failed',
      errorCode: 'gateway.permanent',
      errorMessage: 'bad request',
      totalMs: 1000,
      llmLatencyMs: null,
      tokensIn: null,
      tokensOut: null,
      costUsd: null,
      version: 'v2',
      label: 'staging',
      modelRequested: 'm1',
      modelUsed: null,
      outputText: null,
      outputJson: null,
      attempts: [{ model: 'm1', outcome: 'error' }],
    }),
    run({ totalMs: 5, createdAt: ago(48 * HOUR) }),
    run({ slug: 'acme/other', totalMs: 7 }),
  ];
}

for (const backend of BACKENDS) {
  const it = databaseTest(backend);

  describe(`usageStats on ${backend}`, () => {
    it('matches hand-computed figures for one slug over the last 24 hours', async ({ testDb }) => {
      await insertRuns(testDb.database.db, seed());
      const [all, ...rest] = await usageStats(testDb.database.db, {
        slug: 'acme/stats',
        since: ago(24 * HOUR),
      });
      expect(rest).toEqual([]);
      // total_ms 100,200,300,400,1000: p50 = 300; p95 at rank 3.8 = 400 + 0.8·600 = 880; p99 at 3.96 = 976.
      // llm 90,150,250,380 (the failed run has none): p50 at 1.5 = 200; p95 at 2.85 = 250 + 0.85·130 = 360.5.
      expect(all).toEqual({
        group: null,
        count: 5,
        completed: 4,
        failed: 1,
        errorRate: 0.2,
        latencyMs: { p50: 300, p95: expect.closeTo(880, 6), p99: expect.closeTo(976, 6) },
        llmLatencyMs: { p50: 200, p95: expect.closeTo(360.5, 6), p99: expect.closeTo(376.1, 6) },
        tokensIn: 100,
        tokensOut: 10,
        costUsd: expect.closeTo(0.01, 9),
        fallbackRate: 0.2,
      });
    });

    it('groups by model (the one that answered, else the one asked for), version and label', async ({
      testDb,
    }) => {
      await insertRuns(testDb.database.db, seed());
      const options = { slug: 'acme/stats', since: ago(24 * HOUR) };
      const byModel = await usageStats(testDb.database.db, { ...options, by: 'model' });
      expect(byModel.map((r) => [r.group, r.count, r.failed, r.fallbackRate])).toEqual([
        ['m1', 4, 1, 0],
        ['m2', 1, 0, 1],
      ]);
      const byVersion = await usageStats(testDb.database.db, { ...options, by: 'version' });
      expect(byVersion.map((r) => [r.group, r.count, r.latencyMs.p50])).toEqual([
        ['v2', 3, 400],
        ['v1', 2, 150],
      ]);
      const byLabel = await usageStats(testDb.database.db, { ...options, by: 'label' });
      expect(byLabel.map((r) => [r.group, r.count, r.errorRate])).toEqual([
        ['staging', 3, 1 / 3],
        ['production', 2, 0],
      ]);
    });

    it('counts every slug and every age without filters, and returns nothing for an empty window', async ({
      testDb,
    }) => {
      await insertRuns(testDb.database.db, seed());
      const [all] = await usageStats(testDb.database.db);
      expect(all?.count).toBe(7);
      expect(await usageStats(testDb.database.db, { since: new Date(now + HOUR) })).toEqual([]);
    });

    // The CLI opens its own connection; PGlite allows one process per directory, so Postgres only.
    it.skipIf(backend === 'pglite')(
      'prints the same figures through `opm stats --json` and the runs through `opm logs --json`',
      async ({ testDb }) => {
        await insertRuns(testDb.database.db, seed());
        const stats = await cli(testDb, [
          'stats',
          'acme/stats',
          '--since',
          '24h',
          '--by',
          'version',
          '--json',
        ]);
        expect(stats.code).toBe(0);
        const parsed = JSON.parse(stats.stdout) as { rows: { group: string; count: number }[]; by: string };
        expect(parsed.by).toBe('version');
        expect(parsed.rows.map((r) => [r.group, r.count])).toEqual([
          ['v2', 3],
          ['v1', 2],
        ]);
        const table = await cli(testDb, ['stats', 'acme/stats']);
        expect(table.stdout.split('\n')[0]).toMatch(/^RUNS\s+COUNT\s+ERRORS\s+P50\s+P95\s+P99/);
        expect(table.stdout.split('\n')[1]).toMatch(
          /^all\s+5\s+20\.0%\s+300ms\s+880ms\s+976ms\s+100\s+10\s+0\.0100\s+20\.0%$/,
        );
        const logs = await cli(testDb, ['logs', '--slug', 'acme/stats', '--status', 'failed', '--json']);
        const lines = logs.stdout
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line) as Record<string, unknown>);
        expect(lines).toMatchObject([
          {
            status: 'failed',
            slug: 'acme/stats',
            model: 'm1',
            totalMs: 1000,
            error: { code: 'gateway.permanent' },
          },
        ]);
      },
    );

    it.skipIf(backend === 'pglite')(
      'rejects an unreadable --since or --by with a usage error',
      async ({ testDb }) => {
        const since = await cli(testDb, ['stats', '--since', 'yesterday', '--json']);
        expect(since.code).toBe(1);
        expect(JSON.parse(since.stdout)).toMatchObject({ error: { code: 'cli.invalid_option' } });
        const by = await cli(testDb, ['stats', '--by', 'provider']);
        expect(by.stderr).toContain('--by must be one of model, version, label');
      },
    );
  });
}

async function cli(testDb: TestDatabase, args: string[]) {
  let stdout = '';
  let stderr = '';
  const env = { DATABASE_URL: testDb.url, OPM_DATABASE_SCHEMA: testDb.schema };
  const code = await runCli(args, {
    commands: [statsCommand, logsCommand],
    io: { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } },
    env,
    cwd: process.cwd(),
  });
  return { code, stdout, stderr };
}
