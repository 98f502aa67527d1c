/**
 * Enqueue speed of the SDK's `enqueueMany` (validation, payload parsing, chunked addBulk) against
 * raw BullMQ `Queue.addBulk` of the same items in the same chunks, alternating in one run; then
 * the peak RSS of an `opm worker` process running 500 jobs at once against a local
 * OpenAI-compatible server answering in 200 ms.
 * Run: `npm run bench:enqueue` (BENCH_JOBS, BENCH_ROUNDS, BENCH_RSS_CONCURRENCY).
 * The last line is `{"ratio": enqueueMany / addBulk, "workerRssMiB": ...}`; the goal is >= 0.8.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { sql } from 'drizzle-orm';
import { createClient, jobCatalog, PROMPT_RUN_JOB } from '../src/queue/index.js';
import { executeRows } from '../src/store/index.js';
import { cliCommand } from '../test/support/cli.js';
import { startFakeOpenAIServer } from '../test/support/fake-openai-server.js';
import {
  BENCH_SLUG,
  createBenchEnv,
  DATABASE_URL,
  median,
  positiveEnv,
  REDIS_URL,
  round,
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

/**
 * Peak RSS of a real `opm worker --concurrency N` process (CLI entry, openai SDK, Postgres store)
 * while N requests at a time wait 200 ms on a local OpenAI-compatible server.
 */
async function workerRss(): Promise<{ baseline: number; peak: number }> {
  const jobs = RSS_CONCURRENCY * 6;
  const fake = await startFakeOpenAIServer({ recordRequests: false });
  fake.setDefault({ text: 'ok', delayMs: 200 });
  writeFileSync(join(env.promptsRoot, 'bench', 'remote.prompty'), remotePrompt(fake.url));
  const schema = `${env.prefix.replaceAll('-', '_')}_rss`;
  await executeRows(env.database.db, sql.raw(`create schema if not exists "${schema}"`));
  const child = spawn(
    process.execPath,
    // The built CLI when `npm run build` is fresh (tsx's compiler would count towards RSS), else tsx.
    [...cliCommand(), 'worker', '--quiet', '--concurrency', String(RSS_CONCURRENCY)],
    {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      env: {
        ...process.env,
        REDIS_URL,
        OPM_QUEUE_PREFIX: env.prefix,
        OPM_PROMPTS_DIR: env.promptsRoot,
        DATABASE_URL: `${DATABASE_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`,
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    const client = createClient({ redis: REDIS_URL, prefix: env.prefix });
    // Idle RSS once the worker is up (it has answered one job), then the peak under load.
    await client.run('bench/remote', ticketVars(-1), { timeoutMs: 120_000 });
    const baseline = childRssMiB(child.pid);
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, childRssMiB(child.pid));
    }, 50);
    const ids = await client.enqueueMany(
      Array.from({ length: jobs }, (_, index) => ({ slug: 'bench/remote', vars: ticketVars(index) })),
    );
    const last = ids.at(-1) ?? '';
    while (fake.requestCount < jobs + 1 || (await client.result(last)) === null) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    clearInterval(sampler);
    await client.close();
    return { baseline, peak };
  } finally {
    child.kill('SIGTERM');
    await exited;
    await executeRows(env.database.db, sql.raw(`drop schema if exists "${schema}" cascade`));
    await fake.close();
    await env.clearQueue();
  }
}

function remotePrompt(url: string): string {
  return [
    '---',
    'name: remote',
    'model:',
    '  id: bench-remote',
    '  provider: openai',
    '  connection:',
    '    kind: key',
    `    endpoint: ${url}`,
    '    apiKey: bench-key',
    'inputs:',
    '  - name: ticket',
    '    kind: string',
    '---',
    'user:',
    '{{ticket}}',
    '',
  ].join('\n');
}

/** Resident set size of another process, from /proc (Linux). */
function childRssMiB(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return round(kib / 1024, 1);
  } catch {
    return 0;
  }
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
    `opm worker process at concurrency ${RSS_CONCURRENCY} (provider 200 ms): RSS ${rss.baseline} MiB idle, ${rss.peak} MiB peak`,
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
    workerIdleRssMiB: rss.baseline,
    goal: 0.8,
  }),
);
