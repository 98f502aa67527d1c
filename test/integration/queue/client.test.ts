import { Queue } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { PROMPT_RUNS_QUEUE, QueueError, type RunResult, RunTimeoutError } from '../../../src/queue/index.js';
import { countRuns, getRunByJobId } from '../../../src/store/index.js';
import { eventually, type Harness, REDIS_URL, startHarness } from '../worker/harness.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.dispose();
  harness = undefined;
});

async function setup(): Promise<Harness> {
  harness = await startHarness();
  return harness;
}

async function jobCounts(h: Harness) {
  const queue = new Queue(PROMPT_RUNS_QUEUE, { connection: { url: REDIS_URL }, prefix: h.prefix });
  try {
    return await queue.getJobCounts('wait', 'delayed', 'prioritized', 'completed', 'failed', 'active');
  } finally {
    await queue.close();
  }
}

describe('OpmClient.enqueue', () => {
  it('returns a job id at once, before any worker runs, and the run is stored once a worker comes', async () => {
    const h = await setup();
    h.fake.setDefault({ text: 'priority: high' });
    const jobId = await h.client.enqueue(
      'acme/support/triage',
      { ticket: 'My order is late' },
      { tags: ['t1'] },
    );
    expect(jobId).toMatch(/^[0-9a-f-]{36}$/);
    expect((await jobCounts(h)).wait).toBe(1);
    expect(h.fake.requests).toHaveLength(0);

    await h.startWorker();
    await eventually(async () => (await getRunByJobId(h.testDb.database.db, jobId)) !== null);
    const row = await getRunByJobId(h.testDb.database.db, jobId);
    expect(row).toMatchObject({
      status: 'completed',
      outputText: 'priority: high',
      slug: 'acme/support/triage',
      tags: ['t1'],
    });
    expect(h.fake.requests).toHaveLength(1);
  });

  it('rejects a bad payload before anything reaches Redis', async () => {
    const h = await setup();
    await expect(h.client.enqueue('', { ticket: 'x' })).rejects.toMatchObject({
      code: 'queue.invalid_payload',
    });
    await expect(
      h.client.enqueue('acme/support/triage', 'nope' as unknown as Record<string, unknown>),
    ).rejects.toBeInstanceOf(QueueError);
    await expect(h.client.enqueue('acme/support/triage', {}, { attempts: 0 })).rejects.toMatchObject({
      code: 'queue.invalid_options',
    });
    const counts = await jobCounts(h);
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(0);
  });

  it('passes priority, delay and attempts to the job', async () => {
    const h = await setup();
    const id = await h.client.enqueue(
      'acme/support/triage',
      { ticket: 'x' },
      { delayMs: 60_000, attempts: 5 },
    );
    const queue = new Queue(PROMPT_RUNS_QUEUE, { connection: { url: REDIS_URL }, prefix: h.prefix });
    try {
      const job = await queue.getJob(id);
      expect(job?.opts).toMatchObject({ delay: 60_000, attempts: 5 });
      expect(await job?.getState()).toBe('delayed');
    } finally {
      await queue.close();
    }
  });
});

describe('OpmClient.run', () => {
  it('awaits the result of the run', async () => {
    const h = await setup();
    h.fake.setDefault({ text: 'priority: low', usage: { prompt_tokens: 20, completion_tokens: 4 } });
    await h.startWorker();
    const result = await h.client.run(
      'acme/support/triage',
      { ticket: 'Where is my invoice?' },
      { timeoutMs: 20_000 },
    );
    expect(result).toMatchObject({
      status: 'completed',
      text: 'priority: low',
      modelUsed: 'test-model',
      inputTokens: 20,
      outputTokens: 4,
      error: null,
    });
    const stored = await h.client.result(result.jobId);
    expect(stored).toMatchObject({
      jobId: result.jobId,
      text: 'priority: low',
      inputs: { ticket: 'Where is my invoice?' },
    });
  });

  it('rejects with RunTimeoutError when no worker answers in time', async () => {
    const h = await setup();
    await expect(
      h.client.run('acme/support/triage', { ticket: 'x' }, { timeoutMs: 300 }),
    ).rejects.toBeInstanceOf(RunTimeoutError);
  });
});

