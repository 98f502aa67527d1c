/**
 * End-to-end throughput of opm's worker (resolve → render → mock gateway at 0 ms → group-commit
 * persist to real Postgres → completion event) against a bare BullMQ worker doing nothing, on the
 * same Redis, in the same run. Jobs are enqueued first; only their processing is timed.
 * Run: `npm run bench:throughput` (BENCH_JOBS, BENCH_CONCURRENCY, BENCH_ROUNDS to change the load;
 * BENCH_CPU_PROFILE=opm.cpuprofile to profile the opm rounds).
 * The last line is `{"ratio": opm / bare, ...}`; the goal is >= 0.6.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
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
interface Round {
  jobsPerSecond: number;
  /** CPU of this process per job: unlike jobs/s, barely moved by other load on the machine. */
  cpuMicrosPerJob: number;
}

async function bareRound(): Promise<Round> {
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
  const cpu = process.cpuUsage();
  const started = performance.now();
  worker.run().catch(() => undefined);
  const ended = await done;
  const cpuMicros = cpuMicrosSince(cpu);
  await worker.close();
  await queue.close();
  await env.clearQueue();
  return { jobsPerSecond: JOBS / ((ended - started) / 1000), cpuMicrosPerJob: cpuMicros / JOBS };
}

/**
 * With BENCH_CPU_PROFILE=<file>, profiles the opm rounds only (not start-up, enqueueing or the
 * bare rounds) into a .cpuprofile that Chrome DevTools or speedscope open.
 */
async function startProfiler(): Promise<{ stop(): Promise<void> } | undefined> {
  const file = process.env.BENCH_CPU_PROFILE;
  if (!file) return undefined;
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    async stop() {
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
    },
  };
}

/** CPU time this process used since `start` (user + system), µs. */
function cpuMicrosSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return used.user + used.system;
}

async function opmRound(): Promise<Round> {
  const client = createClient({ redis: REDIS_URL, prefix: env.prefix });
  await client.enqueueMany(items);
  await client.close();
  const storedBefore = await env.countStoredRuns();
  const worker = env.createOpmWorker({ concurrency: CONCURRENCY, latencyMs: 0 });
  const done = finishedCount(worker, JOBS);
  // Timed from start(): it also connects, which the bare round does before its clock starts.
  const profiler = await startProfiler();
  const cpu = process.cpuUsage();
  const started = performance.now();
  await worker.start();
  const ended = await done;
  const cpuMicros = cpuMicrosSince(cpu);
  await profiler?.stop();
  await worker.close();
  const stored = (await env.countStoredRuns()) - storedBefore;
  if (stored !== JOBS) throw new Error(`expected ${JOBS} stored runs, found ${stored}`);
  await env.clearQueue();
  return { jobsPerSecond: JOBS / ((ended - started) / 1000), cpuMicrosPerJob: cpuMicros / JOBS };
}

const bare: number[] = [];
const opm: number[] = [];
const bareCpu: number[] = [];
const opmCpu: number[] = [];
try {
  console.log(`${JOBS} jobs per round, concurrency ${CONCURRENCY}, ${ROUNDS} rounds (median counts)`);
  for (let round_ = 0; round_ < ROUNDS; round_ += 1) {
    const b = await bareRound();
    const o = await opmRound();
    bare.push(b.jobsPerSecond);
    bareCpu.push(b.cpuMicrosPerJob);
    opm.push(o.jobsPerSecond);
    opmCpu.push(o.cpuMicrosPerJob);
    console.log(
      `round ${round_ + 1}: bare BullMQ ${Math.round(b.jobsPerSecond)} jobs/s (${Math.round(b.cpuMicrosPerJob)} µs CPU/job) · ` +
        `opm ${Math.round(o.jobsPerSecond)} jobs/s (${Math.round(o.cpuMicrosPerJob)} µs CPU/job)`,
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
    opmCpuMicrosPerJob: Math.round(median(opmCpu)),
    bareCpuMicrosPerJob: Math.round(median(bareCpu)),
    jobs: JOBS,
    concurrency: CONCURRENCY,
    goal: 0.6,
  }),
);
