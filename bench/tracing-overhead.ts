/**
 * Tracing overhead: opm's end-to-end worker throughput (resolve → render → mock gateway at 0 ms →
 * group-commit persist → completion) with OpenTelemetry on versus off. "On" is what a traced
 * deployment runs: NodeSDK, every job sampled, spans and metrics exported over OTLP/HTTP (protobuf, the SDK default) to
 * a local sink, ioredis and pg instrumented. Each round runs one child process per mode, so the
 * instrumentation of one never touches the other.
 * Run: `node --import tsx bench/tracing-overhead.ts` (BENCH_JOBS, BENCH_CONCURRENCY, BENCH_ROUNDS to change the load).
 * The last line is `{"ratio": on / off, "overhead": 1 - ratio, ...}`; the goal is overhead <= 0.10.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

const JOBS = Number(process.env.BENCH_JOBS ?? 10_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 100);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const MODE = process.env.BENCH_TRACING_CHILD;

if (MODE === 'on' || MODE === 'off') await child(MODE);
else await parent();

/** One timed round in this process; prints `{"jobsPerSecond": n}` as its last line. */
async function child(mode: 'on' | 'off'): Promise<void> {
  const { startTelemetry } = await import('../src/telemetry/index.js');
  // Before anything loads ioredis or pg, as in workers/prompt-runner.ts.
  const runtime = await startTelemetry({
    telemetryEnabled: mode === 'on',
    telemetryCaptureContent: false,
    metricsPort: undefined,
    otel: {
      endpoint: process.env.OTEL_EXPORTER_OTLP_ENDPOINT,
      protocol: 'http/protobuf',
      metricsExporter: 'otlp',
      metricExportIntervalMs: 5_000,
    },
  });
  const telemetry = runtime.isActive ? runtime.telemetry : undefined;
  const { createBenchEnv, finishedCount, silentLogger, BENCH_SLUG, REDIS_URL, ticketVars } = await import(
    './support.js'
  );
  const { createClient } = await import('../src/queue/index.js');
  const { createGateway } = await import('../src/gateway/index.js');
  const { createFileSource, renderPrompt } = await import('../src/registry/index.js');
  const { createRunWriter } = await import('../src/store/index.js');
  const { createRunStore, createWorker } = await import('../src/worker/index.js');

  const env = await createBenchEnv(`tracing-${mode}`);
  try {
    const client = createClient({ redis: REDIS_URL, prefix: env.prefix });
    await client.enqueueMany(
      Array.from({ length: JOBS }, (_, i) => ({ slug: BENCH_SLUG, vars: ticketVars(i) })),
    );
    await client.close();
    const gateway = createGateway({
      forceProvider: 'mock',
      mock: { latencyMs: 0 },
      rateLimitPrefix: `${env.prefix}:rl`,
      redis: env.redis,
      ...(telemetry === undefined ? {} : { telemetry }),
    });
    const writer = createRunWriter({ db: env.database.db });
    const source = createFileSource({ root: env.promptsRoot, revalidateAfterMs: 1_000 });
    const worker = createWorker({
      redis: REDIS_URL,
      prefix: env.prefix,
      concurrency: CONCURRENCY,
      prompts: source,
      render: (resolved, vars) => renderPrompt(resolved, vars),
      gateway,
      store: createRunStore({ db: env.database.db, writer }),
      logger: silentLogger,
      ...(telemetry === undefined ? {} : { telemetry }),
    });
    const done = finishedCount(worker, JOBS);
    const started = performance.now();
    await worker.start();
    const ended = await done;
    await worker.close();
    await writer.close();
    await gateway.close();
    await source.close?.();
    console.log(JSON.stringify({ mode, jobsPerSecond: JOBS / ((ended - started) / 1000) }));
  } finally {
    await env.dispose();
    await runtime.shutdown();
  }
}

async function parent(): Promise<void> {
  let receivedBytes = 0;
  let exports = 0;
  const sink = createServer((request, response) => {
    request.on('data', (chunk: Buffer) => {
      receivedBytes += chunk.length;
    });
    request.on('end', () => {
      exports += 1;
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;
  const script = fileURLToPath(import.meta.url);
  const run = (mode: 'on' | 'off') =>
    new Promise<number>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', script], {
        env: {
          ...process.env,
          BENCH_TRACING_CHILD: mode,
          OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
          OTEL_SERVICE_NAME: 'opm-bench',
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      child.on('exit', (code) => {
        const last = output.trim().split('\n').at(-1) ?? '';
        if (code !== 0) reject(new Error(`${mode} round exited with ${code}: ${output}`));
        else resolve((JSON.parse(last) as { jobsPerSecond: number }).jobsPerSecond);
      });
    });
  const off: number[] = [];
  const on: number[] = [];
  console.log(`${JOBS} jobs per round, concurrency ${CONCURRENCY}, ${ROUNDS} rounds (median counts)`);
  try {
    for (let round = 1; round <= ROUNDS; round += 1) {
      // Alternate which mode goes first: the second child of a pair runs on a warmer (or busier) box.
      if (round % 2 === 1) {
        off.push(await run('off'));
        on.push(await run('on'));
      } else {
        on.push(await run('on'));
        off.push(await run('off'));
      }
      console.log(
        `round ${round}: tracing off ${Math.round(off.at(-1) ?? 0)} jobs/s · on ${Math.round(on.at(-1) ?? 0)} jobs/s`,
      );
    }
  } finally {
    sink.close();
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
  const ratio = median(on) / median(off);
  console.log(`OTLP sink received ${exports} exports, ${Math.round(receivedBytes / 1024)} KiB`);
  console.log(
    JSON.stringify({
      ratio: Math.round(ratio * 1000) / 1000,
      overhead: Math.round((1 - ratio) * 1000) / 1000,
      tracingOnJobsPerSecond: Math.round(median(on)),
      tracingOffJobsPerSecond: Math.round(median(off)),
      jobs: JOBS,
      concurrency: CONCURRENCY,
      goal: 'overhead <= 0.10',
    }),
  );
}
