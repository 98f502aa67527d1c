import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { connectionFor, QueueError } from '../../../src/queue/index.js';

describe('connectionFor', () => {
  it('gives workers connections that retry forever, as BullMQ requires', () => {
    expect(connectionFor('redis://127.0.0.1:6379', 'worker')).toMatchObject({
      url: 'redis://127.0.0.1:6379',
      maxRetriesPerRequest: null,
    });
  });

  it('gives producers connections that fail fast', () => {
    expect(connectionFor('redis://127.0.0.1:6379', 'producer')).toMatchObject({ maxRetriesPerRequest: 1 });
  });

  it('shares a caller-owned ioredis instance with producers but gives blocking roles their own connection', () => {
    const redis = new Redis('redis://127.0.0.1:6390/3', { lazyConnect: true, maxRetriesPerRequest: 5 });
    expect(connectionFor(redis, 'producer')).toBe(redis);
    const worker = connectionFor(redis, 'worker');
    expect(worker).not.toBe(redis);
    expect(worker).toMatchObject({ port: 6390, db: 3, maxRetriesPerRequest: null });
    redis.disconnect();
  });

  it('rejects a URL that is not redis:// or rediss://', () => {
    expect(() => connectionFor('http://127.0.0.1:6379', 'producer')).toThrow(QueueError);
    expect(() => connectionFor('not a url', 'worker')).toThrow(/Not a Redis URL/);
  });
});
