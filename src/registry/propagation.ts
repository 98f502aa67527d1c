import type { Redis } from 'ioredis';

/** The pub/sub channel carrying slugs whose labels or versions changed. */
export function invalidationChannel(prefix: string): string {
  return `${prefix}:registry:invalidate`;
}

/**
 * Tells every process resolving prompts that `slug` changed, so their caches drop it at once
 * (a TTL bounds staleness when the message is lost).
 */
export async function publishInvalidation(redis: Redis, prefix: string, slug: string): Promise<void> {
  await redis.publish(invalidationChannel(prefix), slug);
}

/** Options for {@link subscribeInvalidations}. */
export interface SubscribeInvalidationsOptions {
  /** A connection to copy; the subscription uses its own (a subscribed connection can do nothing else). */
  redis: Redis;
  prefix: string;
  /** A slug changed. */
  onInvalidate: (slug: string) => void;
  /** The connection came back after a drop: messages may have been missed, so forget everything. */
  onReset: () => void;
}

/** A live subscription. */
export interface InvalidationSubscription {
  /** Resolves once the first SUBSCRIBE is acknowledged. */
  readonly ready: Promise<void>;
  /** Unsubscribes and disconnects; safe to call twice. */
  close(): Promise<void>;
}

/** Listens for invalidations published by {@link publishInvalidation} in any process. */
export function subscribeInvalidations(options: SubscribeInvalidationsOptions): InvalidationSubscription {
  const channel = invalidationChannel(options.prefix);
  const subscriber = options.redis.duplicate({ maxRetriesPerRequest: null });
  let hasConnected = false;
  subscriber.on('error', () => {});
  subscriber.on('ready', () => {
    if (hasConnected) options.onReset();
    hasConnected = true;
  });
  subscriber.on('message', (from: string, slug: string) => {
    if (from === channel) options.onInvalidate(slug);
  });
  const ready = subscriber.subscribe(channel).then(() => undefined);
  // The caller may never await `ready`; an early failure must not become an unhandled rejection.
  ready.catch(() => {});
  let closing: Promise<void> | undefined;
  return {
    ready,
    close() {
      closing ??= subscriber
        .quit()
        .then(() => undefined)
        .catch(() => subscriber.disconnect());
      return closing;
    },
  };
}
