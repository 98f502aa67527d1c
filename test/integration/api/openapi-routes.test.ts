import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiApp, createApp } from '../../../src/api/index.js';
import { createClient, type OpmClient } from '../../../src/queue/index.js';
import { createFileSource } from '../../../src/registry/index.js';
import { GREETING_PROMPT } from '../../support/api-stack.js';
import { createTestDatabase, type TestDatabase } from '../../support/db.js';
import { createTempPrompts, type TempPrompts } from '../../support/temp-prompts.js';

const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
/** Routes that serve the documents themselves, not API operations. */
const DOCUMENT_ROUTES = ['GET /openapi.json', 'GET /docs'];

// The e2e suite checks the document against a hand-kept route list; this checks it against the
// routes the app really serves, so a route added without an OpenAPI definition cannot slip through.
describe('createApp OpenAPI document', () => {
  let testDb: TestDatabase;
  let prompts: TempPrompts;
  let redis: Redis;
  let client: OpmClient;
  let api: ApiApp;

  beforeAll(async () => {
    testDb = await createTestDatabase('pglite');
    prompts = createTempPrompts({ 'acme/greeting.prompty': GREETING_PROMPT });
    redis = new Redis(REDIS_URL);
    client = createClient({ redis: REDIS_URL, prefix: `test-${randomUUID()}` });
    api = createApp({
      client,
      db: testDb.database.db,
      source: createFileSource({ root: prompts.root }),
      redis,
      rateLimitPerMinute: false,
    });
  });

  afterAll(async () => {
    api?.close();
    await client?.close();
    redis?.disconnect();
    prompts?.remove();
    await testDb?.dispose();
  });

  it('documents exactly the routes the app serves, besides the documents themselves', () => {
    const served = new Set(
      api.app.routes
        .filter((route) => route.method !== 'ALL')
        .map((route) => `${route.method} ${route.path.replace(/\/:(\w+)(\{[^}]*\})?/g, '/{$1}')}`),
    );
    const documented = Object.entries(api.document().paths ?? {}).flatMap(([path, item]) =>
      Object.keys(item ?? {}).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(documented.length).toBeGreaterThan(10);
    expect([...served].sort()).toEqual([...documented, ...DOCUMENT_ROUTES].sort());
  });
});
