import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type OpmClient, RunFailedError } from '../../../src/queue/index.js';
import { startPromptRunner, type WatchedProcess } from '../../support/child-process.js';
import { type FakeOpenAIServer, startFakeOpenAIServer } from '../../support/fake-openai-server.js';
import { createTempPrompts, type TempPrompts } from '../../support/temp-prompts.js';
import { deleteKeys, eventually, freePort, REDIS_URL } from '../queue/support.js';
import { TRIAGE_PROMPT } from '../worker/harness.js';
import { type OtlpReceiver, startOtlpReceiver } from './otlp-receiver.js';
import { parsePrometheusText } from './prometheus-text.js';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const SLUG = 'acme/support/triage';
const FALLBACK_SLUG = 'acme/support/fallback';
const FALLBACK_PROMPT = [
  '---',
  'name: fallback',
  'model:',
  '  id: broken-model',
  '  provider: openai',
  'metadata:',
  '  opm:',
  '    fallbacks:',
  '      - model: test-model',
  '---',
  'user:',
  'hello',
  '',
].join('\n');
const RUNS = 4;

describe('telemetry of a worker process', () => {
  let receiver: OtlpReceiver;
  let fake: FakeOpenAIServer;
  let prompts: TempPrompts;
  let client: OpmClient;
  let worker: WatchedProcess;
  let metricsUrl: string;
  let dataDir: string;
  const prefix = `test-${randomUUID()}`;
  // The producer is this test process: its own SDK pieces, as an application would have.
  const producerSpans = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(producerSpans)] });
  let traceIds: string[] = [];

  beforeAll(async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    trace.setGlobalTracerProvider(provider);
    receiver = await startOtlpReceiver();
    fake = await startFakeOpenAIServer();
    fake.setDefault({ text: 'shipping', usage: { prompt_tokens: 20, completion_tokens: 2, cost: 0.001 } });
    prompts = createTempPrompts({
      [`${SLUG}.prompty`]: TRIAGE_PROMPT.replace('provider: fake', 'provider: openai'),
      [`${FALLBACK_SLUG}.prompty`]: FALLBACK_PROMPT,
    });
    fake.script({ forModel: 'broken-model', status: 503, times: Number.POSITIVE_INFINITY });
    dataDir = mkdtempSync(join(tmpdir(), 'opm-telemetry-'));
    const metricsPort = await freePort();
    metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    worker = await startPromptRunner({
      prefix,
      promptsDir: prompts.root,
      openaiBaseUrl: fake.url,
      env: {
        OPM_DATA_DIR: dataDir,
        OPM_METRICS_PORT: String(metricsPort),
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_SERVICE_NAME: 'opm-worker-under-test',
        OTEL_METRIC_EXPORT_INTERVAL: '500',
        OTEL_BSP_SCHEDULE_DELAY: '100',
      },
      timeoutMs: 60_000,
    });
    client = createClient({ redis: REDIS_URL, prefix });
    const tracer = provider.getTracer('test-app');
    traceIds = await Promise.all(
      Array.from({ length: RUNS }, (_, i) =>
        tracer.startActiveSpan(`POST /tickets/${i}`, async (root) => {
          try {
            await client.run(SLUG, { ticket: `parcel ${i} is late` }, { timeoutMs: 30_000 });
            return root.spanContext().traceId;
          } finally {
            root.end();
          }
        }),
      ),
    );
    // One run that falls back from a failing model, one that fails: the required input is missing.
    await client.run(FALLBACK_SLUG, {}, { timeoutMs: 30_000 });
    await tracer.startActiveSpan('POST /tickets/bad', async (root) => {
      await expect(client.run(SLUG, {}, { timeoutMs: 30_000 })).rejects.toBeInstanceOf(RunFailedError);
      root.end();
    });
  }, 120_000);

  afterAll(async () => {
    worker?.child.kill('SIGTERM');
    await worker?.exited;
    await client?.close();
    const redis = new Redis(REDIS_URL);
    await deleteKeys(redis, `${prefix}:*`);
    redis.disconnect();
    await fake?.close();
    await receiver?.close();
    prompts?.remove();
    rmSync(dataDir, { recursive: true, force: true });
    await provider.shutdown();
  });

  it("exports the worker's spans over OTLP/HTTP under the producer's trace id", async () => {
    const [traceId] = traceIds as [string];
    const names = () => receiver.spans.filter((s) => s.traceId === traceId).map((s) => s.name);
    // The consumer span ends last (after the run is stored), so it may come in a later export.
    await eventually(
      async () => names().includes('opm.run.persist') && names().includes('process prompt-runs'),
      20_000,
      100,
    );
    const spans = receiver.spans.filter((s) => s.traceId === traceId);
    expect(spans.every((s) => s.service === 'opm-worker-under-test')).toBe(true);
    expect(names()).toEqual(
      expect.arrayContaining([
        'process prompt-runs',
        'opm.queue.wait',
        'opm.prompt.render',
        'chat test-model',
        'opm.run.persist',
      ]),
    );
    const producer = producerSpans
      .getFinishedSpans()
      .find((s) => s.name === 'add prompt-runs.prompt.run' && s.spanContext().traceId === traceId);
    expect(producer?.kind).toBe(SpanKind.PRODUCER);
    const consumer = spans.find((s) => s.name === 'process prompt-runs');
    expect(consumer?.parentSpanId).toBe(producer?.spanContext().spanId);
    expect(consumer?.attributes).toMatchObject({ 'opm.prompt.slug': SLUG, 'opm.job.attempt': 1 });
    const llm = spans.find((s) => s.name === 'chat test-model');
    expect(llm?.kind).toBe(SpanKind.CLIENT + 1); // OTLP numbers kinds from 1 (INTERNAL) where the API starts at 0.
    expect(llm?.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'test-model',
      'gen_ai.usage.input_tokens': 20,
      'gen_ai.usage.output_tokens': 2,
      'server.address': '127.0.0.1',
    });
    // BullMQ's Redis commands inside the job (moving it to completed: the completion event) are
    // children of the job span, recorded by command name only (their arguments hold the reply).
    const redis = spans.filter((s) => s.attributes['db.system.name'] === 'redis');
    expect(redis.length).toBeGreaterThan(0);
    expect(redis.every((s) => s.parentSpanId === consumer?.spanId)).toBe(true);
    expect(redis.map((s) => s.attributes['db.query.text'])).toContain('evalsha');
    expect(JSON.stringify(receiver.spans)).not.toContain('parcel 0 is late');
    expect(JSON.stringify(receiver.spans)).not.toContain('shipping');
    for (const id of traceIds) {
      await eventually(async () =>
        receiver.spans.some((s) => s.traceId === id && s.name === 'chat test-model'),
      );
    }
  });

  it('exports the GenAI and job metrics over OTLP/HTTP', async () => {
    const named = (name: string) => receiver.points.filter((p) => p.name === name);
    await eventually(async () => named('opm.jobs.completed').some((p) => p.value === RUNS), 20_000, 100);
    // The latest cumulative export: every run's call to test-model (the fallback run's included)
    // and the failed call to broken-model, with its error.type.
    const latest = (model: string) =>
      named('gen_ai.client.operation.duration')
        .filter((p) => p.attributes['gen_ai.request.model'] === model)
        .at(-1);
    await eventually(async () => latest('test-model')?.count === RUNS + 1, 20_000, 100);
    expect(latest('test-model')).toMatchObject({
      unit: 's',
      count: RUNS + 1,
      attributes: { 'gen_ai.provider.name': 'openai', 'gen_ai.response.model': 'test-model' },
    });
    expect(latest('broken-model')).toMatchObject({
      count: 1,
      attributes: { 'error.type': 'gateway.transient' },
    });
    expect(named('gen_ai.client.token.usage').map((p) => p.attributes['gen_ai.token.type'])).toEqual(
      expect.arrayContaining(['input', 'output']),
    );
    await eventually(async () => named('opm.jobs.failed').some((p) => p.value === 1), 20_000, 100);
    expect(named('opm.jobs.failed').at(-1)?.attributes).toMatchObject({
      'opm.prompt.slug': SLUG,
      'error.type': 'prompty.missing_input',
    });
  });

  it('serves Prometheus metrics whose counters match the jobs run', async () => {
    const scrape = parsePrometheusText(await (await fetch(metricsUrl)).text());
    expect(scrape.sum('opm_jobs_completed_total', { opm_prompt_slug: SLUG })).toBe(RUNS);
    expect(
      scrape.sum('opm_jobs_failed_total', { opm_prompt_slug: SLUG, error_type: 'prompty.missing_input' }),
    ).toBe(1);
    expect(scrape.types.gen_ai_client_operation_duration).toBe('histogram');
    // RUNS triage runs, plus the fallback run: one failed call to broken-model, one answer from test-model.
    expect(scrape.sum('gen_ai_client_operation_duration_count', { gen_ai_request_model: 'test-model' })).toBe(
      RUNS + 1,
    );
    expect(
      scrape.sum('gen_ai_client_operation_duration_count', {
        gen_ai_request_model: 'broken-model',
        error_type: 'gateway.transient',
      }),
    ).toBe(1);
    expect(scrape.sum('gen_ai_client_token_usage_sum', { gen_ai_token_type: 'input' })).toBe(20 * (RUNS + 1));
    expect(scrape.sum('opm_llm_cost_total')).toBeCloseTo(0.001 * (RUNS + 1), 9);
    expect(scrape.samples.some((s) => s.name === 'opm_queue_depth')).toBe(true);
    expect(
      scrape.sum('opm_gateway_fallbacks_total', {
        opm_fallback_from_model: 'broken-model',
        opm_fallback_to_model: 'test-model',
      }),
    ).toBe(1);
  });

  it('provisions a Grafana dashboard whose queries use only metrics the worker exports', async () => {
    const scrape = parsePrometheusText(await (await fetch(metricsUrl)).text());
    const dashboard = await readFile(
      join(repoRoot, 'workers/observability/grafana/dashboards/opm.json'),
      'utf8',
    );
    const exprs = (JSON.parse(dashboard) as { panels: { targets: { expr: string }[] }[] }).panels.flatMap(
      (p) => p.targets.map((t) => t.expr),
    );
    const names = new Set(exprs.flatMap((expr) => expr.match(/\b(?:opm|gen_ai)_[a-z_]+\b(?=[[{ ])/g) ?? []));
    // Rate-limit waits appear only once a shared limit is configured and hit.
    const expected = [...names].filter((name) => !name.startsWith('opm_gateway_rate_limit'));
    expect(expected.length).toBeGreaterThanOrEqual(8);
    for (const name of expected) {
      const base = name.replace(/_(bucket|sum|count)$/, '');
      expect(scrape.types[name] ?? scrape.types[base], name).toBeDefined();
    }
  });
});