describe('idempotency keys', () => {
  it('map one key to one job and one run, however often it is enqueued', async () => {
    const h = await setup();
    h.fake.setDefault({ text: 'once', delayMs: 200 });
    const first = await h.client.enqueue(
      'acme/support/triage',
      { ticket: 'x' },
      { idempotencyKey: 'ticket-42' },
    );
    const second = await h.client.enqueue(
      'acme/support/triage',
      { ticket: 'x' },
      { idempotencyKey: 'ticket-42' },
    );
    expect(second).toBe(first);
    await h.startWorker();
    const awaited = await h.client.run(
      'acme/support/triage',
      { ticket: 'x' },
      { idempotencyKey: 'ticket-42' },
    );
    expect(awaited).toMatchObject({ jobId: first, text: 'once' });
    // After completion, the same key still answers from the stored run.
    const again = await h.client.run('acme/support/triage', { ticket: 'x' }, { idempotencyKey: 'ticket-42' });
    expect(again.jobId).toBe(first);
    expect(await countRuns(h.testDb.database.db)).toBe(1);
    expect(h.fake.requests).toHaveLength(1);
  });

  it('do not run a job again when it is re-added after BullMQ removed it', async () => {
    const h = await setup();
    await h.startWorker();
    const done = await h.client.run('acme/support/triage', { ticket: 'x' }, { idempotencyKey: 'k-removed' });
    const queue = new Queue(PROMPT_RUNS_QUEUE, { connection: { url: REDIS_URL }, prefix: h.prefix });
    try {
      await queue.remove(done.jobId);
    } finally {
      await queue.close();
    }
    const again = await h.client.run('acme/support/triage', { ticket: 'x' }, { idempotencyKey: 'k-removed' });
    expect(again).toMatchObject({ jobId: done.jobId, status: 'completed' });
    expect(h.fake.requests).toHaveLength(1);
    expect(await countRuns(h.testDb.database.db)).toBe(1);
  });
});

describe('OpmClient.enqueueMany', () => {
  it('enqueues a batch of 1,000 in chunks, reports progress, and yields exactly 1,000 rows', async () => {
    const h = await setup();
    const progress: number[] = [];
    const items = Array.from({ length: 1_000 }, (_, i) => ({
      slug: 'acme/support/triage',
      vars: { ticket: `ticket ${i}` },
    }));
    const ids = await h.client.enqueueMany(items, {
      chunkSize: 300,
      onProgress: ({ enqueued, total }) => {
        expect(total).toBe(1_000);
        progress.push(enqueued);
      },
    });
    expect(progress).toEqual([300, 600, 900, 1_000]);
    expect(new Set(ids).size).toBe(1_000);
    await h.startWorker({ concurrency: 50 });
    await eventually(async () => (await countRuns(h.testDb.database.db)) >= 1_000, 60_000, 200);
    expect(await countRuns(h.testDb.database.db)).toBe(1_000);
    expect(await countRuns(h.testDb.database.db, { status: 'completed' })).toBe(1_000);
    const row = await getRunByJobId(h.testDb.database.db, ids[999] ?? '');
    expect(row?.inputs).toEqual({ ticket: 'ticket 999' });
  });

  it('keeps input order in the queue while several chunks are in flight', async () => {
    const h = await setup();
    const items = Array.from({ length: 1_000 }, (_, i) => ({
      slug: 'acme/support/triage',
      vars: { ticket: `${i}` },
    }));
    const ids = await h.client.enqueueMany(items, { chunkSize: 50 });
    const queue = new Queue(PROMPT_RUNS_QUEUE, { connection: { url: REDIS_URL }, prefix: h.prefix });
    try {
      const waiting = await queue.getJobs(['wait'], 0, -1, true);
      expect(waiting.map((job) => job.id)).toEqual(ids);
    } finally {
      await queue.close();
    }
  });

  it('enqueues nothing when one item is invalid', async () => {
    const h = await setup();
    await expect(
      h.client.enqueueMany([
        { slug: 'acme/support/triage', vars: { ticket: 'ok' } },
        { slug: '', vars: {} },
      ]),
    ).rejects.toMatchObject({ code: 'queue.invalid_payload' });
    expect((await jobCounts(h)).wait).toBe(0);
  });
});

describe('OpmClient.on', () => {
  it('tells listeners about completed and failed runs with their typed results', async () => {
    const h = await setup();
    const completed: RunResult[] = [];
    const failed: RunResult[] = [];
    h.client.on('completed', (result) => completed.push(result));
    h.client.on('failed', (result) => failed.push(result));
    await h.startWorker();
    const ok = await h.client.run('acme/support/triage', { ticket: 'x' });
    await h.client.run('acme/support/triage', {}).catch(() => undefined);
    await eventually(async () => completed.length === 1 && failed.length === 1);
    expect(completed[0]?.jobId).toBe(ok.jobId);
    expect(failed[0]?.error?.code).toBe('prompty.missing_input');
  });
});
