/**
 * Shared set-up of the pipeline benchmarks: a unique Redis prefix, a Postgres schema of their own,
 * a one-prompt folder, and an opm worker on the mock provider. Everything is removed by `dispose`.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { createGateway } from '../src/gateway/index.js';
import { createFileSource, renderPrompt } from '../src/registry/index.js';
import {
  countRuns,
  createDatabase,
  createRunWriter,
  type Database,
  executeRows,
  migrate,
  type RunWriterStats,
} from '../src/store/index.js';
import { createRunStore, createWorker, type OpmWorker } from '../src/worker/index.js';
import { deleteKeys } from '../test/support/redis.js';

export const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
export const DATABASE_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
export const BENCH_SLUG = 'bench/echo';

const PROMPT = [
  '---',
  'name: bench',
  'model:',
  '  id: bench-model',
  '  provider: mock',
  'inputs:',
  '  - name: ticket',
  '    kind: string',
  '    required: true',
  '---',
  'system:',
  'Triage the ticket in one word.',
  '',
  'user:',
  '{{ticket}}',
  '',
].join('\n');

export const silentLogger = { info() {}, warn() {}, error() {} };

export function positiveEnv(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
  return value;
}

/** The variables of job `index`: a short, distinct ticket. */
export function ticketVars(index: number): { ticket: string } {
  return { ticket: `My invoice #${index} is wrong, please check it.` };
}

/** An opm worker and the counters of its run writer. */
export interface BenchWorker extends OpmWorker {
  writerStats(): RunWriterStats;
}

export interface BenchEnv {
  prefix: string;
  redis: Redis;
  database: Database;
  promptsRoot: string;
  /** An opm worker (resolve → render → mock gateway → group-commit persist → event), not started. */
  createOpmWorker(options: { concurrency: number; latencyMs: number }): BenchWorker;
  /** Runs stored in the bench schema. */
  countStoredRuns(): Promise<number>;
  /** Deletes the prefix's keys (between rounds). */
  clearQueue(): Promise<void>;
  dispose(): Promise<void>;
}

export async function createBenchEnv(name: string): Promise<BenchEnv> {
  const prefix = `bench-${name}-${randomUUID().slice(0, 8)}`;
  const schema = prefix.replaceAll('-', '_');
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const database = await createDatabase({ url: DATABASE_URL, schema, poolSize: 4 });
  await migrate(database);
  const promptsRoot = mkdtempSync(join(tmpdir(), 'opm-bench-'));
  mkdirSync(join(promptsRoot, 'bench'), { recursive: true });
  writeFileSync(join(promptsRoot, `${BENCH_SLUG}.prompty`), PROMPT);
  const closers: (() => Promise<void>)[] = [];

  return {
    prefix,
    redis,
    database,
    promptsRoot,
    createOpmWorker({ concurrency, latencyMs }) {
      const gateway = createGateway({
        forceProvider: 'mock',
        mock: { latencyMs },
        rateLimitPrefix: `${prefix}:rl`,
        redis,
      });
      const writer = createRunWriter({ db: database.db });
      const source = createFileSource({ root: promptsRoot, revalidateAfterMs: 1_000 });
      const worker = createWorker({
        redis: REDIS_URL,
        prefix,
        concurrency,
        prompts: source,
        render: (resolved, vars) => renderPrompt(resolved, vars),
        gateway,
        store: createRunStore({ db: database.db, writer }),
        logger: silentLogger,
      });
      closers.push(async () => {
        await worker.close();
        await writer.close();
        await gateway.close();
        await source.close?.();
      });
      return Object.assign(worker, { writerStats: () => writer.stats() });
    },
    countStoredRuns: () => countRuns(database.db),
    clearQueue: () => deleteKeys(redis, `${prefix}:*`),
    async dispose() {
      for (const close of closers.splice(0).reverse()) await close();
      await deleteKeys(redis, `${prefix}:*`);
      redis.disconnect();
      await executeRows(database.db, sql.raw(`drop schema if exists "${schema}" cascade`));
      await database.close();
      rmSync(promptsRoot, { recursive: true, force: true });
    },
  };
}

/** Resolves when `count` jobs have finished on `worker`, with the time of the last one. */
export function finishedCount(worker: OpmWorker, count: number): Promise<number> {
  return new Promise((resolve) => {
    let finished = 0;
    const stop = worker.onRunFinished(() => {
      finished += 1;
      if (finished === count) {
        stop();
        resolve(performance.now());
      }
    });
  });
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

export function round(value: number, digits = 3): number {
  return Number(value.toFixed(digits));
}

/** Process RSS in MiB. */
export function rssMiB(): number {
  return round(process.memoryUsage().rss / 1024 / 1024, 1);
}

/** Commands Redis has run and the CPU it has used (user + system, µs), from INFO. */
export async function redisServerUsage(redis: Redis): Promise<{ commands: number; cpuMicros: number }> {
  const [commandstats, cpu] = await Promise.all([redis.info('commandstats'), redis.info('cpu')]);
  let commands = 0;
  for (const match of commandstats.matchAll(/^cmdstat_[^:]+:calls=(\d+)/gm)) commands += Number(match[1]);
  const seconds = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(cpu)?.[1] ?? 0);
  return { commands, cpuMicros: (seconds('used_cpu_user') + seconds('used_cpu_sys')) * 1e6 };
}

/**
 * CPU used so far (µs) by the processes named `postgres` on this machine (Linux /proc), or
 * undefined when there is none to read, e.g. a remote server.
 */
export function localPostgresCpuMicros(): number | undefined {
  let ticks = 0;
  let found = false;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return undefined;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    if (!stat.includes('(postgres)')) continue;
    found = true;
    // Fields after the command name: utime and stime are the 12th and 13th (clock ticks, 100 Hz on Linux).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return found ? ticks * 10_000 : undefined;
}
