import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contextFromTraceparent, currentTraceparent } from '../../../src/telemetry/index.js';

describe('traceparent propagation', () => {
  beforeAll(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  });
  afterAll(() => {
    context.disable();
    propagation.disable();
  });

  it('has no traceparent outside a span', () => {
    expect(currentTraceparent()).toBeUndefined();
  });

  it("writes the active span's W3C traceparent and reads it back as the remote parent", () => {
    const tracer = new BasicTracerProvider().getTracer('test');
    tracer.startActiveSpan('producer', (span) => {
      const traceparent = currentTraceparent();
      const { traceId, spanId } = span.spanContext();
      expect(traceparent).toBe(`00-${traceId}-${spanId}-01`);
      const parent = trace.getSpanContext(contextFromTraceparent(traceparent) ?? context.active());
      expect(parent).toMatchObject({ traceId, spanId, isRemote: true });
      span.end();
    });
  });

  it('ignores a missing or malformed traceparent', () => {
    expect(contextFromTraceparent(undefined)).toBeUndefined();
    expect(contextFromTraceparent('not-a-traceparent')).toBeUndefined();
  });
});
