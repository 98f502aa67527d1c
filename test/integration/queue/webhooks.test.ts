import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createWebhookNotifier,
  createWebhookWorker,
  type RunResult,
  SIGNATURE_HEADER,
  unreportedFailure,
  verifyWebhookSignature,
  type WebhookNotifier,
  type WebhookWorker,
} from '../../../src/queue/index.js';
import { insertWebhookDelivery, listWebhookDeliveries } from '../../../src/store/index.js';
import { createTestDatabase, type TestDatabase } from '../../support/db.js';
import { deleteKeys, eventually, REDIS_URL } from './support.js';

interface Received {
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function receiver(statuses: number[]): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.statusCode = statuses.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received };
}

async function setup(
  url: string,
): Promise<{ notifier: WebhookNotifier; worker: WebhookWorker; testDb: TestDatabase }> {
  const prefix = `test-${randomUUID()}`;
  const testDb = await createTestDatabase('postgres');
  const targets = [{ url, secret: 'hook-secret', slugPattern: 'acme/**' }];
  const notifier = createWebhookNotifier({ redis: REDIS_URL, prefix, targets });
  const worker = createWebhookWorker({
    redis: REDIS_URL,
    prefix,
    targets,
    record: (delivery) => insertWebhookDelivery(testDb.database.db, delivery),
  });
  cleanups.push(async () => {
    await notifier.close();
    await worker.close();
    const redis = new Redis(REDIS_URL);
    await deleteKeys(redis, `${prefix}:*`);
    redis.disconnect();
    await testDb.dispose();
  });
  await worker.start();
  return { notifier, worker, testDb };
}

const result: RunResult = {
  ...unreportedFailure('job-wh-1', '', 'failed'),
  status: 'completed',
  slug: 'acme/support/triage',
  text: 'done',
  error: null,
};

describe('webhooks', () => {
  it('POSTs a signed completion event to a matching endpoint and records the delivery', async () => {
    const endpoint = await receiver([200]);
    const { notifier, testDb } = await setup(endpoint.url);
    await notifier.notify(result);
    await eventually(async () => (await listWebhookDeliveries(testDb.database.db, 'job-wh-1')).length === 1);
    const [request] = endpoint.received;
    const signature = request?.headers[SIGNATURE_HEADER.toLowerCase()] as string;
    expect(verifyWebhookSignature('hook-secret', request?.body ?? '', signature)).toBe(true);
    expect(JSON.parse(request?.body ?? '{}')).toMatchObject({
      type: 'run.completed',
      jobId: 'job-wh-1',
      data: { text: 'done' },
    });
    const [delivery] = await listWebhookDeliveries(testDb.database.db, 'job-wh-1');
    expect(delivery).toMatchObject({ ok: true, statusCode: 200, attempt: 1, event: 'completed' });
  });

  it('retries a failing endpoint with backoff and records every attempt', async () => {
    const endpoint = await receiver([503]);
    const { notifier, testDb } = await setup(endpoint.url);
    await notifier.notify(result);
    await eventually(
      async () => (await listWebhookDeliveries(testDb.database.db, 'job-wh-1')).length === 2,
      15_000,
    );
    const deliveries = await listWebhookDeliveries(testDb.database.db, 'job-wh-1');
    expect(deliveries.map((d) => [d.attempt, d.ok, d.statusCode])).toEqual([
      [1, false, 503],
      [2, true, 200],
    ]);
  });

  it('delivers once per run even when notified twice (a re-run job)', async () => {
    const endpoint = await receiver([]);
    const { notifier, testDb } = await setup(endpoint.url);
    await notifier.notify(result);
    await notifier.notify(result);
    await eventually(async () => (await listWebhookDeliveries(testDb.database.db, 'job-wh-1')).length >= 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(endpoint.received).toHaveLength(1);
  });

  it('sends nothing for slugs outside the pattern', async () => {
    const endpoint = await receiver([]);
    const { notifier } = await setup(endpoint.url);
    await notifier.notify({ ...result, slug: 'other/thing' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(endpoint.received).toHaveLength(0);
  });
});
