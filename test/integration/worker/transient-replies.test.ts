import { Queue } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { PROMPT_RUNS_QUEUE } from '../../../src/queue/index.js';
import { getRunByJobId } from '../../../src/store/index.js';
import { type Harness, REDIS_URL, startHarness } from './harness.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.dispose();
  harness = undefined;
});

async function attemptsMadeOf(h: Harness, jobId: string): Promise<number | undefined> {
  const queue = new Queue(PROMPT_RUNS_QUEUE, { connection: { url: REDIS_URL }, prefix: h.prefix });
  try {
    return (await queue.getJob(jobId))?.attemptsMade;
  } finally {
    await queue.close();
  }
}

// The harness gateway makes one call per model, so any retry seen here is the worker's: the failed
// attempt goes back to the queue and a second job attempt answers.
describe('prompt-run worker on transient provider replies', () => {
  it('retries a job whose provider call times out, and stores one completed row', async () => {
    const h = await startHarness({ gateway: { attemptTimeoutMs: 500 } });
    harness = h;
    h.fake.script({ delayMs: 2_000 });
    h.fake.setDefault({ text: 'in time' });
    await h.startWorker();
    const result = await h.client.run(
      'acme/support/triage',
      { ticket: 'x' },
      { attempts: 2, timeoutMs: 20_000 },
    );
    expect(result.text).toBe('in time');
    expect(await attemptsMadeOf(h, result.jobId)).toBe(2);
    expect(h.fake.requests).toHaveLength(2);
    const row = await getRunByJobId(h.testDb.database.db, result.jobId);
    expect(row?.status).toBe('completed');
  });

  it.each(['malformed', 'truncated', 'error-200'] as const)(
    'retries a job whose provider answers with a %s body, and stores one completed row',
    async (fault) => {
      const h = await startHarness();
      harness = h;
      h.fake.script({ fault });
      h.fake.setDefault({ text: 'clean reply' });
      await h.startWorker();
      const result = await h.client.run(
        'acme/support/triage',
        { ticket: 'x' },
        { attempts: 2, timeoutMs: 20_000 },
      );
      expect(result.text).toBe('clean reply');
      expect(await attemptsMadeOf(h, result.jobId)).toBe(2);
      expect(h.fake.requests).toHaveLength(2);
      const row = await getRunByJobId(h.testDb.database.db, result.jobId);
      expect(row?.status).toBe('completed');
      expect(row?.outputText).toBe('clean reply');
    },
  );
});
