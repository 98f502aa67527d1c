/**
 * End-to-end throughput of opm's worker (resolve → render → mock gateway at 0 ms → group-commit
 * persist to real Postgres → completion event) against a bare BullMQ worker doing nothing, on the
 * same Redis, in the same run. Jobs are enqueued first; only their processing is timed.
 * Run: `npm run bench:throughput` (BENCH_JOBS, BENCH_CONCURRENCY, BENCH_ROUNDS to change the load).
 * The last line is `{"ratio": opm / bare, ...}`; the goal is >= 0.6.
 */
import { Queue, Worker } from 'bullmq';
import { createClient, jobCatalog, PROMPT_RUN_JOB } from '../src/queue/index.js';
import {
  BENCH_SLUG,
  createBenchEnv,
  finishedCount,
  median,
  positiveEnv,
  REDIS_URL,
  round,
  ticketVars,
} from './support.js';

const JOBS = positiveEnv('BENCH_JOBS', 20_000);
const CONCURRENCY = positiveEnv('BENCH_CONCURRENCY', 100);
const ROUNDS = positiveEnv('BENCH_ROUNDS', 3);

const env = await createBenchEnv('throughput');
const items = Array.from({ length: JOBS }, (_, index) => ({ slug: BENCH_SLUG, vars: ticketVars(index) }));

/** A BullMQ worker whose processor returns at once, over jobs carrying the same payloads. */
async function bareRound(): Promise<number> {
  const queue = new Queue('bare', { connection: env.redis, prefix: env.prefix });
  const { removeOnComplete, removeOnFail } = jobCatalog[PROMPT_RUN_JOB].options;
  for (let start = 0; start < JOBS; start += 1_000) {
    await queue.addBulk(
      items.slice(start, start + 1_000).map((item) => ({
        name: PROMPT_RUN_JOB,
        data: { slug: item.slug, vars: item.vars, enqueuedAt: Date.now() },
        opts: { removeOnComplete, removeOnFail },
      })),
    );
  }
  let finished = 0;
  let resolveDone: (at: number) => void = () => undefined;
  const done = new Promise<number>((resolve) => {
    resolveDone = resolve;
  });
  const worker = new Worker('bare', async () => null, {
    connection: { url: REDIS_URL, maxRetriesPerRequest: null },
    prefix: env.prefix,
    concurrency: CONCURRENCY,
    autorun: false,
  });
  worker.on('completed', () => {
    finished += 1;
    if (finished === JOBS) resolveDone(performance.now());
  });
  await worker.waitUntilReady();
  const started = performance.now();
  worker.run().catch(() => undefined);
  const ended = await done;
  await worker.close();
  await queue.close();
  await env.clearQueue();
  return JOBS / ((ended - started) / 1000);
}

async function opmRound(): Promise<number> {
  const client = createClient({ redis: REDIS_URL, prefix: env.prefix });
  await client.enqueueMany(items);
  await client.close();
  const storedBefore = await env.countStoredRuns();
  const worker = env.createOpmWorker({ concurrency: CONCURRENCY, latencyMs: 0 });
  const done = finishedCount(worker, JOBS);
  // Timed from start(): it also connects, which the bare round does before its clock starts.
  const started = performance.now();
  await worker.start();
  const ended = await done;
  await worker.close();
  const stored = (await env.countStoredRuns()) - storedBefore;
  if (stored !== JOBS) throw new Error(`expected ${JOBS} stored runs, found ${stored}`);
  await env.clearQueue();
  return JOBS / ((ended - started) / 1000);
}

const bare: number[] = [];
const opm: number[] = [];
try {
  console.log(`${JOBS} jobs per round, concurrency ${CONCURRENCY}, ${ROUNDS} rounds (median counts)`);
  for (let round_ = 0; round_ < ROUNDS; round_ += 1) {
    bare.push(await bareRound());
    opm.push(await opmRound());
    console.log(
      `round ${round_ + 1}: bare BullMQ ${Math.round(bare.at(-1) ?? 0)} jobs/s · opm ${Math.round(opm.at(-1) ?? 0)} jobs/s`,
    );
  }
} finally {
  await env.dispose();
}
const ratio = median(opm) / median(bare);
console.log(`median: bare ${Math.round(median(bare))} jobs/s, opm ${Math.round(median(opm))} jobs/s`);
console.log(
  JSON.stringify({
    ratio: round(ratio),
    opmJobsPerSecond: Math.round(median(opm)),
    bareJobsPerSecond: Math.round(median(bare)),
    jobs: JOBS,
    concurrency: CONCURRENCY,
    goal: 0.6,
  }),
);
