import { afterEach, describe, expect, it } from 'vitest';
import { countRuns, createDatabase, migrate } from '../../../src/store/index.js';
import type { TestDatabase } from '../../support/db.js';
import { type PostgresServer, startPostgresServer } from '../../support/postgres-server.js';
import { eventually, type Harness, startHarness } from './harness.js';

let server: PostgresServer | undefined;
let harness: Harness | undefined;
afterEach(async () => {
  await harness?.dispose().catch(() => undefined);
  harness = undefined;
  await server?.dispose();
  server = undefined;
});

const items = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ slug: 'acme/support/triage', vars: { ticket: `ticket ${i}` } }));

// outages.test.ts cuts a proxy in front of the shared server; this stops a real server of the
// test's own (immediate mode, as in a crash) and starts it again on the same port.
describe('worker through a Postgres restart', () => {
  it('retries while Postgres is stopped mid-batch and stores every run once, after it is back', async () => {
    server = await startPostgresServer();
    const database = await createDatabase({ url: server.url, schema: 'opm_test', connectTimeoutMs: 1_000 });
    await migrate(database);
    const testDb: TestDatabase = {
      backend: 'postgres',
      database,
      url: server.url,
      schema: 'opm_test',
      dataDir: undefined,
      async dispose() {
        await database.close();
      },
    };
    const h = await startHarness({ testDb });
    harness = h;
    h.fake.setDefault({ text: 'ok', delayMs: 20 });
    const ids = await h.client.enqueueMany(items(200));
    await h.startWorker({ concurrency: 10, policy: { minDelayMs: 100, maxDelayMs: 1_000 } });
    const db = database.db;
    let storedBeforeStop = 0;
    await eventually(async () => {
      storedBeforeStop = await countRuns(db);
      return storedBeforeStop >= 30;
    });
    await server.stop();
    // The outage really is mid-batch: most runs are still to be stored.
    expect(storedBeforeStop).toBeLessThan(200);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await server.start();
    await eventually(
      async () => (await countRuns(db, { status: 'completed' }).catch(() => 0)) >= 200,
      60_000,
      250,
    );
    expect(await countRuns(db)).toBe(200);
    expect(new Set(ids).size).toBe(200);
  });
});
