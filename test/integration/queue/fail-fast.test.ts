import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createClient, QueueError } from '../../../src/queue/index.js';

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('OpmClient without Redis', () => {
  it('rejects enqueue, enqueueMany and run with queue.unavailable instead of hanging', async () => {
    const client = createClient({ redis: `redis://127.0.0.1:${await closedPort()}`, connectTimeoutMs: 300 });
    try {
      const started = Date.now();
      const enqueued = await client.enqueue('acme/support/triage', { ticket: 'x' }).catch((e: unknown) => e);
      expect(enqueued).toBeInstanceOf(QueueError);
      expect(enqueued).toMatchObject({ code: 'queue.unavailable', retryable: true });
      await expect(client.enqueueMany([{ slug: 'a/b', vars: {} }])).rejects.toMatchObject({
        code: 'queue.unavailable',
      });
      await expect(client.run('a/b', {}, { timeoutMs: 10_000 })).rejects.toMatchObject({
        code: 'queue.unavailable',
      });
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await client.close();
    }
  });
});
