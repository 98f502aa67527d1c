/**
 * Requests per second of `POST /v1/runs` (enqueue only: auth, validation, slug check, enqueue) with
 * autocannon, against enqueueing the same items through the SDK directly at the same concurrency.
 * The API is `opm serve` in a child process (rate limit out of reach); no worker runs.
 * Run: `node --import tsx bench/api.ts` (BENCH_SECONDS, BENCH_CONNECTIONS).
 * The last line is `{"apiRequestsPerSecond", "sdkEnqueuesPerSecond", "ratio": api / sdk, ...}`.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { createClient } from '../src/queue/index.js';
import {
  BENCH_SLUG,
  createBenchEnv,
  DATABASE_URL,
  positiveEnv,
  REDIS_URL,
  round,
  ticketVars,
} from './support.js';

const SECONDS = positiveEnv('BENCH_SECONDS', 10);
const CONNECTIONS = positiveEnv('BENCH_CONNECTIONS', 50);
const repoRoot = fileURLToPath(new URL('..', import.meta.url));

const env = await createBenchEnv('api');
const client = createClient({ redis: REDIS_URL, prefix: env.prefix });
const key = `opm_bench_${randomBytes(16).toString('hex')}`;
// `opm serve` in its own process, as deployed, so that autocannon does not share its thread.
const server = spawn(
  process.execPath,
  ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--port', '0', '--quiet'],
  {
    cwd: repoRoot,
    env: {
      ...process.env,
      DATABASE_URL,
      OPM_DATABASE_SCHEMA: env.prefix.replaceAll('-', '_'),
      REDIS_URL,
      OPM_QUEUE_PREFIX: env.prefix,
      OPM_PROMPTS_DIR: env.promptsRoot,
      OPM_ADMIN_KEY: key,
      OPM_API_RATE_LIMIT_PER_MINUTE: '1000000000',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
const baseUrl = await new Promise<string>((resolve, reject) => {
  let seen = '';
  server.stdout.on('data', (chunk: Buffer) => {
    seen += chunk.toString('utf8');
    const match = /\{"listening":"([^"]+)"\}/.exec(seen);
    if (match?.[1]) resolve(match[1]);
  });
  server.once('exit', (code) => reject(new Error(`opm serve exited with ${code}`)));
});

async function httpRound(): Promise<{
  requestsPerSecond: number;
  errors: number;
  non2xx: number;
  p99Ms: number;
}> {
  const result = await autocannon({
    url: `${baseUrl}/v1/runs`,
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
    server.once('exit', () => resolve());
    server.kill('SIGTERM');
  });
  await client.close();
  await env.dispose();
}
