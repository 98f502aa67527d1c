import { randomUUID } from 'node:crypto';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createDatabase,
  createRunWriter,
  type Database,
  getRunByJobId,
  insertRuns,
  migrate,
} from '../../../src/store/index.js';
import { dropSchema, postgresUrl } from '../../support/db.js';
import { sampleRun } from './fixtures.js';

/** A TCP relay to the real Postgres that the test can cut and restore, like a server going away. */
async function startRelay(target: URL, port = 0): Promise<{ port: number; stop(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(Number(target.port || 5432), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => sockets.delete(socket));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('relay has no port');
  return {
    port: address.port,
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('store when Postgres is unreachable', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('fails with a retryable store.unavailable when nothing listens on the port', async () => {
    const database = await createDatabase({
      url: `postgres://postgres@127.0.0.1:${await closedPort()}/test`,
    });
    cleanups.push(() => database.close());
    await expect(insertRuns(database.db, [sampleRun()])).rejects.toMatchObject({
      name: 'StoreError',
      code: 'store.unavailable',
      retryable: true,
    });
    const writer = createRunWriter({ db: database.db });
    await expect(writer.write(sampleRun())).rejects.toMatchObject({ code: 'store.unavailable' });
    await writer.close();
  });

  it('rejects the writers while the server is gone and writes again once it is back', async () => {
    const url = new URL(await postgresUrl());
    const schema = `test-${randomUUID()}`;
    let relay = await startRelay(url);
    const port = relay.port;
    const viaRelay = new URL(url);
    viaRelay.hostname = '127.0.0.1';
    viaRelay.port = String(port);
    const database: Database = await createDatabase({
      url: viaRelay.toString(),
      schema,
      connectTimeoutMs: 1000,
    });
    cleanups.push(async () => {
      await database.close();
      await dropSchema(url.toString(), schema);
    });
    await migrate(database);
    const writer = createRunWriter({ db: database.db });
    cleanups.push(() => writer.close());
    await writer.write(sampleRun({ jobId: 'before' }));

    await relay.stop();
    const during = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => writer.write(sampleRun({ jobId: `during-${i}` }))),
    );
    expect(during.map((result) => result.status)).toEqual(Array(10).fill('rejected'));
    expect(during[0]).toMatchObject({ reason: { code: 'store.unavailable', retryable: true } });

    relay = await startRelay(url, port);
    cleanups.push(() => relay.stop());
    await Promise.all(
      Array.from({ length: 10 }, (_, i) => writer.write(sampleRun({ jobId: `during-${i}` }))),
    );
    expect(await getRunByJobId(database.db, 'during-9')).not.toBeNull();
    expect(await getRunByJobId(database.db, 'before')).not.toBeNull();
  });
});
