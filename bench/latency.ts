/**
 * Throughput at 200 ms provider latency: opm's worker with the mock provider answering after
 * 200 ms, against the ideal concurrency ÷ 0.2 s (every slot busy all the time).
 * Run: `npm run bench:latency` (BENCH_CONCURRENCY, BENCH_LATENCY_MS, BENCH_WAVES to change it).
 * The last line is `{"ratio": measured / ideal, ...}`; the goal is >= 0.9.
 */
import { createClient } from '../src/queue/index.js';
import {
  BENCH_SLUG,
  createBenchEnv,
  finishedCount,
  positiveEnv,
  REDIS_URL,
  round,
  rssMiB,
  ticketVars,
} from './support.js';

const CONCURRENCY = positiveEnv('BENCH_CONCURRENCY', 200);
const LATENCY_MS = positiveEnv('BENCH_LATENCY_MS', 200);
/** Jobs = concurrency × waves; more waves make start-up and the last partial wave count less. */
const WAVES = positiveEnv('BENCH_WAVES', 25);
const JOBS = CONCURRENCY * WAVES;

const env = await createBenchEnv('latency');
let jobsPerSecond = 0;
let peakRss = rssMiB();
try {
  const client = createClient({ redis: REDIS_URL, prefix: env.prefix });
  await client.enqueueMany(
    Array.from({ length: JOBS }, (_, index) => ({ slug: BENCH_SLUG, vars: ticketVars(index) })),
  );
  await client.close();
  const worker = env.createOpmWorker({ concurrency: CONCURRENCY, latencyMs: LATENCY_MS });
  const done = finishedCount(worker, JOBS);
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, rssMiB());
  }, 100);
  const started = performance.now();
  await worker.start();
  const ended = await done;
  clearInterval(sampler);
  await worker.close();
  jobsPerSecond = JOBS / ((ended - started) / 1000);
  const stored = await env.countStoredRuns();
  if (stored !== JOBS) throw new Error(`expected ${JOBS} stored runs, found ${stored}`);
} finally {
  await env.dispose();
}
const ideal = CONCURRENCY / (LATENCY_MS / 1000);
console.log(
  `${JOBS} jobs, concurrency ${CONCURRENCY}, provider latency ${LATENCY_MS} ms: ` +
    `${Math.round(jobsPerSecond)} jobs/s of an ideal ${Math.round(ideal)} jobs/s; peak RSS ${peakRss} MiB`,
);
console.log(
  JSON.stringify({
    ratio: round(jobsPerSecond / ideal),
    jobsPerSecond: Math.round(jobsPerSecond),
    idealJobsPerSecond: Math.round(ideal),
    concurrency: CONCURRENCY,
    latencyMs: LATENCY_MS,
    jobs: JOBS,
    peakRssMiB: peakRss,
    goal: 0.9,
  }),
);
