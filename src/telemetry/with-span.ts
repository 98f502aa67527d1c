import {
  type Attributes,
  type Context,
  context as contextApi,
  type Span,
  type SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { GENERAL, OPM } from './attributes.js';

/** Options of {@link withSpan} beyond the name and attributes. */
export interface WithSpanOptions {
  kind?: SpanKind;
  /** The parent; the active context when omitted. */
  parent?: Context;
  /** Start time (epoch ms), for spans that cover something that began before the call. */
  startTime?: number;
}

/**
 * Runs `fn` inside a new active span that ends when `fn` settles; a thrown error marks the span
 * as an error (with `error.type` and `opm.error.code`) and is rethrown unchanged.
 * @example
 * const row = await withSpan(tracer, SPAN.persist, { [OPM.jobId]: id }, () => store.write(row));
 */
export function withSpan<T>(
  tracer: Tracer,
  name: string,
  attributes: Attributes,
  fn: (span: Span) => Promise<T> | T,
  options: WithSpanOptions = {},
): Promise<T> {
  const parent = options.parent ?? contextApi.active();
  const span = tracer.startSpan(
    name,
    {
      attributes,
      ...(options.kind === undefined ? {} : { kind: options.kind }),
      ...(options.startTime === undefined ? {} : { startTime: options.startTime }),
    },
    parent,
  );
  return contextApi.with(trace.setSpan(parent, span), async () => {
    try {
      return await fn(span);
    } catch (error) {
      markError(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/**
 * Marks a span as failed: status ERROR, `error.type` (the opm error code, else the error's name)
 * and the exception event.
 */
export function markError(span: Span, error: unknown, errorType = errorTypeOf(error)): void {
  span.setStatus({ code: SpanStatusCode.ERROR, message: messageOf(error) });
  span.setAttribute(GENERAL.errorType, errorType);
  if (hasCode(error)) span.setAttribute(OPM.errorCode, error.code);
  if (error instanceof Error) span.recordException(error);
}

/** A low-cardinality `error.type`: an opm error code, else the error's class name, else `_OTHER`. */
export function errorTypeOf(error: unknown): string {
  if (hasCode(error)) return error.code;
  if (error instanceof Error && error.name !== '') return error.name;
  return '_OTHER';
}

function hasCode(error: unknown): error is { code: string } {
  return (
    typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string'
  );
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
