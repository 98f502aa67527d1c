import type { Attributes } from '@opentelemetry/api';
import { OPM, SPAN } from './attributes.js';
import type { OpmTelemetry } from './telemetry.js';
import { withSpan } from './with-span.js';

/** The parts of a resolved prompt the step spans tag. */
interface ResolvedLike {
  slug?: string;
  version?: string | null | undefined;
  label?: string | null | undefined;
  variant?: string | null | undefined;
}

/** Wraps the renderer so each render is an `opm.prompt.render` span (synchronous work, timed exactly). */
export function traceRenderer<A extends unknown[], R>(
  telemetry: OpmTelemetry,
  render: (...args: A) => R,
): (...args: A) => R {
  return (...args) => {
    const span = telemetry.tracer.startSpan(SPAN.render, { attributes: promptAttributes(args[0]) });
    try {
      return render(...args);
    } catch (error) {
      span.setStatus({ code: 2, message: error instanceof Error ? error.message : String(error) });
      throw error;
    } finally {
      span.end();
    }
  };
}

/** Wraps a run store so each `write` is an `opm.run.persist` span. */
export function traceRunStore<Row, S extends { write(row: Row): Promise<void> }>(
  telemetry: OpmTelemetry,
  store: S,
): S {
  const write = (row: Row) =>
    withSpan(telemetry.tracer, SPAN.persist, rowAttributes(row), () => store.write(row));
  return new Proxy(store, {
    get: (target, key, receiver) => (key === 'write' ? write : Reflect.get(target, key, receiver)),
  });
}

/** Wraps the completion notifier (webhook enqueue) as an `opm.run.notify` span. */
export function traceNotify<T>(telemetry: OpmTelemetry, notify: (result: T) => Promise<void>) {
  return (result: T): Promise<void> => withSpan(telemetry.tracer, SPAN.notify, {}, () => notify(result));
}

function promptAttributes(value: unknown): Attributes {
  if (typeof value !== 'object' || value === null) return {};
  const { slug, version, label, variant } = value as ResolvedLike;
  const attributes: Attributes = {};
  if (typeof slug === 'string') attributes[OPM.promptSlug] = slug;
  if (typeof version === 'string') attributes[OPM.promptVersion] = version;
  if (typeof label === 'string') attributes[OPM.promptLabel] = label;
  if (typeof variant === 'string') attributes[OPM.promptVariant] = variant;
  return attributes;
}

function rowAttributes(row: unknown): Attributes {
  if (typeof row !== 'object' || row === null) return {};
  const { jobId, status } = row as { jobId?: unknown; status?: unknown };
  return {
    ...(typeof jobId === 'string' ? { [OPM.jobId]: jobId } : {}),
    ...(typeof status === 'string' ? { [OPM.status]: status } : {}),
  };
}
