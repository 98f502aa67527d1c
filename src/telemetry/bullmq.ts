import {
  type Attributes,
  type Context,
  context as contextApi,
  propagation,
  type Span,
  trace as traceApi,
} from '@opentelemetry/api';
import type { Telemetry } from 'bullmq';
import type { OpmTelemetry } from './telemetry.js';

/** BullMQ operations that get a span: enqueueing and processing. The rest (polling, locks) is noise. */
const TRACED_OPERATIONS = new Set(['add', 'addBulk', 'process']);

/** Attributes BullMQ records that may carry run content or are too large for a span. */
const JOB_RESULT = 'bullmq.job.result';
const BULK_NAMES = 'bullmq.job.bulk.names';

/**
 * A BullMQ `telemetry` option over `@opentelemetry/api`, passed to the producer's Queue and the
 * worker's Worker. BullMQ stores the producer span's context in the job (`opts.telemetry.metadata`,
 * W3C trace context) and starts the worker's `process <queue>` CONSUMER span as its child, so one
 * trace runs from `enqueue` through the queue to the stored run and the completion event.
 *
 * Unlike `bullmq-otel` it records spans only for add/addBulk/process (not for every poll of the
 * queue) and keeps the job's return value (the completion text) off the span unless content
 * capture is on.
 * @example
 * const queue = new Queue(name, { connection, telemetry: createBullmqTelemetry(telemetry) });
 */
export function createBullmqTelemetry(telemetry: OpmTelemetry): Telemetry<Context> {
  return {
    tracer: {
      startSpan(name, options, parent) {
        const operation = name.split(' ', 1)[0] ?? name;
        if (!TRACED_OPERATIONS.has(operation)) return PASS_THROUGH;
        const span = telemetry.tracer.startSpan(name, { kind: options?.kind ?? 0 }, parent);
        return new SpanAdapter(span, telemetry.captureContent);
      },
    },
    contextManager: {
      with: (ctx, fn) => contextApi.with(ctx, fn),
      active: () => contextApi.active(),
      getMetadata(ctx) {
        const carrier: Record<string, string> = {};
        propagation.inject(ctx, carrier);
        // Empty (no SDK, or no active span): BullMQ then stores no metadata on the job.
        return Object.keys(carrier).length === 0 ? '' : JSON.stringify(carrier);
      },
      fromMetadata(active, metadata) {
        try {
          return propagation.extract(active, JSON.parse(metadata) as Record<string, string>);
        } catch {
          return active;
        }
      },
    },
  };
}

type BullmqSpan = ReturnType<Telemetry<Context>['tracer']['startSpan']>;

/**
 * What untraced operations get: a span that records nothing and leaves the context as it is, so
 * the Redis commands of, say, `moveToFinished` stay children of the job's `process` span.
 */
const PASS_THROUGH: BullmqSpan = {
  setSpanOnContext: (ctx: Context) => ctx,
  setAttribute: () => undefined,
  setAttributes: () => undefined,
  addEvent: () => undefined,
  recordException: () => undefined,
  end: () => undefined,
};

class SpanAdapter implements BullmqSpan {
  readonly #span: Span;
  readonly #captureContent: boolean;

  constructor(span: Span, captureContent: boolean) {
    this.#span = span;
    this.#captureContent = captureContent;
  }

  setSpanOnContext(ctx: Context): Context {
    return traceApi.setSpan(ctx, this.#span);
  }

  setAttribute(key: string, value: Attributes[string]): void {
    if (value !== undefined && this.#keeps(key)) this.#span.setAttribute(key, value);
  }

  setAttributes(attributes: Attributes): void {
    this.#span.setAttributes(this.#filter(attributes));
  }

  addEvent(name: string, attributes?: Attributes): void {
    this.#span.addEvent(name, attributes === undefined ? undefined : this.#filter(attributes));
  }

  recordException(exception: Parameters<BullmqSpan['recordException']>[0]): void {
    this.#span.recordException(exception);
  }

  end(): void {
    this.#span.end();
  }

  #keeps(key: string): boolean {
    return key !== BULK_NAMES && (key !== JOB_RESULT || this.#captureContent);
  }

  #filter(attributes: Attributes): Attributes {
    const kept: Attributes = {};
    for (const [key, value] of Object.entries(attributes)) if (this.#keeps(key)) kept[key] = value;
    return kept;
  }
}
