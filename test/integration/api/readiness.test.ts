import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../src/api/index.js';
import { createClient } from '../../../src/queue/index.js';
import { createFileSource } from '../../../src/registry/index.js';
import { GREETING_PROMPT } from '../../support/api-stack.js';
import { createTestDatabase, type TestDatabase } from '../../support/db.js';
import { createTempPrompts, type TempPrompts } from '../../support/temp-prompts.js';

const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

describe('GET /readyz', () => {
  let testDb: TestDatabase;
  let prompts: TempPrompts;

  beforeAll(async () => {
    testDb = await createTestDatabase('pglite');
    prompts = createTempPrompts({ 'acme/greeting.prompty': GREETING_PROMPT });
  });

  afterAll(async () => {
    prompts?.remove();
    await testDb?.dispose();
  });

  async function readiness(redis: Redis) {
    const client = createClient({ redis: REDIS_URL, prefix: `test-${randomUUID()}` });
    const api = createApp({
      client,
      db: testDb.database.db,
      source: createFileSource({ root: prompts.root }),
      redis,
      rateLimitPerMinute: false,
    });
    try {
      const response = await api.fetch(new Request('http://api/readyz'));
      return { status: response.status, body: await response.json() };
    } finally {
      api.close();
      await client.close();
    }
  }

  it('answers 200 when Redis and the database answer', async () => {
    const redis = new Redis(REDIS_URL);
    try {
      expect(await readiness(redis)).toEqual({
        status: 200,
        body: { status: 'ok', checks: { redis: 'ok', database: 'ok' } },
      });
    } finally {
      redis.disconnect();
    }
  });

  it('answers 503 naming Redis when it does not answer', async () => {
    const redis = new Redis('redis://127.0.0.1:1', {
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      lazyConnect: true,
    });
    redis.on('error', () => undefined);
    try {
      expect(await readiness(redis)).toEqual({
        status: 503,
        body: { status: 'unavailable', checks: { redis: 'error', database: 'ok' } },
      });
    } finally {
      redis.disconnect();
    }
  });
});
