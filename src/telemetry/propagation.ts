import { type Context, context as contextApi, propagation, ROOT_CONTEXT, trace } from '@opentelemetry/api';

const TRACEPARENT = 'traceparent';

/**
 * The W3C `traceparent` of the active span, for carrying trace context inside a job payload;
 * undefined when no span is active (or tracing is off).
 */
export function currentTraceparent(context: Context = contextApi.active()): string | undefined {
  if (trace.getSpan(context) === undefined) return undefined;
  const carrier: Record<string, string> = {};
  propagation.inject(context, carrier);
  return carrier[TRACEPARENT];
}

/** A context whose remote parent is the given `traceparent`; undefined when it is missing or invalid. */
export function contextFromTraceparent(traceparent: string | undefined): Context | undefined {
  if (traceparent === undefined || traceparent === '') return undefined;
  const context = propagation.extract(ROOT_CONTEXT, { [TRACEPARENT]: traceparent });
  return trace.getSpanContext(context) === undefined ? undefined : context;
}
