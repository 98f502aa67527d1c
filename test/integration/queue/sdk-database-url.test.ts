import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../../src/index.js';
import { insertRuns } from '../../../src/store/index.js';
import { createTestDatabase, type TestDatabase } from '../../support/db.js';
import { deleteKeys, REDIS_URL } from './support.js';

describe('createClient with a postgres:// database URL', () => {
  const prefix = `test-${randomUUID()}`;
  let testDb: TestDatabase;

  beforeAll(async () => {
    testDb = await createTestDatabase('postgres');
  });

  afterAll(async () => {
    await testDb.dispose();
    const redis = new Redis(REDIS_URL);
    await deleteKeys(redis, `${prefix}:*`);
    await redis.quit();
  });

  it('reads a stored run through result(), connecting on first use', async () => {
    await insertRuns(testDb.database.db, [
      {
        jobId: 'stored-job',
        slug: 'acme/support/triage',
        status: 'completed',
        outputText: '{"category":"billing"}',
        outputJson: { category: 'billing' },
        modelRequested: 'openai/gpt-4o-mini',
        modelUsed: 'openai/gpt-4o-mini',
        tokensIn: 12,
        tokensOut: 5,
        inputs: { ticket: 'charged twice' },
        finishedAt: new Date(2_000),
      },
    ]);
    const searchPath = encodeURIComponent(`-c search_path="${testDb.schema}"`);
    const client = createClient({
      redis: REDIS_URL,
      prefix,
      database: `${testDb.url}?options=${searchPath}`,
    });
    try {
      const record = await client.result('stored-job');
      expect(record).toMatchObject({
        jobId: 'stored-job',
        status: 'completed',
        slug: 'acme/support/triage',
        json: { category: 'billing' },
        modelUsed: 'openai/gpt-4o-mini',
        inputTokens: 12,
        outputTokens: 5,
        inputs: { ticket: 'charged twice' },
        finishedAt: 2_000,
      });
      expect(await client.result('never-enqueued')).toBeNull();
    } finally {
      await client.close();
    }
  });
});
