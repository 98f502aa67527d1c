/**
 * End-to-end throughput of opm's worker (resolve → render → mock gateway at 0 ms → group-commit
 * persist to real Postgres → completion event) against a bare BullMQ worker doing nothing, on the
 * same Redis, in the same run. Jobs are enqueued first; only their processing is timed.
 * Run: `npm run bench:throughput` (BENCH_JOBS, BENCH_CONCURRENCY, BENCH_ROUNDS to change the load;
 * BENCH_CPU_PROFILE=opm.cpuprofile to profile the opm rounds).
 * The last line is `{"ratio": opm / bare, ...}`; the goal is >= 0.6. Both sides share two cores
 * with Redis and Postgres, so it also reports what each job cost those servers: Redis commands
 * and CPU (from INFO, server-wide), Postgres statements (the run writer's inserts) and, when the
 * server runs on this machine, Postgres CPU (from /proc), besides this process's CPU and RSS.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { Queue, Worker } from 'bullmq';
import { createClient, jobCatalog, PROMPT_RUN_JOB } from '../src/queue/index.js';
import {
  BENCH_SLUG,
  createBenchEnv,
  finishedCount,
  localPostgresCpuMicros,
  median,
  positiveEnv,
  REDIS_URL,
  redisServerUsage,
  round,
  rssMiB,
  ticketVars,
} from './support.js';

const JOBS = positiveEnv('BENCH_JOBS', 20_000);
const CONCURRENCY = positiveEnv('BENCH_CONCURRENCY', 100);
const ROUNDS = positiveEnv('BENCH_ROUNDS', 3);

const env = await createBenchEnv('throughput');
const items = Array.from({ length: JOBS }, (_, index) => ({ slug: BENCH_SLUG, vars: ticketVars(index) }));

interface Round {
  jobsPerSecond: number;
  /** CPU of this process per job: unlike jobs/s, barely moved by other load on the machine. */
  cpuMicrosPerJob: number;
  redisCommandsPerJob: number;
  redisCpuMicrosPerJob: number;
  /** INSERT statements of the run writer per job (0 for bare BullMQ). */
  postgresStatementsPerJob: number;
  /** Undefined when Postgres does not run on this machine. */
  postgresCpuMicrosPerJob: number | undefined;
  rssMiB: number;
}

/** What the servers have done so far, to take per-round differences. */
interface ServerUsage {
  redis: { commands: number; cpuMicros: number };
  postgresCpuMicros: number | undefined;
}

async function serverUsage(): Promise<ServerUsage> {
  return { redis: await redisServerUsage(env.redis), postgresCpuMicros: localPostgresCpuMicros() };
}

function roundOf(
  elapsedMs: number,
  cpuMicros: number,
  before: ServerUsage,
  after: ServerUsage,
  statements: number,
): Round {
  const pgBefore = before.postgresCpuMicros;
  const pgAfter = after.postgresCpuMicros;
  return {
    jobsPerSecond: JOBS / (elapsedMs / 1000),
    cpuMicrosPerJob: cpuMicros / JOBS,
    redisCommandsPerJob: (after.redis.commands - before.redis.commands) / JOBS,
    redisCpuMicrosPerJob: (after.redis.cpuMicros - before.redis.cpuMicros) / JOBS,
    postgresStatementsPerJob: statements / JOBS,
    postgresCpuMicrosPerJob:
      pgBefore === undefined || pgAfter === undefined ? undefined : (pgAfter - pgBefore) / JOBS,
    rssMiB: rssMiB(),
  };
}

