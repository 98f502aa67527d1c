import { drizzle } from 'drizzle-orm/node-postgres';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterEach, describe, expect } from 'vitest';
import {
  createStoreSource,
  deployVersion,
  publishInvalidation,
  type StoreSource,
} from '../../../src/registry/index.js';
import type { Db } from '../../../src/store/index.js';
import * as schema from '../../../src/store/schema/index.js';
import { databaseTest, type TestDatabase } from '../../support/db.js';
import { deleteKeys, eventually, REDIS_URL } from '../queue/support.js';
import { publishTwoVersions } from './git-repo.js';

const it = databaseTest('postgres');
const SLUG = 'acme/support/triage';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A second drizzle instance on the test's schema whose logger counts every query sent. */
function countingDb(testDb: TestDatabase): { db: Db; queries: () => number } {
  let count = 0;
  const pool = new pg.Pool({
    connectionString: testDb.url,
    options: `-c search_path="${testDb.schema}"`,
    max: 4,
  });
  cleanups.push(() => pool.end());
  const logger = {
    logQuery() {
      count += 1;
    },
  };
  const db: Db = drizzle({ client: pool, schema, logger });
  return { db, queries: () => count };
}

async function publishTwo(db: Db): Promise<[string, string]> {
  const { repo, versions } = await publishTwoVersions(db, SLUG);
  cleanups.push(() => repo.remove());
  return versions;
}

describe('createStoreSource', () => {
  it('resolves 10,000 labelled jobs with no database query per job, 10% ± 1.5% to the canary, sticky per key', async ({
    testDb,
  }) => {
    const db = testDb.database.db;
    const [v1, v2] = await publishTwo(db);
    await deployVersion({ db, slug: SLUG, version: v1, label: 'production', actor: 'a' });
    await deployVersion({ db, slug: SLUG, version: v2, label: 'production', weight: 10, actor: 'a' });
    const counted = countingDb(testDb);
    const source = createStoreSource({ db: counted.db });
    cleanups.push(() => source.close());
    await source.resolve({ slug: SLUG, label: 'production', assignmentKey: 'warm-up' });
    const afterWarmUp = counted.queries();
    expect(afterWarmUp).toBeGreaterThan(0);

    const firstPass = new Map<string, string | null>();
    let canary = 0;
    for (let i = 0; i < 10_000; i++) {
      const resolved = await source.resolve({ slug: SLUG, label: 'production', assignmentKey: `user-${i}` });
      firstPass.set(`user-${i}`, resolved.version);
      expect(resolved.label).toBe('production');
      if (resolved.version === v2) {
        canary += 1;
        expect(resolved.variant).toBe('canary');
      } else {
        expect(resolved).toMatchObject({ version: v1, variant: 'stable' });
      }
    }
    expect(canary / 10_000).toBeGreaterThanOrEqual(0.085);
    expect(canary / 10_000).toBeLessThanOrEqual(0.115);
    for (let i = 0; i < 10_000; i += 7) {
      const again = await source.resolve({ slug: SLUG, label: 'production', assignmentKey: `user-${i}` });
      expect(again.version).toBe(firstPass.get(`user-${i}`));
    }
    expect(counted.queries()).toBe(afterWarmUp);
    expect(source.loads).toBe(1);
  });

  it('sees a label change within the TTL even when no invalidation arrives', async ({ testDb }) => {
    const db = testDb.database.db;
    const [v1, v2] = await publishTwo(db);
    await deployVersion({ db, slug: SLUG, version: v1, label: 'production', actor: 'a' });
    let clock = 1_000_000;
    const source = createStoreSource({ db, ttlMs: 5_000, now: () => clock });
    cleanups.push(() => source.close());
    expect((await source.resolve({ slug: SLUG, label: 'production' })).version).toBe(v1);
    await deployVersion({ db, slug: SLUG, version: v2, label: 'production', actor: 'a' });
    clock += 4_999;
    expect((await source.resolve({ slug: SLUG, label: 'production' })).version).toBe(v1);
    clock += 1;
    expect((await source.resolve({ slug: SLUG, label: 'production' })).version).toBe(v2);
  });

  it('drops a slug in every subscribed source within a second of a deploy, through Redis pub/sub', async ({
    testDb,
  }) => {
    const db = testDb.database.db;
    const [v1, v2] = await publishTwo(db);
    await deployVersion({ db, slug: SLUG, version: v1, label: 'production', actor: 'a' });
    const prefix = `test-${crypto.randomUUID()}`;
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    cleanups.push(async () => {
      await deleteKeys(redis, `${prefix}:*`);
      redis.disconnect();
    });
    const sources: StoreSource[] = [1, 2].map(() =>
      createStoreSource({ db, ttlMs: 600_000, invalidation: { redis, prefix } }),
    );
    for (const source of sources) {
      cleanups.push(() => source.close());
      await source.ready();
      expect((await source.resolve({ slug: SLUG, label: 'production' })).version).toBe(v1);
    }
    const deployedAt = Date.now();
    await deployVersion({
      db,
      slug: SLUG,
      version: v2,
      label: 'production',
      actor: 'a',
      onChange: (slug) => publishInvalidation(redis, prefix, slug),
    });
    await eventually(
      async () => {
        const versions = await Promise.all(
          sources.map((s) => s.resolve({ slug: SLUG, label: 'production' })),
        );
        return versions.every((resolved) => resolved.version === v2);
      },
      1_000,
      10,
    );
    expect(Date.now() - deployedAt).toBeLessThan(1_000);
  });

  it('lists the latest version of every published slug and refuses unknown slugs and labels', async ({
    testDb,
  }) => {
    const db = testDb.database.db;
    const [, v2] = await publishTwo(db);
    const source = createStoreSource({ db });
    cleanups.push(() => source.close());
    expect(await source.list()).toEqual([
      expect.objectContaining({ slug: SLUG, name: 'triage', model: 'test-model', version: v2, error: null }),
    ]);
    await expect(source.resolve({ slug: 'acme/nope' })).rejects.toMatchObject({
      code: 'registry.slug_not_found',
    });
    await expect(source.resolve({ slug: SLUG, label: 'staging' })).rejects.toMatchObject({
      code: 'registry.label_not_found',
    });
    await expect(source.resolve({ slug: SLUG, version: 'fffffff' })).rejects.toMatchObject({
      code: 'registry.version_not_found',
    });
  });
});
