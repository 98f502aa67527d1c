import { afterEach, describe, expect, it } from 'vitest';
import { createRunTracker } from '../../../src/cli/run-tracker.js';
import { loadConfig } from '../../../src/config/index.js';
import { eventually, type Harness, REDIS_URL, startHarness } from '../worker/harness.js';

describe('createRunTracker', () => {
  let harness: Harness | undefined;

  afterEach(async () => {
    await harness?.dispose();
  });

  function configFor(prefix: string) {
    return loadConfig({ env: { REDIS_URL, OPM_QUEUE_PREFIX: prefix }, file: false });
  }

  it('collects results from completion events, whatever order jobs finish in', async () => {
    harness = await startHarness({ backend: 'pglite' });
    await harness.startWorker();
    const tracker = createRunTracker({ client: harness.client, config: configFor(harness.prefix) });
    try {
      const ids = await harness.client.enqueueMany(
        ['a', 'b', 'c'].map((ticket) => ({ slug: 'acme/support/triage', vars: { ticket } })),
      );
      const progress: number[] = [];
      const results = await tracker.waitFor(ids, { timeoutMs: 20_000, onProgress: (n) => progress.push(n) });
      expect([...results.keys()].sort()).toEqual([...ids].sort());
      expect(progress.at(-1)).toBe(3);
      for (const id of ids) expect(results.get(id)?.status).toBe('completed');
    } finally {
      await tracker.close();
    }
  });

  it('reads jobs that finished before it listened from Redis, with the typed failure code', async () => {
    harness = await startHarness({ backend: 'pglite' });
    await harness.startWorker();
    const ids = await harness.client.enqueueMany([
      { slug: 'acme/support/triage', vars: { ticket: 'done already' } },
      { slug: 'acme/support/triage', vars: {} },
    ]);
    await eventually(async () => (await harness?.client.result(ids[0] ?? ''))?.status === 'completed');
    await new Promise((resolve) => setTimeout(resolve, 500));
    const tracker = createRunTracker({
      client: harness.client,
      config: configFor(harness.prefix),
      quietPollMs: 200,
    });
    try {
      const results = await tracker.waitFor(ids, { timeoutMs: 10_000 });
      expect(results.get(ids[0] ?? '')?.status).toBe('completed');
      expect(results.get(ids[1] ?? '')).toMatchObject({
        status: 'failed',
        error: { code: 'prompty.missing_input' },
      });
    } finally {
      await tracker.close();
    }
  });

  it('returns what arrived when the timeout passes', async () => {
    harness = await startHarness({ backend: 'pglite' });
    const tracker = createRunTracker({
      client: harness.client,
      config: configFor(harness.prefix),
      quietPollMs: 100,
    });
    try {
      const ids = await harness.client.enqueueMany([{ slug: 'acme/support/triage', vars: { ticket: 'x' } }]);
      const started = Date.now();
      const results = await tracker.waitFor(ids, { timeoutMs: 500 });
      expect(results.size).toBe(0);
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      await tracker.close();
    }
  });
});
