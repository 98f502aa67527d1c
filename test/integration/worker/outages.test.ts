import { randomUUID } from 'node:crypto';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { countRuns, createDatabase, migrate } from '../../../src/store/index.js';
import { dropSchema, postgresUrl, type TestDatabase } from '../../support/db.js';
import { startRedisServer } from '../queue/support.js';
import { eventually, type Harness, startHarness } from './harness.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

/** A TCP proxy to Postgres that the test can cut (every connection dropped, new ones refused) and restore. */
async function startPostgresProxy(target: URL): Promise<{ url: string; cut(): void; restore(): void }> {
  const sockets = new Set<Socket>();
  let isCut = false;
  const server: Server = createServer((socket) => {
    if (isCut) {
      socket.destroy();
      return;
    }
    const upstream = connect(Number(target.port || 5432), target.hostname);
    for (const s of [socket, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    socket.pipe(upstream).pipe(socket);
    socket.on('close', () => upstream.destroy());
    upstream.on('close', () => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  const url = new URL(target);
  url.hostname = '127.0.0.1';
  url.port = String((server.address() as { port: number }).port);
  return {
    url: url.toString(),
    cut() {
      isCut = true;
      for (const socket of sockets) socket.destroy();
    },
    restore() {
      isCut = false;
    },
  };
}

const items = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ slug: 'acme/support/triage', vars: { ticket: `ticket ${i}` } }));

async function track(h: Harness): Promise<Harness> {
  cleanups.push(() => h.dispose());
  return h;
}

describe('outages mid-batch', () => {
  it('loses nothing when Redis (AOF on) restarts mid-batch', async () => {
    const redisServer = await startRedisServer();
    cleanups.push(() => redisServer.stop());
    const h = await track(await startHarness({ redisUrl: redisServer.url }));
    h.fake.setDefault({ text: 'ok', delayMs: 20 });
    const ids = await h.client.enqueueMany(items(300));
    await h.startWorker({ concurrency: 10, lockDurationMs: 2_000, stalledIntervalMs: 1_000 });
    const db = h.testDb.database.db;
    await eventually(async () => (await countRuns(db)) >= 50);
    await redisServer.restart(1_000);
    await eventually(async () => (await countRuns(db, { status: 'completed' })) >= 300, 60_000, 250);
    expect(await countRuns(db)).toBe(300);
    expect(new Set(ids).size).toBe(300);
  });

  it('retries through a Postgres outage and stores every run once it is back', async () => {
    const realUrl = await postgresUrl();
    const proxy = await startPostgresProxy(new URL(realUrl));
    const schema = `test-${randomUUID()}`;
    const database = await createDatabase({ url: proxy.url, schema, connectTimeoutMs: 1_000 });
    await migrate(database);
    const testDb: TestDatabase = {
      backend: 'postgres',
      database,
      url: realUrl,
      schema,
      dataDir: undefined,
      async dispose() {
        await database.close();
        await dropSchema(realUrl, schema);
      },
    };
    const h = await track(await startHarness({ testDb }));
    h.fake.setDefault({ text: 'ok', delayMs: 20 });
    await h.client.enqueueMany(items(200));
    await h.startWorker({ concurrency: 10, policy: { minDelayMs: 100, maxDelayMs: 1_000 } });
    const db = h.testDb.database.db;
    await eventually(async () => (await countRuns(db)) >= 30);
    proxy.cut();
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    proxy.restore();
    await eventually(
      async () => (await countRuns(db, { status: 'completed' }).catch(() => 0)) >= 200,
      60_000,
      250,
    );
    expect(await countRuns(db)).toBe(200);
  });
});
