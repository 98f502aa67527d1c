import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, describe, expect } from 'vitest';
import { createGateway } from '../../../src/gateway/index.js';
import { createClient } from '../../../src/queue/index.js';
import {
  createGuard,
  createStoreSource,
  deployVersion,
  GUARD_ACTOR,
  type GuardVerdict,
  publishInvalidation,
  publishPrompts,
  renderPrompt,
} from '../../../src/registry/index.js';
import { countRuns, createRunWriter, getLabel, listAudit } from '../../../src/store/index.js';
import { createRunReader, createRunStore, createWorker } from '../../../src/worker/index.js';
import { databaseTest } from '../../support/db.js';
import { deleteKeys, eventually, REDIS_URL, silentLogger } from '../queue/support.js';
import { ALICE, BOB, createTestRepo, promptText } from './git-repo.js';

const it = databaseTest('postgres');
const SLUG = 'acme/support/triage';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('canary guard', () => {
  it('rolls back a canary whose provider fails half its calls, audited as guard with the figures', async ({
    testDb,
  }) => {
    const db = testDb.database.db;
    // Stable answers through the echo provider; the canary through the mock provider, failing 50%.
    const repo = createTestRepo();
    cleanups.push(() => repo.remove());
    repo.write(`${SLUG}.prompty`, promptText('Stable.', 'stable-model', 'echo'));
    const v1 = (await repo.commit('stable', ALICE, 1_700_000_000)).slice(0, 7);
    repo.write(`${SLUG}.prompty`, promptText('Canary.', 'canary-model', 'mock'));
    const v2 = (await repo.commit('canary', BOB, 1_700_000_100)).slice(0, 7);
    await publishPrompts({ db, promptsDir: repo.promptsDir, actor: 'publisher' });

    const prefix = `test-${randomUUID()}`;
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    const invalidate = (slug: string) => publishInvalidation(redis, prefix, slug);
    await deployVersion({ db, slug: SLUG, version: v1, label: 'production', actor: 'alice', reason: 'v1' });
    await deployVersion({
      db,
      slug: SLUG,
      version: v2,
      label: 'production',
      weight: 10,
      actor: 'bob',
      reason: 'canary v2',
      guard: { minRuns: 20, maxErrorRateDelta: 0.2 },
      onChange: invalidate,
    });

    const source = createStoreSource({ db, invalidation: { redis, prefix } });
    await source.ready();
    const gateway = createGateway({
      mock: { failureRate: 0.5 },
      retry: { maxAttemptsPerModel: 1, baseDelayMs: 1, maxDelayMs: 5, maxInPlaceWaitMs: 0 },
      breaker: { threshold: 10_000 },
      rateLimitPrefix: `${prefix}:rl`,
      redis,
    });
    const writer = createRunWriter({ db });
    const worker = createWorker({
      redis: REDIS_URL,
      prefix,
      concurrency: 16,
      prompts: source,
      render: (resolved, vars) => renderPrompt(resolved, vars),
      gateway,
      store: createRunStore({ db, writer }),
      drainTimeoutMs: 10_000,
      logger: silentLogger,
    });
    const client = createClient({ redis: REDIS_URL, prefix, database: createRunReader(db) });
    const verdicts: GuardVerdict[] = [];
    const guard = createGuard({
      db,
      intervalMs: 200,
      onChange: invalidate,
      onVerdict: (v) => verdicts.push(v),
    });
    cleanups.push(async () => {
      await guard.close();
      await client.close();
      await worker.close();
      await gateway.close();
      await writer.close();
      await source.close();
      await deleteKeys(redis, `${prefix}:*`);
      redis.disconnect();
    });
    await worker.start();
    guard.start();

    await client.enqueueMany(
      Array.from({ length: 600 }, (_, i) => ({
        slug: SLUG,
        vars: { ticket: `t${i}` },
        opts: { label: 'production', assignmentKey: `user-${i}`, attempts: 1 },
      })),
    );
    await eventually(async () => (await getLabel(db, SLUG, 'production'))?.targets.length === 1, 60_000, 100);

    const label = await getLabel(db, SLUG, 'production');
    expect(label?.targets).toEqual([{ version: v1, weight: 100, variant: 'stable' }]);
    expect(label?.guard).toBeNull();
    const [rollback] = await listAudit(db, { slug: SLUG, label: 'production', limit: 1 });
    expect(rollback).toMatchObject({ action: 'rollback', actor: GUARD_ACTOR });
    expect(rollback?.reason).toMatch(
      new RegExp(
        `^canary ${v2} breached its guard: error rate \\d+\\.\\d% \\(\\d+/\\d+\\) vs stable 0\\.0%, allowed \\+20\\.0% over \\d+ canary runs and \\d+ stable runs$`,
      ),
    );
    const tripped = verdicts.find((v) => v.rollback?.changed);
    expect(tripped?.canaryStats.runs).toBeGreaterThanOrEqual(20);
    expect(tripped?.canaryStats.errorRate).toBeGreaterThan(0.2);
    expect(tripped?.stableStats.errorRate).toBe(0);

    // After the rollback, every new job runs the stable version.
    await eventually(async () => (await countRuns(db)) >= 600, 60_000, 100);
    const after = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        client.run(
          SLUG,
          { ticket: `after-${i}` },
          { label: 'production', assignmentKey: `late-${i}`, attempts: 1 },
        ),
      ),
    );
    expect(new Set(after.map((result) => result.status))).toEqual(new Set(['completed']));
    const rows = await Promise.all(after.map((result) => client.result(result.jobId)));
    expect(new Set(rows.map((row) => row?.version))).toEqual(new Set([v1]));
  }, 120_000);
});
