import { randomUUID } from 'node:crypto';
import { UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, PROMPT_RUNS_QUEUE } from '../../../src/queue/index.js';
import { countRuns, createRunWriter, getRunByJobId } from '../../../src/store/index.js';
import { createRunStore, createUnrecordedFailureRecorder } from '../../../src/worker/index.js';
import { createTestDatabase } from '../../support/db.js';
import { deleteKeys, eventually, REDIS_URL } from './harness.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

/** A queue whose jobs a bare BullMQ worker fails at once (no opm processor, so no run row). */
async function setup() {
  const prefix = `test-${randomUUID()}`;
  const db = await createTestDatabase('pglite');
  const writer = createRunWriter({ db: db.database.db });
  const store = createRunStore({ db: db.database.db, writer });
  const client = createClient({ redis: REDIS_URL, prefix });
  const failing = new Worker(
    PROMPT_RUNS_QUEUE,
    async () => {
      throw new UnrecoverableError('the worker went away');
    },
    { connection: { url: REDIS_URL, maxRetriesPerRequest: null }, prefix },
  );
  let now = Date.now();
  const recorder = createUnrecordedFailureRecorder({
    redis: REDIS_URL,
    prefix,
    queueName: PROMPT_RUNS_QUEUE,
    store,
    intervalMs: 60_000,
    lookbackMs: 10 * 60_000,
    clock: () => now,
  });
  cleanups.push(async () => {
    await recorder.close();
    await failing.close();
    await client.close();
    await writer.close();
    const redis = new Redis(REDIS_URL);
    await deleteKeys(redis, `${prefix}:*`);
    redis.disconnect();
    await db.dispose();
  });
  const failedCount = async () => {
    const redis = new Redis(REDIS_URL);
    try {
      return await redis.zcard(`${prefix}:${PROMPT_RUNS_QUEUE}:failed`);
    } finally {
      redis.disconnect();
    }
  };
  return {
    db: db.database.db,
    store,
    client,
    recorder,
    advance: (ms: number) => {
      now += ms;
    },
    enqueueFailing: async (ticket: string) => {
      const before = await failedCount();
      const jobId = await client.enqueue('acme/support/triage', { ticket }, { tags: ['t'] });
      await eventually(async () => (await failedCount()) > before);
      return jobId;
    },
  };
}

describe('recording jobs that failed without a run', () => {
  it('records a failed prompt run without a row from its payload, once however often it sweeps', async () => {
    const f = await setup();
    const jobId = await f.enqueueFailing('lost ticket');
    expect(await f.recorder.sweep()).toBe(1);
    expect(await f.recorder.sweep()).toBe(0);
    expect(await getRunByJobId(f.db, jobId)).toMatchObject({
      status: 'failed',
      errorCode: 'worker.job_lost',
      slug: 'acme/support/triage',
      inputs: { ticket: 'lost ticket' },
      tags: ['t'],
    });
    expect(await countRuns(f.db)).toBe(1);
  });

  it('leaves a job whose run was recorded alone', async () => {
    const f = await setup();
    const jobId = await f.enqueueFailing('recorded ticket');
    await f.recorder.sweep();
    const first = await getRunByJobId(f.db, jobId);
    expect(await f.recorder.sweep()).toBe(0);
    expect(await getRunByJobId(f.db, jobId)).toEqual(first);
  });

  it('looks back on its first sweep only as far as it was told', async () => {
    const f = await setup();
    await f.enqueueFailing('old ticket');
    f.advance(11 * 60_000);
    expect(await f.recorder.sweep()).toBe(0);
    expect(await countRuns(f.db)).toBe(0);
  });
});
