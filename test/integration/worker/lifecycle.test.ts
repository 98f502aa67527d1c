import { afterEach, describe, expect, it } from 'vitest';
import { startRedisServer } from '../queue/support.js';
import { type Harness, startHarness } from './harness.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

function capturingLogger() {
  const warnings: string[] = [];
  const log = () => undefined;
  return {
    warnings,
    logger: { info: log, error: log, warn: (message: string) => void warnings.push(message) },
  };
}

async function harnessOn(redisUrl: string): Promise<Harness> {
  const h = await startHarness({ redisUrl });
  cleanups.push(() => h.dispose());
  return h;
}

describe('worker start-up', () => {
  it('warns when Redis may evict queue keys (maxmemory-policy is not noeviction)', async () => {
    const redis = await startRedisServer(['--maxmemory-policy', 'allkeys-lru']);
    cleanups.push(() => redis.stop());
    const h = await harnessOn(redis.url);
    const { warnings, logger } = capturingLogger();
    await h.startWorker({ logger });
    expect(warnings.some((w) => w.includes('maxmemory-policy is "allkeys-lru"'))).toBe(true);
  });

  it('stays quiet when the policy is noeviction', async () => {
    const redis = await startRedisServer(['--maxmemory-policy', 'noeviction']);
    cleanups.push(() => redis.stop());
    const h = await harnessOn(redis.url);
    const { warnings, logger } = capturingLogger();
    await h.startWorker({ logger });
    expect(warnings.filter((w) => w.includes('maxmemory-policy'))).toEqual([]);
  });
});