/** A BullMQ worker whose processor returns at once, over jobs carrying the same payloads. */
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
  const before = await serverUsage();
  const cpu = process.cpuUsage();
  const started = performance.now();
  worker.run().catch(() => undefined);
  const ended = await done;
  const cpuMicros = cpuMicrosSince(cpu);
  const after = await serverUsage();
  const result = roundOf(ended - started, cpuMicros, before, after, 0);
  await worker.close();
  await queue.close();
  await env.clearQueue();
  return result;
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
  const before = await serverUsage();
  const cpu = process.cpuUsage();
  const started = performance.now();
  await worker.start();
  const ended = await done;
  const cpuMicros = cpuMicrosSince(cpu);
  const after = await serverUsage();
  await profiler?.stop();
  const result = roundOf(ended - started, cpuMicros, before, after, worker.writerStats().batches);
  await worker.close();
  const stored = (await env.countStoredRuns()) - storedBefore;
  if (stored !== JOBS) throw new Error(`expected ${JOBS} stored runs, found ${stored}`);
  await env.clearQueue();
  return result;
}

const bare: Round[] = [];
const opm: Round[] = [];
try {
  console.log(`${JOBS} jobs per round, concurrency ${CONCURRENCY}, ${ROUNDS} rounds (median counts)`);
  for (let round_ = 0; round_ < ROUNDS; round_ += 1) {
    const b = await bareRound();
    const o = await opmRound();
    bare.push(b);
    opm.push(o);
    console.log(`round ${round_ + 1}: bare BullMQ ${describe(b)} · opm ${describe(o)}`);
  }
} finally {
  await env.dispose();
}

function describe(r: Round): string {
  const postgres =
    r.postgresStatementsPerJob === 0
      ? ''
      : `, Postgres ${r.postgresStatementsPerJob.toFixed(3)} statements` +
        (r.postgresCpuMicrosPerJob === undefined ? '' : ` ${Math.round(r.postgresCpuMicrosPerJob)} µs CPU`);
  return (
    `${Math.round(r.jobsPerSecond)} jobs/s (${Math.round(r.cpuMicrosPerJob)} µs CPU/job; ` +
    `Redis ${r.redisCommandsPerJob.toFixed(1)} commands ${Math.round(r.redisCpuMicrosPerJob)} µs CPU${postgres})`
  );
}

/** The median of one figure over the rounds (undefined when no round has it). */
function medianOf(rounds: readonly Round[], pick: (r: Round) => number | undefined, digits = 0) {
  const values = rounds.map(pick).filter((v): v is number => v !== undefined);
  return values.length === 0 ? undefined : round(median(values), digits);
}

const ratio = median(opm.map((r) => r.jobsPerSecond)) / median(bare.map((r) => r.jobsPerSecond));
console.log(
  `median: bare ${medianOf(bare, (r) => r.jobsPerSecond)} jobs/s, opm ${medianOf(opm, (r) => r.jobsPerSecond)} jobs/s`,
);
console.log(
  JSON.stringify({
    ratio: round(ratio),
    opmJobsPerSecond: medianOf(opm, (r) => r.jobsPerSecond),
    bareJobsPerSecond: medianOf(bare, (r) => r.jobsPerSecond),
    opmCpuMicrosPerJob: medianOf(opm, (r) => r.cpuMicrosPerJob),
    bareCpuMicrosPerJob: medianOf(bare, (r) => r.cpuMicrosPerJob),
    opmRedisCommandsPerJob: medianOf(opm, (r) => r.redisCommandsPerJob, 2),
    bareRedisCommandsPerJob: medianOf(bare, (r) => r.redisCommandsPerJob, 2),
    opmRedisCpuMicrosPerJob: medianOf(opm, (r) => r.redisCpuMicrosPerJob),
    bareRedisCpuMicrosPerJob: medianOf(bare, (r) => r.redisCpuMicrosPerJob),
    opmPostgresStatementsPerJob: medianOf(opm, (r) => r.postgresStatementsPerJob, 4),
    opmPostgresCpuMicrosPerJob: medianOf(opm, (r) => r.postgresCpuMicrosPerJob),
    // One process runs both workers, so this is the peak of the process, not of one worker.
    rssMiB: Math.max(...bare.map((r) => r.rssMiB), ...opm.map((r) => r.rssMiB)),
    jobs: JOBS,
    concurrency: CONCURRENCY,
    goal: 0.6,
  }),
);
