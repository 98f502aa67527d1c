import { afterEach, describe, expect, it } from 'vitest';
import { createClient } from '../../../src/queue/index.js';
import { type FakeOpenAIServer, startFakeOpenAIServer } from '../../support/fake-openai-server.js';
import { REDIS_URL } from '../../support/redis.js';
import {
  createQueueSandbox,
  type QueueSandbox,
  startWorkerProcess,
  type WorkerProcess,
} from './queue-support.js';

/** A prompt answered by the fake OpenAI server, through the real openai SDK. */
function slowPrompt(fake: FakeOpenAIServer): string {
  return [
    '---',
    'name: slow',
    'model:',
    '  id: slow-model',
    '  provider: openai',
    '  connection:',
    '    kind: key',
    `    endpoint: ${fake.url}`,
    '    apiKey: test-key',
    'inputs:',
    '  - name: ticket',
    '    kind: string',
    '---',
    'user:',
    '{{ticket}}',
    '',
  ].join('\n');
}

describe('opm worker', () => {
  let sandbox: QueueSandbox | undefined;
  let worker: WorkerProcess | undefined;
  let fake: FakeOpenAIServer | undefined;

  afterEach(async () => {
    worker?.kill();
    await worker?.exited;
    await fake?.close();
    await sandbox?.dispose();
  });

  it('logs its queue, prefix, concurrency, provider and database at start-up', async () => {
    sandbox = createQueueSandbox({});
    worker = await startWorkerProcess(['--concurrency', '3'], sandbox.env, sandbox.prompts.root);
    const starting = worker
      .stderr()
      .split('\n')
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as Record<string, unknown>];
        } catch {
          return []; // not a log line (a runtime warning)
        }
      })
      .find((entry) => entry.message === 'opm worker starting');
    expect(starting).toMatchObject({
      level: 'info',
      queue: 'prompt-runs',
      prefix: sandbox.prefix,
      concurrency: 3,
      database: 'pglite',
      forceProvider: 'echo',
    });
    expect(starting?.defaultProvider).toEqual(expect.any(String));
  });

  it('drains the jobs in flight on SIGTERM, then exits 0', async () => {
    fake = await startFakeOpenAIServer();
    fake.setDefault({ text: 'slow answer', delayMs: 1_500 });
    sandbox = createQueueSandbox({ 'acme/slow.prompty': slowPrompt(fake) });
    const env = { ...sandbox.env, OPM_FORCE_PROVIDER: undefined };
    worker = await startWorkerProcess(['--concurrency', '4'], env, sandbox.prompts.root);
    const client = createClient({ redis: REDIS_URL, prefix: sandbox.prefix });
    try {
      const finished: string[] = [];
      client.on('completed', (result) => finished.push(result.jobId));
      const ids = await client.enqueueMany(
        ['a', 'b', 'c'].map((ticket) => ({ slug: 'acme/slow', vars: { ticket } })),
      );
      const deadline = Date.now() + 20_000;
      while (fake.requestCount < ids.length && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(fake.requestCount).toBe(ids.length);
      worker.child.kill('SIGTERM');
      expect(await worker.exited).toBe(0);
      // Every job that was in flight finished and was acknowledged before the process left.
      for (const id of ids) expect((await client.result(id))?.status).toBe('completed');
      expect(worker.stderr()).toContain('"worker closed"');
    } finally {
      await client.close();
    }
  });
});
