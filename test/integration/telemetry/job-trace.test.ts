import { randomUUID } from 'node:crypto';
import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { type Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createBullmqTelemetry,
  currentTraceparent,
  instrumentProcessor,
  SPAN,
  withSpan,
} from '../../../src/telemetry/index.js';
import { createMemoryTelemetry, type MemoryTelemetry } from '../../unit/telemetry/memory-telemetry.js';
import { deleteKeys, REDIS_URL } from '../queue/support.js';

const QUEUE = 'prompt-runs';

describe('trace context from the producer through Redis into the worker', () => {
  let redis: Redis;
  let memory: MemoryTelemetry;
  let prefix: string;
  const closers: Array<() => Promise<unknown>> = [];

  beforeAll(() => {
    // What NodeSDK registers in a real process: async context and W3C propagation.
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  });
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    await memory.shutdown();
    await deleteKeys(redis, `${prefix}:*`);
  });
  afterAll(() => {
    redis.disconnect();
    context.disable();
    propagation.disable();
  });

  type Processor = (job: Job) => Promise<unknown>;

  /** A queue and a worker under a fresh prefix; resolves each job's outcome as the worker settles it. */
  const start = (processor: Processor, options: { workerTelemetry: boolean }) => {
    prefix = `test-${randomUUID()}`;
    memory = createMemoryTelemetry();
    const telemetry = createBullmqTelemetry(memory.telemetry);
    const queue = new Queue(QUEUE, { connection: redis, prefix, telemetry });
    const worker = new Worker(QUEUE, instrumentProcessor(memory.telemetry, processor), {
      connection: redis.duplicate(),
      prefix,
      ...(options.workerTelemetry ? { telemetry } : {}),
    });
    closers.push(
      () => queue.close(),
      () => worker.close(),
    );
    const settled = new Promise<void>((resolve) => {
      worker.on('completed', () => resolve());
      worker.on('failed', () => resolve());
    });
    return { queue, settled };
  };

  const enqueueInside = (queue: Queue, data: Record<string, unknown>) =>
    memory.telemetry.tracer.startActiveSpan('http POST /tickets', async (root) => {
      try {
        await queue.add('prompt.run', { ...data, traceparent: currentTraceparent() }, { attempts: 1 });
        return root.spanContext().traceId;
      } finally {
        root.end();
      }
    });

  const byName = (name: string): ReadableSpan => {
    const span = memory.spans.getFinishedSpans().find((s) => s.name === name);
    if (!span) throw new Error(`no span "${name}" in ${memory.spans.getFinishedSpans().map((s) => s.name)}`);
    return span;
  };
  const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

  it('continues the producer trace: enqueue → queue wait → steps → completion, with opm attributes', async () => {
    const { queue, settled } = start(
      async () => {
        await withSpan(memory.telemetry.tracer, SPAN.render, {}, async () => undefined);
        return { status: 'completed', text: 'secret reply' };
      },
      { workerTelemetry: true },
    );
    const traceId = await enqueueInside(queue, {
      slug: 'acme/triage',
      label: 'production',
      enqueuedAt: Date.now(),
    });
    await settled;
    await new Promise((resolve) => setTimeout(resolve, 50));

    const producer = byName('add prompt-runs.prompt.run');
    const consumer = byName('process prompt-runs');
    const wait = byName(SPAN.queueWait);
    const render = byName(SPAN.render);
    expect(producer.kind).toBe(SpanKind.PRODUCER);
    expect(consumer.kind).toBe(SpanKind.CONSUMER);
    for (const span of [producer, consumer, wait, render]) expect(span.spanContext().traceId).toBe(traceId);
    expect(parentOf(consumer)).toBe(producer.spanContext().spanId);
    expect(parentOf(wait)).toBe(consumer.spanContext().spanId);
    expect(parentOf(render)).toBe(consumer.spanContext().spanId);
    expect(consumer.attributes).toMatchObject({
      'opm.job.attempt': 1,
      'opm.queue.name': QUEUE,
      'opm.prompt.slug': 'acme/triage',
      'opm.prompt.label': 'production',
    });
    expect(typeof consumer.attributes['opm.job.id']).toBe('string');
    // The completion event is inside the consumer span, without the reply text (content is opt-in).
    expect(consumer.events.map((e) => e.name)).toContain('job completed');
    expect(JSON.stringify(consumer.events)).not.toContain('secret reply');
    // BullMQ's polling is not traced.
    expect(memory.spans.getFinishedSpans().map((s) => s.name)).not.toContain('getNextJob prompt-runs');

    expect(await memory.points('opm.jobs.completed')).toMatchObject([
      { value: 1, attributes: { 'opm.prompt.slug': 'acme/triage', 'opm.queue.name': QUEUE } },
    ]);
    expect(await memory.points('opm.queue.wait.duration')).toMatchObject([{ count: 1, unit: 's' }]);
  });

  it('counts a final failure by its error code', async () => {
    const { queue, settled } = start(
      async () => {
        throw new UnrecoverableError('[gateway.permanent] the provider refused the request');
      },
      { workerTelemetry: true },
    );
    await enqueueInside(queue, { slug: 'acme/triage', enqueuedAt: Date.now() });
    await settled;
    expect(await memory.points('opm.jobs.failed')).toMatchObject([
      { value: 1, attributes: { 'opm.prompt.slug': 'acme/triage', 'error.type': 'gateway.permanent' } },
    ]);
    expect(await memory.points('opm.jobs.completed')).toEqual([]);
  });

  it('starts the consumer span from the payload traceparent when the Worker has no BullMQ telemetry', async () => {
    const { queue, settled } = start(async () => ({ status: 'completed' }), { workerTelemetry: false });
    const traceId = await enqueueInside(queue, { slug: 'acme/triage', enqueuedAt: Date.now() });
    await settled;
    const consumer = byName('process prompt-runs');
    expect(consumer.kind).toBe(SpanKind.CONSUMER);
    expect(consumer.spanContext().traceId).toBe(traceId);
    expect(trace.getActiveSpan()).toBeUndefined();
  });
});
