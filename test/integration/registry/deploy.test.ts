import { sql } from 'drizzle-orm';
import { afterEach, describe, expect } from 'vitest';
import {
  checkGuards,
  createStoreSource,
  deployVersion,
  rollbackLabel,
  VersioningError,
} from '../../../src/registry/index.js';
import {
  type Db,
  executeRows,
  getLabel,
  insertRuns,
  listAudit,
  listLabels,
  listVersions,
  type NewRun,
} from '../../../src/store/index.js';
import { BACKENDS, databaseTest } from '../../support/db.js';
import { publishTwoVersions, type TestRepo } from './git-repo.js';

const SLUG = 'acme/support/triage';
const repos: TestRepo[] = [];
afterEach(() => {
  for (const repo of repos.splice(0)) repo.remove();
});

/** Publishes two versions of one prompt; returns their ids, oldest first. */
async function publishTwo(db: Db): Promise<[string, string]> {
  const { repo, versions } = await publishTwoVersions(db, SLUG);
  repos.push(repo);
  return versions;
}

for (const backend of BACKENDS) {
  const it = databaseTest(backend);

  describe(`deployVersion and rollbackLabel (${backend})`, () => {
    it('deploys, splits 90/10, and rolls back to the previous target in one step, all audited', async ({
      testDb,
    }) => {
      const db = testDb.database.db;
      const [v1, v2] = await publishTwo(db);
      const first = await deployVersion({
        db,
        slug: SLUG,
        version: v1,
        label: 'production',
        actor: 'alice',
        reason: 'first release',
      });
      expect(first).toMatchObject({ action: 'deploy', before: null, changed: true });
      const canary = await deployVersion({
        db,
        slug: SLUG,
        version: v2,
        label: 'production',
        weight: 10,
        actor: 'bob',
        reason: 'canary v2',
      });
      expect(canary.after).toEqual([
        { version: v1, weight: 90, variant: 'stable' },
        { version: v2, weight: 10, variant: 'canary' },
      ]);
      const back = await rollbackLabel({
        db,
        slug: SLUG,
        label: 'production',
        actor: 'carol',
        reason: 'v2 is rude',
      });
      expect(back.after).toEqual([{ version: v1, weight: 100, variant: 'stable' }]);
      expect((await getLabel(db, SLUG, 'production'))?.targets).toEqual([
        { version: v1, weight: 100, variant: 'stable' },
      ]);

      const audit = (await listAudit(db, { slug: SLUG, label: 'production' })).reverse();
      expect(audit.map((row) => [row.action, row.actor, row.reason])).toEqual([
        ['deploy', 'alice', 'first release'],
        ['deploy', 'bob', 'canary v2'],
        ['rollback', 'carol', 'v2 is rude'],
      ]);
      expect(audit[2]?.before).toEqual(canary.after);
      expect(audit[2]?.after).toEqual([{ version: v1, weight: 100, variant: 'stable' }]);
    });

    it('records a weight change as its own action', async ({ testDb }) => {
      const db = testDb.database.db;
      const [v1, v2] = await publishTwo(db);
      await deployVersion({ db, slug: SLUG, version: v1, label: 'production', actor: 'a' });
      await deployVersion({ db, slug: SLUG, version: v2, label: 'production', weight: 10, actor: 'a' });
      const change = await deployVersion({
        db,
        slug: SLUG,
        version: v2,
        label: 'production',
        weight: 50,
        actor: 'a',
      });
      expect(change.action).toBe('weight');
      expect((await listAudit(db, { slug: SLUG }))[0]?.action).toBe('weight');
    });

    it('accepts a longer commit sha prefix and refuses unknown versions, latest and nothing to roll back', async ({
      testDb,
    }) => {
      const db = testDb.database.db;
      const [v1] = await publishTwo(db);
      const full = (await listVersions(db, SLUG)).find((v) => v.version === v1)?.commitSha ?? '';
      const byPrefix = await deployVersion({
        db,
        slug: SLUG,
        version: full.slice(0, 12),
        label: 'canary-test',
        actor: 'a',
      });
      expect(byPrefix.after).toEqual([{ version: v1, weight: 100, variant: 'stable' }]);
      await expect(
        deployVersion({ db, slug: SLUG, version: '0000000', label: 'production', actor: 'a' }),
      ).rejects.toMatchObject({ code: 'registry.version_not_found' });
      await expect(
        deployVersion({ db, slug: SLUG, version: v1, label: 'latest', actor: 'a' }),
      ).rejects.toBeInstanceOf(VersioningError);
      await deployVersion({ db, slug: SLUG, version: v1, label: 'staging', actor: 'a' });
      await expect(rollbackLabel({ db, slug: SLUG, label: 'staging', actor: 'a' })).rejects.toMatchObject({
        code: 'registry.nothing_to_roll_back',
      });
      await expect(rollbackLabel({ db, slug: SLUG, label: 'nope', actor: 'a' })).rejects.toMatchObject({
        code: 'registry.label_not_found',
      });
      expect((await listLabels(db, SLUG)).map((row) => row.label)).toEqual(['canary-test', 'staging']);
    });

    it('serves the label through the store source, recording label, version and variant', async ({
      testDb,
    }) => {
      const db = testDb.database.db;
      const [v1, v2] = await publishTwo(db);
      const source = createStoreSource({ db, random: () => 0.95 });
      await deployVersion({ db, slug: SLUG, version: v1, label: 'production', actor: 'a' });
      expect(await source.resolve({ slug: SLUG, label: 'production' })).toMatchObject({
        version: v1,
        label: 'production',
        variant: null,
      });
      await deployVersion({ db, slug: SLUG, version: v2, label: 'production', weight: 10, actor: 'a' });
      source.invalidate(SLUG);
      expect(await source.resolve({ slug: SLUG, label: 'production' })).toMatchObject({
        version: v2,
        variant: 'canary',
      });
      expect(await source.resolve({ slug: SLUG })).toMatchObject({ version: v2, label: null });
      expect(await source.resolve({ slug: SLUG, label: 'production', version: v1 })).toMatchObject({
        version: v1,
        variant: null,
      });
      const pinned = await source.resolve({ slug: SLUG, version: v1 });
      expect(pinned.prompt.instructions).toContain('Version one.');
      await source.close();
    });
  });

  describe(`audit_log (${backend})`, () => {
    it('refuses UPDATE, DELETE and TRUNCATE of audit rows and published versions', async ({ testDb }) => {
      const db = testDb.database.db;
      const [v1] = await publishTwo(db);
      await deployVersion({ db, slug: SLUG, version: v1, label: 'production', actor: 'a', reason: 'ship' });
      const attempts = [
        sql`update audit_log set reason = 'rewritten'`,
        sql`delete from audit_log`,
        sql`truncate audit_log`,
        sql`update prompt_versions set content = 'tampered'`,
        sql`delete from prompt_versions`,
      ];
      for (const statement of attempts) {
        await expect(executeRows(db, statement)).rejects.toThrow(/immutable/);
      }
      expect((await listAudit(db, { slug: SLUG })).map((row) => row.reason)).toContain('ship');
    });
  });

  describe(`checkGuards (${backend})`, () => {
    it('judges a canary from stored runs and rolls it back with the figures as the reason', async ({
      testDb,
    }) => {
      const db = testDb.database.db;
      const [v1, v2] = await publishTwo(db);
      await deployVersion({ db, slug: SLUG, version: v1, label: 'production', actor: 'a' });
      await deployVersion({
        db,
        slug: SLUG,
        version: v2,
        label: 'production',
        weight: 10,
        actor: 'a',
        guard: { minRuns: 10, maxP95Ratio: 2, maxCostRatio: 1.5 },
      });
      const run = (i: number, version: string, totalMs: number, costUsd: number): NewRun => ({
        jobId: `${version}-${i}`,
        slug: SLUG,
        version,
        label: 'production',
        status: 'completed',
        totalMs,
        costUsd,
      });
      await insertRuns(
        db,
        Array.from({ length: 9 }, (_, i) => run(i, v2, 5_000, 0.004)),
      );
      await insertRuns(
        db,
        Array.from({ length: 50 }, (_, i) => run(i, v1, 1_000, 0.001)),
      );
      const waiting = await checkGuards({ db });
      expect(waiting).toMatchObject([{ canary: v2, isJudged: false, breaches: [], rollback: null }]);
      await insertRuns(db, [run(9, v2, 5_000, 0.004)]);
      const [verdict] = await checkGuards({ db });
      expect(verdict?.breaches).toEqual([
        'p95 latency 5000 ms vs stable 1000 ms (x5.00, allowed x2) over 10 canary runs and 50 stable runs',
        'cost per run $0.00400 vs stable $0.00100 (x4.00, allowed x1.5) over 10 canary runs and 50 stable runs',
      ]);
      expect(verdict?.rollback?.after).toEqual([{ version: v1, weight: 100, variant: 'stable' }]);
      const [audit] = await listAudit(db, { slug: SLUG, limit: 1 });
      expect(audit).toMatchObject({ actor: 'guard', action: 'rollback' });
      expect(audit?.reason).toContain('p95 latency 5000 ms vs stable 1000 ms');
      expect(await checkGuards({ db })).toEqual([]);
    });
  });
}
