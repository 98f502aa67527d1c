import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyRateLimiter } from '../../../src/api/auth/rate-limit.js';
import {
  createApp,
  createAuthenticator,
  displayPrefix,
  generateApiKey,
  hashApiKey,
} from '../../../src/api/index.js';
import { createClient } from '../../../src/queue/index.js';
import { createFileSource } from '../../../src/registry/index.js';
import { insertApiKey, revokeApiKey } from '../../../src/store/index.js';
import { GREETING_PROMPT } from '../../support/api-stack.js';
import { createTestDatabase, type TestDatabase } from '../../support/db.js';
import { createTempPrompts, type TempPrompts } from '../../support/temp-prompts.js';

const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

describe('API authentication and rate limits', () => {
  let testDb: TestDatabase;
  let redis: Redis;

  beforeAll(async () => {
    testDb = await createTestDatabase('pglite');
    redis = new Redis(REDIS_URL);
  });

  afterAll(async () => {
    redis?.disconnect();
    await testDb?.dispose();
  });

  async function storeKey(role: 'viewer' | 'admin', name = `k-${randomUUID()}`) {
    const key = generateApiKey();
    const row = await insertApiKey(testDb.database.db, {
      name,
      role,
      prefix: displayPrefix(key),
      keyHash: hashApiKey(key),
    });
    return { key, row };
  }

  it('turns a stored key into its principal and refuses unknown keys', async () => {
    const { key, row } = await storeKey('viewer', 'reporting');
    const auth = createAuthenticator({ db: testDb.database.db });
    expect(await auth.authenticate(key)).toEqual({ keyId: row.id, name: 'reporting', role: 'viewer' });
    expect(await auth.authenticate(generateApiKey())).toBeNull();
  });

  it('accepts the bootstrap admin key without a stored row', async () => {
    const adminKey = 'a'.repeat(32);
    const auth = createAuthenticator({ db: testDb.database.db, adminKey });
    expect(await auth.authenticate(adminKey)).toMatchObject({ role: 'admin', name: 'bootstrap-admin' });
    expect(await auth.authenticate(`${adminKey}b`)).toBeNull();
  });

  it('stops accepting a revoked key once the cached lookup expires, or at once after forget()', async () => {
    let now = 1_000_000;
    const { key, row } = await storeKey('viewer');
    const auth = createAuthenticator({ db: testDb.database.db, cacheTtlMs: 2000, now: () => now });
    expect(await auth.authenticate(key)).not.toBeNull();
    await revokeApiKey(testDb.database.db, row.id);
    expect(await auth.authenticate(key)).not.toBeNull();
    now += 2001;
    expect(await auth.authenticate(key)).toBeNull();

    const other = await storeKey('viewer');
    expect(await auth.authenticate(other.key)).not.toBeNull();
    await revokeApiKey(testDb.database.db, other.row.id);
    auth.forget();
    expect(await auth.authenticate(other.key)).toBeNull();
  });

  it('counts requests per key in Redis and refuses those over the limit with a wait', async () => {
    const limiter = createKeyRateLimiter({ redis, keyPrefix: `test-${randomUUID()}:rate`, points: 3 });
    for (let i = 0; i < 3; i += 1) expect(await limiter.consume('key-a')).toEqual({ allowed: true });
    const refused = await limiter.consume('key-a');
    expect(refused.allowed).toBe(false);
    expect(refused.allowed === false && refused.retryAfterMs).toBeGreaterThan(0);
    expect(await limiter.consume('key-b')).toEqual({ allowed: true });
  });

  describe('createApp', () => {
    let prompts: TempPrompts;
    const prefix = `test-${randomUUID()}`;
    const client = () => createClient({ redis: REDIS_URL, prefix });

    beforeAll(() => {
      prompts = createTempPrompts({ 'acme/greeting.prompty': GREETING_PROMPT });
    });

    afterAll(() => prompts?.remove());

    it('answers 429 with Retry-After once a key is over its per-minute limit', async () => {
      const sdk = client();
      const api = createApp({
        client: sdk,
        db: testDb.database.db,
        source: createFileSource({ root: prompts.root }),
        redis,
        rateLimitPerMinute: 2,
        rateLimitPrefix: `${prefix}:api-rate`,
      });
      try {
        const { key } = await storeKey('viewer');
        const get = () =>
          api.fetch(new Request('http://api/v1/prompts', { headers: { authorization: `Bearer ${key}` } }));
        expect((await get()).status).toBe(200);
        expect((await get()).status).toBe(200);
        const refused = await get();
        expect(refused.status).toBe(429);
        expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(await refused.json()).toMatchObject({ error: { code: 'api.rate_limited' } });
      } finally {
        api.close();
        await sdk.close();
      }
    });

    it('refuses bad options when it is created', () => {
      const sdk = client();
      const base = {
        client: sdk,
        db: testDb.database.db,
        source: createFileSource({ root: prompts.root }),
        redis,
      };
      expect(() => createApp({ ...base, bodyLimitBytes: 0 })).toThrow(/bodyLimitBytes/);
      expect(() => createApp({ ...base, adminKey: 'short' })).toThrow(/24 characters/);
      return sdk.close();
    });
  });
});
