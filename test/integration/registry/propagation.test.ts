import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { sql } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, type OpmClient, PROMPT_RUNS_QUEUE } from '../../../src/queue/index.js';
import { deployVersion, publishInvalidation } from '../../../src/registry/index.js';
import { countRuns, createDatabase, type Database, executeRows, migrate } from '../../../src/store/index.js';
import { createRunReader } from '../../../src/worker/index.js';
import { startPromptRunner, type WatchedProcess } from '../../support/child-process.js';
import { createScratchDatabase, postgresUrl } from '../../support/db.js';
import { type FakeOpenAIServer, startFakeOpenAIServer } from '../../support/fake-openai-server.js';
import { deleteKeys, eventually, REDIS_URL } from '../queue/support.js';
import { publishTwoVersions } from './git-repo.js';

const SLUG = 'acme/support/triage';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await Promise.resolve(cleanup()).catch(() => undefined);
});

interface Fixture {
  prefix: string;
  database: Database;
  client: OpmClient;
  redis: Redis;
  fake: FakeOpenAIServer;
  versions: [string, string];
  spawnWorker(): Promise<WatchedProcess>;
}

/** A database of its own with two published versions, a fake provider, and worker processes on demand. */
async function setup(): Promise<Fixture> {
  const prefix = `test-${randomUUID()}`;
  const scratch = await createScratchDatabase(await postgresUrl());
  const database = await createDatabase({ url: scratch.url });
  await migrate(database);
  const { repo, versions } = await publishTwoVersions(database.db, SLUG, 'test-model', 'openai');
  const fake = await startFakeOpenAIServer();
  const client = createClient({ redis: REDIS_URL, prefix, database: createRunReader(database.db) });
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const children: WatchedProcess[] = [];
  cleanups.push(async () => {
    for (const worker of children) worker.child.kill('SIGKILL');
    await client.close();
    await database.close();
    await deleteKeys(redis, `${prefix}:*`);
    redis.disconnect();
    await fake.close();
    repo.remove();
    await scratch.drop();
  });

  async function spawnWorker(): Promise<WatchedProcess> {
    const worker = await startPromptRunner({
      prefix,
      promptsDir: repo.promptsDir,
      openaiBaseUrl: fake.url,
      env: { DATABASE_URL: scratch.url, OPM_CONCURRENCY: '4' },
    });
    children.push(worker);
    return worker;
  }

  return { prefix, database, client, redis, fake, versions, spawnWorker };
}

async function versionsOf(
  database: Database,
  jobIds: readonly string[],
): Promise<Map<string, string | null>> {
  const rows = await executeRows<{ job_id: string; version: string | null }>(
    database.db,
    sql`select job_id, version from runs where job_id in (${sql.join(
      jobIds.map((id) => sql`${id}`),
      sql`, `,
    )})`,
  );
  return new Map(rows.map((row) => [row.job_id, row.version]));
}

describe('label propagation to worker processes', () => {
  it('serves a deploy from every new job within one second while two workers run', async () => {
    const f = await setup();
    const [v1, v2] = f.versions;
    const db = f.database.db;
    await deployVersion({ db, slug: SLUG, version: v1, label: 'production', actor: 'a' });
    await Promise.all([f.spawnWorker(), f.spawnWorker()]);

    const job = (i: number, tag: string) => ({
      slug: SLUG,
      vars: { ticket: `${tag}-${i}` },
      opts: { label: 'production' },
    });
    const before = await f.client.enqueueMany(Array.from({ length: 40 }, (_, i) => job(i, 'before')));
    await eventually(async () => (await countRuns(db)) >= 40, 30_000, 100);
    expect(new Set((await versionsOf(f.database, before)).values())).toEqual(new Set([v1]));

    await deployVersion({
      db,
      slug: SLUG,
      version: v2,
      label: 'production',
      actor: 'a',
      reason: 'ship v2',
      onChange: (slug) => publishInvalidation(f.redis, f.prefix, slug),
    });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const after = await f.client.enqueueMany(Array.from({ length: 40 }, (_, i) => job(i, 'after')));
    await eventually(async () => (await countRuns(db)) >= 80, 30_000, 100);
    const served = await versionsOf(f.database, after);
    expect(served.size).toBe(40);
    expect(new Set(served.values())).toEqual(new Set([v2]));
    // Both processes served jobs after the deploy, so both caches were dropped.
    const queue = new Queue(PROMPT_RUNS_QUEUE, { connection: { url: REDIS_URL }, prefix: f.prefix });
    try {
      const jobs = await Promise.all(after.map((id) => queue.getJob(id)));
      expect(new Set(jobs.map((j) => j?.processedBy)).size).toBe(2);
    } finally {
      await queue.close();
    }
    const rows = await executeRows<{ label: string | null; variant: string | null }>(
      db,
      sql`select distinct label, variant from runs`,
    );
    expect(rows).toEqual([{ label: 'production', variant: null }]);
  }, 120_000);
});
