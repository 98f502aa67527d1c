import { Queue, QueueEventsProducer } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { createGateway } from '../../../src/gateway/index.js';
import { PROMPT_RUN_JOB, PROMPT_RUNS_QUEUE } from '../../../src/queue/index.js';
import { createFileSource, renderPrompt } from '../../../src/registry/index.js';
import { createRunWriter } from '../../../src/store/index.js';
import { createProcessor, createRunStore } from '../../../src/worker/index.js';
import { databaseTest } from '../../support/db.js';
import { createTempPrompts } from '../../support/temp-prompts.js';
import { eventually, REDIS_URL, startHarness } from './harness.js';

describe('createProcessor', () => {
  const dbTest = databaseTest('pglite');

  dbTest('takes no abort signal, so BullMQ creates no AbortController per job', async ({ testDb }) => {
    const prompts = createTempPrompts();
    const source = createFileSource({ root: prompts.root });
    const gateway = createGateway({ forceProvider: 'echo' });
    const writer = createRunWriter({ db: testDb.database.db });
    const events = new QueueEventsProducer('processor-arity', { connection: { url: REDIS_URL } });
    try {
      const processor = createProcessor({
        prompts: source,
        render: (resolved, vars) => renderPrompt(resolved, vars),
        gateway,
        store: createRunStore({ db: testDb.database.db, writer }),
        events,
      });
      expect(processor.length).toBe(2);
    } finally {
      await events.close();
      await writer.close();
      await gateway.close();
      await source.close?.();
      prompts.remove();
    }
  });
});

describe('the worker on jobs opm did not enqueue', () => {
  it('fails a job with an invalid payload or an unknown name at once, without retries', async () => {
    const h = await startHarness();
    const queue = new Queue(PROMPT_RUNS_QUEUE, { connection: { url: REDIS_URL }, prefix: h.prefix });
    try {
      await h.startWorker();
      const retried = { attempts: 3, backoff: { type: 'fixed', delay: 10 } };
      const invalid = await queue.add(PROMPT_RUN_JOB, { slug: '', vars: 'nope' }, retried);
      const unknown = await queue.add('prompt.unknown', { slug: 'acme/support/triage' }, retried);
      await eventually(async () => (await queue.getJobCounts('failed')).failed === 2, 20_000, 50);
      const failedInvalid = await queue.getJob(invalid.id ?? '');
      const failedUnknown = await queue.getJob(unknown.id ?? '');
      expect(failedInvalid?.attemptsMade).toBe(1);
      expect(failedInvalid?.failedReason).toContain('Invalid prompt.run payload');
      expect(failedUnknown?.attemptsMade).toBe(1);
      expect(failedUnknown?.failedReason).toBe('No handler for job "prompt.unknown"');
    } finally {
      await queue.close();
      await h.dispose();
    }
  });
});
