/**
 * Enqueue speed of the SDK's `enqueueMany` (validation, payload parsing, chunked addBulk) against
 * raw BullMQ `Queue.addBulk` of the same items in the same chunks, alternating in one run; then
 * the RSS of a worker process running 500 jobs at once (mock provider, 200 ms).
 * Run: `npm run bench:enqueue` (BENCH_JOBS, BENCH_ROUNDS, BENCH_RSS_CONCURRENCY).
 * The last line is `{"ratio": enqueueMany / addBulk, "workerRssMiB": ...}`; the goal is >= 0.8.
 */
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { createClient, jobCatalog, PROMPT_RUN_JOB } from '../src/queue/index.js';
import {
  BENCH_SLUG,
  createBenchEnv,
  finishedCount,
  median,
  positiveEnv,
  REDIS_URL,
  round,
  rssMiB,
  ticketVars,
} from './support.js';

const JOBS = positiveEnv('BENCH_JOBS', 20_000);
const ROUNDS = positiveEnv('BENCH_ROUNDS', 5);
const CHUNK = 1_000;
const RSS_CONCURRENCY = positiveEnv('BENCH_RSS_CONCURRENCY', 500);

const env = await createBenchEnv('enqueue');
const items = Array.from({ length: JOBS }, (_, index) => ({ slug: BENCH_SLUG, vars: ticketVars(index) }));
const { attempts, backoff, removeOnComplete, removeOnFail } = jobCatalog[PROMPT_RUN_JOB].options;

async function rawRound(): Promise<number> {
  const queue = new Queue('prompt-runs', { connection: { url: REDIS_URL }, prefix: env.prefix });
  await queue.waitUntilReady();
  const started = performance.now();
  for (let start = 0; start < JOBS; start += CHUNK) {
    await queue.addBulk(
      items.slice(start, start + CHUNK).map((item) => {
        const jobId = randomUUID();
        return {
          name: PROMPT_RUN_JOB,
          data: { slug: item.slug, vars: item.vars, enqueuedAt: Date.now() },
          opts: { jobId, attempts, backoff, removeOnComplete, removeOnFail },
        };
      }),
    );
  }
  const seconds = (performance.now() - started) / 1000;
  await queue.close();
  await env.clearQueue();
  return JOBS / seconds;
}

async function sdkRound(): Promise<number> {
  const client = createClient({ redis: REDIS_URL, prefix: env.prefix });
  await client.enqueue(BENCH_SLUG, ticketVars(-1)); // connect outside the clock, as the raw round does
  await env.clearQueue();
  const started = performance.now();
  await client.enqueueMany(items, { chunkSize: CHUNK });
  const seconds = (performance.now() - started) / 1000;
  await client.close();
  await env.clearQueue();
  return JOBS / seconds;
}

async function workerRss(): Promise<{ baseline: number; peak: number }> {
  const jobs = RSS_CONCURRENCY * 6;
  const client = createClient({ redis: REDIS_URL, prefix: env.prefix });
  await client.enqueueMany(items.slice(0, jobs));
  await client.close();
  const baseline = rssMiB();
  let peak = baseline;
  const worker = env.createOpmWorker({ concurrency: RSS_CONCURRENCY, latencyMs: 200 });
  const done = finishedCount(worker, jobs);
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssMiB());
  }, 50);
  await worker.start();
  await done;
  clearInterval(sampler);
  await worker.close();
  await env.clearQueue();
  return { baseline, peak };
}

const raw: number[] = [];
const sdk: number[] = [];
let rss = { baseline: 0, peak: 0 };
try {
  console.log(`${JOBS} jobs per round in chunks of ${CHUNK}, ${ROUNDS} rounds (median counts)`);
  for (let index = 0; index < ROUNDS; index += 1) {
    raw.push(await rawRound());
    sdk.push(await sdkRound());
    console.log(
      `round ${index + 1}: Queue.addBulk ${Math.round(raw.at(-1) ?? 0)} jobs/s · enqueueMany ${Math.round(sdk.at(-1) ?? 0)} jobs/s`,
    );
  }
  rss = await workerRss();
  console.log(
    `worker at concurrency ${RSS_CONCURRENCY} (mock 200 ms): RSS ${rss.baseline} MiB before start, ${rss.peak} MiB peak`,
  );
} finally {
  await env.dispose();
}
console.log(
  JSON.stringify({
    ratio: round(median(sdk) / median(raw)),
    enqueueManyJobsPerSecond: Math.round(median(sdk)),
    addBulkJobsPerSecond: Math.round(median(raw)),
    jobs: JOBS,
    workerConcurrency: RSS_CONCURRENCY,
    workerRssMiB: rss.peak,
    rssBeforeStartMiB: rss.baseline,
    goal: 0.8,
  }),
);
