import { QueueEventsProducer } from 'bullmq';
import { describe, expect } from 'vitest';
import { createGateway } from '../../../src/gateway/index.js';
import { createFileSource, renderPrompt } from '../../../src/registry/index.js';
import { createRunWriter } from '../../../src/store/index.js';
import { createProcessor, createRunStore } from '../../../src/worker/index.js';
import { databaseTest } from '../../support/db.js';
import { createTempPrompts } from '../../support/temp-prompts.js';
import { REDIS_URL } from './harness.js';

describe('createProcessor', () => {
  const it = databaseTest('pglite');

  it('takes no abort signal, so BullMQ creates no AbortController per job', async ({ testDb }) => {
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
