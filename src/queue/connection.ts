import type { ConnectionOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { QueueError } from './errors.js';

/** A Redis URL (`redis://127.0.0.1:6379`) or a ready ioredis client you own. */
export type RedisInput = string | Redis;

/**
 * `worker` connections retry forever (`maxRetriesPerRequest: null`, as BullMQ requires for
 * blocking commands); `producer` commands give up after one reconnect, and the client checks the
 * connection before each enqueue (see {@link waitUntilConnected}), so an `enqueue` during a Redis
 * outage rejects instead of hanging.
 */
export type ConnectionRole = 'worker' | 'producer';

/** Default prefix of every Redis key opm writes. Wrap it in `{}` on Redis Cluster. */
export const DEFAULT_PREFIX = 'opm';

/**
 * BullMQ connection options for a role. A URL gets a connection BullMQ creates and closes itself.
 * An ioredis instance is shared as given by producers (the caller closes it); worker roles block,
 * so they get their own connection with the instance's settings.
 */
export function connectionFor(redis: RedisInput, role: ConnectionRole): ConnectionOptions {
  if (typeof redis !== 'string') {
    const options: Record<string, unknown> = { ...redis.options, maxRetriesPerRequest: null };
    return role === 'producer' ? redis : options;
  }
  assertRedisUrl(redis);
  if (role === 'worker') return { url: redis, maxRetriesPerRequest: null };
  return { url: redis, maxRetriesPerRequest: 1, connectTimeout: 5_000 };
}

/** A standalone ioredis client for opm's own commands (CONFIG GET, stream reads). */
export function createRedisClient(redis: RedisInput, role: ConnectionRole): Redis {
  if (typeof redis !== 'string') return redis.duplicate();
  assertRedisUrl(redis);
  return role === 'worker'
    ? new Redis(redis, { maxRetriesPerRequest: null })
    : new Redis(redis, { maxRetriesPerRequest: 1, connectTimeout: 5_000 });
}

function assertRedisUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new QueueError('queue.invalid_options', `Not a Redis URL: ${JSON.stringify(url)}`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new QueueError('queue.invalid_options', `Redis URL must start with redis:// or rediss://: ${url}`);
  }
}

/**
 * Reads Redis's `maxmemory-policy`. Anything but `noeviction` lets Redis evict queue keys under
 * memory pressure, which corrupts BullMQ state. Returns null when the server refuses CONFIG
 * (common on managed Redis).
 */
export async function readMaxmemoryPolicy(client: Redis): Promise<string | null> {
  try {
    const reply = (await client.config('GET', 'maxmemory-policy')) as unknown;
    if (Array.isArray(reply) && typeof reply[1] === 'string') return reply[1];
    return null;
  } catch {
    return null;
  }
}

/**
 * Resolves once `client` is connected, or rejects with `queue.unavailable` after `timeoutMs`.
 * Producers call it before sending, so a command is never queued offline and sent after the
 * caller was told it failed.
 */
export async function waitUntilConnected(client: Redis, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') return;
  if (client.status === 'wait') client.connect().catch(() => undefined);
  await new Promise<void>((resolve, reject) => {
    const onReady = (): void => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      client.off('ready', onReady);
      reject(
        new QueueError('queue.unavailable', `Redis is not reachable (waited ${timeoutMs} ms)`, {
          retryable: true,
          details: { status: client.status },
        }),
      );
    }, timeoutMs);
    client.once('ready', onReady);
  });
}
