import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createGateway, type GatewayOptions } from '../../../src/gateway/index.js';
import { createClient, type OpmClient } from '../../../src/queue/index.js';
import { createFileSource, renderPrompt } from '../../../src/registry/index.js';
import { createRunWriter, type RunWriter } from '../../../src/store/index.js';
import {
  createRunReader,
  createRunStore,
  createWorker,
  type OpmWorker,
  type WorkerOptions,
} from '../../../src/worker/index.js';
import { type Backend, createTestDatabase, type TestDatabase } from '../../support/db.js';
import { type FakeOpenAIServer, startFakeOpenAIServer } from '../../support/fake-openai-server.js';
import { createTempPrompts, type TempPrompts } from '../../support/temp-prompts.js';
import { deleteKeys, REDIS_URL, silentLogger } from '../queue/support.js';

export { deleteKeys, eventually, REDIS_URL, silentLogger } from '../queue/support.js';

/** A prompt with one required input `ticket`, answered by the fake provider's `test-model`. */
export const TRIAGE_PROMPT = [
  '---',
  'name: triage',
  'model:',
  '  id: test-model',
  '  provider: fake',
  'inputs:',
  '  - name: ticket',
  '    kind: string',
  '    required: true',
  '---',
  'system:',
  'Triage the ticket.',
  '',
  'user:',
  '{{ticket}}',
  '',
].join('\n');

export interface Harness {
  prefix: string;
  fake: FakeOpenAIServer;
  prompts: TempPrompts;
  testDb: TestDatabase;
  writer: RunWriter;
  client: OpmClient;
  redis: Redis;
  /** Starts an in-process worker on the test's queue (stopped by `dispose`). */
  startWorker(overrides?: Partial<WorkerOptions>): Promise<OpmWorker>;
  dispose(): Promise<void>;
}

export interface HarnessOptions {
  backend?: Backend;
  /** Another Redis than the shared one (a server the test restarts). */
  redisUrl?: string;
  /** A database the test prepared (behind a proxy it cuts); disposed with the harness. */
  testDb?: TestDatabase;
  files?: Record<string, string>;
  gateway?: Partial<GatewayOptions>;
}

/** Real Redis (own prefix), a real database (own schema), the fake OpenAI server and a client. */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const prefix = `test-${randomUUID()}`;
  const fake = await startFakeOpenAIServer();
  const prompts = createTempPrompts(options.files ?? { 'acme/support/triage.prompty': TRIAGE_PROMPT });
  const redisUrl = options.redisUrl ?? REDIS_URL;
  const testDb = options.testDb ?? (await createTestDatabase(options.backend ?? 'postgres'));
  const writer = createRunWriter({ db: testDb.database.db });
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  redis.on('error', () => undefined); // outage tests restart Redis under it
  const client = createClient({
    redis: redisUrl,
    prefix,
    database: createRunReader(testDb.database.db),
    jobDefaults: { backoffDelayMs: 50 },
  });
  const workers: OpmWorker[] = [];
  const gateways: { close(): Promise<void> }[] = [];

  async function startWorker(overrides: Partial<WorkerOptions> = {}): Promise<OpmWorker> {
    const gateway = createGateway({
      providers: { fake: { baseURL: fake.url, apiKey: 'test-key' } },
      retry: { maxAttemptsPerModel: 1, baseDelayMs: 1, maxDelayMs: 5, maxInPlaceWaitMs: 0 },
      attemptTimeoutMs: 5_000,
      rateLimitPrefix: `${prefix}:rl`,
      redis,
      ...options.gateway,
    });
    gateways.push(gateway);
    const source = createFileSource({ root: prompts.root });
    const worker = createWorker({
      redis: redisUrl,
      prefix,
      concurrency: 8,
      prompts: source,
      render: (resolved, vars) => renderPrompt(resolved, vars),
      gateway,
      store: createRunStore({ db: testDb.database.db, writer }),
      drainTimeoutMs: 10_000,
      logger: silentLogger,
      ...overrides,
    });
    workers.push(worker);
    await worker.start();
    return worker;
  }

  return {
    prefix,
    fake,
    prompts,
    testDb,
    writer,
    client,
    redis,
    startWorker,
    async dispose() {
      await client.close();
      await Promise.all(workers.map((worker) => worker.close()));
      await Promise.all(gateways.map((gateway) => gateway.close()));
      await writer.close();
      await deleteKeys(redis, `${prefix}:*`);
      redis.disconnect();
      await fake.close();
      prompts.remove();
      await testDb.dispose();
    },
  };
}
