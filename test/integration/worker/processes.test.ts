import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, type OpmClient, PROMPT_RUNS_QUEUE } from '../../../src/queue/index.js';
import {
  countRuns,
  createDatabase,
  type Database,
  getRunByJobId,
  migrate,
} from '../../../src/store/index.js';
import { createRunReader } from '../../../src/worker/index.js';
import { startPromptRunner, type WatchedProcess } from '../../support/child-process.js';
import { createScratchDatabase, postgresUrl } from '../../support/db.js';
import { type FakeOpenAIServer, startFakeOpenAIServer } from '../../support/fake-openai-server.js';
import { createTempPrompts, type TempPrompts } from '../../support/temp-prompts.js';
import { deleteKeys, eventually, REDIS_URL } from './harness.js';

const PROMPT = [
  '---',
  'name: triage',
  'model:',
  '  id: test-model',
  'inputs:',
  '  - name: ticket',
  '    kind: string',
  '---',
  'user:',
  '{{ticket}}',
  '',
].join('\n');

interface ProcessFixture {
  prefix: string;
  fake: FakeOpenAIServer;
  database: Database;
  client: OpmClient;
  spawnWorker(): Promise<WatchedProcess>;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

/** A database of its own (worker processes get it through DATABASE_URL), a prefix, a fake provider. */
async function setup(configFile: Record<string, unknown> = {}): Promise<ProcessFixture> {
  const prefix = `test-${randomUUID()}`;
  const scratch = await createScratchDatabase(await postgresUrl());
  const database = await createDatabase({ url: scratch.url });
  await migrate(database);
  const fake = await startFakeOpenAIServer();
  const prompts: TempPrompts = createTempPrompts({ 'acme/support/triage.prompty': PROMPT });
  const configDir = mkdtempSync(join(tmpdir(), 'opm-config-'));
  writeFileSync(join(configDir, 'opm.config.json'), JSON.stringify(configFile));
  const client = createClient({ redis: REDIS_URL, prefix, database: createRunReader(database.db) });
  const children: WatchedProcess[] = [];

  cleanups.push(async () => {
    for (const worker of children) worker.child.kill('SIGKILL');
    await client.close();
    await database.close();
    const redis = new Redis(REDIS_URL);
    await deleteKeys(redis, `${prefix}:*`);
    redis.disconnect();
    await fake.close();
    prompts.remove();
    rmSync(configDir, { recursive: true, force: true });
    await scratch.drop();
  });

  const env = {
    DATABASE_URL: scratch.url,
    OPM_CONFIG: join(configDir, 'opm.config.json'),
    OPM_ATTEMPT_TIMEOUT_MS: '30000',
    OPM_LOCK_DURATION_MS: '1500',
    OPM_STALLED_INTERVAL_MS: '1000',
    OPM_CONCURRENCY: '4',
  };

  async function spawnWorker(): Promise<WatchedProcess> {
    const worker = await startPromptRunner({
      prefix,
      promptsDir: prompts.root,
      openaiBaseUrl: fake.url,
      env,
    });
    children.push(worker);
    return worker;
  }

  return { prefix, fake, database, client, spawnWorker };
}

describe('prompt-runner worker processes', () => {
  it('share one queue: two processes run a batch with exactly one row per job', async () => {
    const f = await setup();
    await Promise.all([f.spawnWorker(), f.spawnWorker()]);
    const ids = await f.client.enqueueMany(
      Array.from({ length: 200 }, (_, i) => ({ slug: 'acme/support/triage', vars: { ticket: `t${i}` } })),
    );
    await eventually(async () => (await countRuns(f.database.db)) >= 200, 60_000, 200);
    expect(await countRuns(f.database.db, { status: 'completed' })).toBe(200);
    expect(new Set(ids).size).toBe(200);
    const queue = new Queue(PROMPT_RUNS_QUEUE, { connection: { url: REDIS_URL }, prefix: f.prefix });
    try {
      const jobs = await queue.getJobs(['completed'], 0, -1);
      expect(new Set(jobs.map((job) => job.processedBy)).size).toBe(2);
    } finally {
      await queue.close();
    }
  });

  it('recovers the job of a SIGKILLed worker on another worker, with one result row', async () => {
    const f = await setup();
    f.fake.script({ text: 'never delivered', delayMs: 60_000 });
    f.fake.setDefault({ text: 'recovered' });
    const doomed = await f.spawnWorker();
    const pending = f.client.run('acme/support/triage', { ticket: 'crash me' }, { timeoutMs: 60_000 });
    await eventually(async () => f.fake.requests.length === 1);
    doomed.child.kill('SIGKILL');
    await doomed.exited;
    await f.spawnWorker();
    const result = await pending;
    expect(result).toMatchObject({ status: 'completed', text: 'recovered' });
    expect(await countRuns(f.database.db)).toBe(1);
    expect(f.fake.requests).toHaveLength(2);
  });

  it('records a job that stalled more often than allowed as a failed run, once, though two workers look', async () => {
    const f = await setup({ worker: { maxStalledCount: 0 } });
    f.fake.setDefault({ text: 'never delivered', delayMs: 60_000 });
    const doomed = await f.spawnWorker();
    const jobId = await f.client.enqueue('acme/support/triage', { ticket: 'crash me' }, { tags: ['vip'] });
    await eventually(async () => f.fake.requests.length === 1);
    doomed.child.kill('SIGKILL');
    await doomed.exited;
    // Two survivors: both read the failure event, one row results.
    await Promise.all([f.spawnWorker(), f.spawnWorker()]);
    await eventually(async () => (await getRunByJobId(f.database.db, jobId)) !== null, 30_000, 200);
    const row = await getRunByJobId(f.database.db, jobId);
    expect(row).toMatchObject({
      status: 'failed',
      errorCode: 'worker.job_stalled',
      slug: 'acme/support/triage',
      inputs: { ticket: 'crash me' },
      tags: ['vip'],
    });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await countRuns(f.database.db)).toBe(1);
    expect(f.fake.requests).toHaveLength(1);
  });

  it('drains the active job on SIGTERM, stores it, and exits 0', async () => {
    const f = await setup();
    f.fake.setDefault({ text: 'finished while draining', delayMs: 1_500 });
    const worker = await f.spawnWorker();
    const jobId = await f.client.enqueue('acme/support/triage', { ticket: 'drain me' });
    await eventually(async () => f.fake.requests.length === 1);
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    const row = await getRunByJobId(f.database.db, jobId);
    expect(row).toMatchObject({ status: 'completed', outputText: 'finished while draining' });
    expect(f.fake.requests).toHaveLength(1);
  });

  it('holds a shared rate limit across two worker processes without burning attempts', async () => {
    const f = await setup({
      gateway: { rateLimits: { '*': { rpm: 4, windowSeconds: 2 } }, retry: { maxInPlaceWaitMs: 0 } },
    });
    await Promise.all([f.spawnWorker(), f.spawnWorker()]);
    const ids = await f.client.enqueueMany(
      Array.from({ length: 12 }, (_, i) => ({
        slug: 'acme/support/triage',
        vars: { ticket: `t${i}` },
        opts: { attempts: 1 },
      })),
    );
    await eventually(async () => (await countRuns(f.database.db)) >= 12, 60_000, 200);
    // attempts: 1 — a limited job that burned its attempt would have failed.
    expect(await countRuns(f.database.db, { status: 'completed' })).toBe(12);
    expect(new Set(ids).size).toBe(12);
    const times = f.fake.requests.map((request) => request.receivedAt).sort((a, b) => a - b);
    expect(times).toHaveLength(12);
    // 4 per 2 s window: 12 calls need at least three windows.
    expect((times.at(-1) ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(3_900);
    for (const start of times) {
      // Fixed windows can put two budgets back to back, never more.
      expect(times.filter((t) => t >= start && t < start + 2_000).length).toBeLessThanOrEqual(8);
    }
  });

  it('lets two worker processes make only 10 calls in a minute under a 10 rpm limit, failing none', async () => {
    const f = await setup({ gateway: { rateLimits: { '*': { rpm: 10 } }, retry: { maxInPlaceWaitMs: 0 } } });
    await Promise.all([f.spawnWorker(), f.spawnWorker()]);
    await f.client.enqueueMany(
      Array.from({ length: 14 }, (_, i) => ({
        slug: 'acme/support/triage',
        vars: { ticket: `t${i}` },
        opts: { attempts: 1 },
      })),
    );
    await eventually(async () => (await countRuns(f.database.db)) >= 10, 30_000, 200);
    // Long enough for any call over the budget to show up; far less than the minute.
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    expect(f.fake.requests).toHaveLength(10);
    expect(await countRuns(f.database.db, { status: 'completed' })).toBe(10);
    expect(await countRuns(f.database.db, { status: 'failed' })).toBe(0);
    const queue = new Queue(PROMPT_RUNS_QUEUE, { connection: { url: REDIS_URL }, prefix: f.prefix });
    try {
      const counts = await queue.getJobCounts('failed', 'completed', 'delayed', 'waiting', 'active');
      // The four over the budget wait for the next window with their one attempt intact.
      expect(counts.failed).toBe(0);
      expect((counts.delayed ?? 0) + (counts.waiting ?? 0) + (counts.active ?? 0)).toBe(4);
      // Both processes spent the one budget.
      const completed = await queue.getJobs(['completed'], 0, -1);
      expect(new Set(completed.map((job) => job.processedBy)).size).toBe(2);
    } finally {
      await queue.close();
    }
  });
});
