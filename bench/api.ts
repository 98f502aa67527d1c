/**
 * Requests per second of `POST /v1/runs` (enqueue only: auth, validation, slug check, enqueue) with
 * autocannon, against enqueueing the same items through the SDK directly at the same concurrency.
 * The API runs in this process on a free port; rate limits are off. No worker runs.
 * Run: `node --import tsx bench/api.ts` (BENCH_SECONDS, BENCH_CONNECTIONS).
 * The last line is `{"apiRequestsPerSecond", "sdkEnqueuesPerSecond", "ratio": api / sdk, ...}`.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import autocannon from 'autocannon';
import { createApp, displayPrefix, generateApiKey, hashApiKey } from '../src/api/index.js';
import { createClient } from '../src/queue/index.js';
import { createFileSource } from '../src/registry/index.js';
import { insertApiKey } from '../src/store/index.js';
import { BENCH_SLUG, createBenchEnv, positiveEnv, REDIS_URL, round, ticketVars } from './support.js';

const SECONDS = positiveEnv('BENCH_SECONDS', 10);
const CONNECTIONS = positiveEnv('BENCH_CONNECTIONS', 50);

const env = await createBenchEnv('api');
const client = createClient({ redis: REDIS_URL, prefix: env.prefix });
const key = generateApiKey();
await insertApiKey(env.database.db, {
  name: 'bench',
  role: 'runner',
  prefix: displayPrefix(key),
  keyHash: hashApiKey(key),
});
const api = createApp({
  client,
  db: env.database.db,
  source: createFileSource({ root: env.promptsRoot }),
  redis: env.redis,
  rateLimitPerMinute: false,
});
const server = await new Promise<Server>((resolve) => {
  const created = serve({ fetch: api.fetch, port: 0, hostname: '127.0.0.1' }, () =>
    resolve(created as Server),
  ) as Server;
});
const { port } = server.address() as AddressInfo;

async function httpRound(): Promise<{
  requestsPerSecond: number;
  errors: number;
  non2xx: number;
  p99Ms: number;
}> {
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/v1/runs`,
    method: 'POST',
    connections: CONNECTIONS,
    duration: SECONDS,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ slug: BENCH_SLUG, vars: ticketVars(1) }),
  });
  return {
    requestsPerSecond: result.requests.average,
    errors: result.errors,
    non2xx: result.non2xx,
    p99Ms: result.latency.p99,
  };
}

async function sdkRound(): Promise<number> {
  let enqueued = 0;
  const deadline = performance.now() + SECONDS * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (performance.now() < deadline) {
        await client.enqueue(BENCH_SLUG, ticketVars(enqueued));
        enqueued += 1;
      }
    }),
  );
  return enqueued / ((performance.now() - started) / 1000);
}

try {
  await client.enqueue(BENCH_SLUG, ticketVars(0));
  const http = await httpRound();
  await env.clearQueue();
  const sdk = await sdkRound();
  console.log(
    `POST /v1/runs: ${Math.round(http.requestsPerSecond)} req/s (p99 ${http.p99Ms} ms, ${http.non2xx} non-2xx)`,
  );
  console.log(`SDK enqueue:   ${Math.round(sdk)} jobs/s`);
  console.log(
    JSON.stringify({
      apiRequestsPerSecond: Math.round(http.requestsPerSecond),
      sdkEnqueuesPerSecond: Math.round(sdk),
      ratio: round(http.requestsPerSecond / sdk),
      connections: CONNECTIONS,
      seconds: SECONDS,
      apiP99Ms: http.p99Ms,
      apiErrors: http.errors + http.non2xx,
    }),
  );
} finally {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
  api.close();
  await client.close();
  await env.dispose();
}
