import { type Attributes, context as contextApi, SpanKind, trace as traceApi } from '@opentelemetry/api';
import { GENERAL, OPM, SPAN } from './attributes.js';
import { contextFromTraceparent } from './propagation.js';
import type { OpmTelemetry } from './telemetry.js';
import { errorTypeOf, withSpan } from './with-span.js';

/** The parts of a BullMQ job the wrapper reads. */
export interface TracedJob {
  id?: string | undefined;
  name: string;
  queueName: string;
  data: unknown;
  attemptsStarted: number;
  /** When the job was added, epoch ms. */
  timestamp: number;
  opts: { attempts?: number | undefined };
}

/** How a job attempt ended, for the job counters. */
export type JobEnding =
  | { kind: 'completed' }
  | { kind: 'failed'; errorType: string }
  /** Delayed or to be retried: not final, so not counted. */
  | { kind: 'pending' };

/** Options of {@link instrumentProcessor}. */
export interface InstrumentProcessorOptions<R> {
  /** How a resolved value ended. @default `{status:'failed', error:{code}}` → failed, else completed */
  fromResult?: (result: R) => JobEnding;
  /** How a thrown error ended. @default see {@link endingOfError} */
  fromError?: (error: unknown, job: TracedJob) => JobEnding;
}

/** Two parameters on purpose: BullMQ creates an AbortController per job for a processor taking a third. */
type Processor<J extends TracedJob, R> = (job: J, token?: string) => Promise<R>;

/**
 * Wraps a BullMQ processor when the worker is registered: tags the job's CONSUMER span (BullMQ's
 * `process <queue>` span when the Worker has {@link createBullmqTelemetry}, else one started here
 * from the payload's `traceparent`) with `opm.*` attributes, adds an `opm.queue.wait` span from
 * enqueue to dequeue, and records the job metrics (completed/failed by slug and error code,
 * duration, queue wait).
 */
export function instrumentProcessor<J extends TracedJob, R>(
  telemetry: OpmTelemetry,
  processor: Processor<J, R>,
  options: InstrumentProcessorOptions<R> = {},
): Processor<J, R> {
  const fromResult = options.fromResult ?? endingOfResult;
  const fromError = options.fromError ?? endingOfError;
  const { metrics, tracer } = telemetry;
  return async (job, token) => {
    const startedAt = Date.now();
    const payload = payloadOf(job.data);
    const attributes: Attributes = {
      [OPM.jobId]: job.id,
      [OPM.jobAttempt]: job.attemptsStarted,
      [OPM.queueName]: job.queueName,
      ...(payload.slug === undefined ? {} : { [OPM.promptSlug]: payload.slug }),
      ...(payload.label === undefined ? {} : { [OPM.promptLabel]: payload.label }),
      ...(payload.version === undefined ? {} : { [OPM.promptVersion]: payload.version }),
    };
    const byQueue = { [OPM.queueName]: job.queueName, [OPM.promptSlug]: payload.slug ?? '' };
    const enqueuedAt = payload.enqueuedAt ?? job.timestamp;

    const run = async (): Promise<R> => {
      traceApi.getActiveSpan()?.setAttributes(attributes);
      tracer
        .startSpan(SPAN.queueWait, { startTime: enqueuedAt, attributes: byQueue })
        .end(Math.max(enqueuedAt, startedAt));
      // Later attempts waited out a backoff, not the queue: only the first counts as queue wait.
      if (job.attemptsStarted <= 1)
        metrics.queueWait.record(Math.max(0, startedAt - enqueuedAt) / 1000, byQueue);
      let ending: JobEnding;
      try {
        const result = await processor(job, token);
        ending = fromResult(result);
        count(ending);
        return result;
      } catch (error) {
        ending = fromError(error, job);
        count(ending);
        throw error;
      }
    };

    const count = (ending: JobEnding): void => {
      if (ending.kind === 'pending') return;
      const status = { ...byQueue, [OPM.status]: ending.kind };
      metrics.jobDuration.record((Date.now() - startedAt) / 1000, status);
      if (ending.kind === 'completed') metrics.jobsCompleted.add(1, byQueue);
      else metrics.jobsFailed.add(1, { ...byQueue, [GENERAL.errorType]: ending.errorType });
    };

    if (traceApi.getActiveSpan()?.isRecording()) return run();
    // No BullMQ telemetry on this Worker: start the consumer span ourselves, under the producer's trace.
    const parent = contextFromTraceparent(payload.traceparent) ?? contextApi.active();
    return withSpan(tracer, `process ${job.queueName}`, attributes, run, { kind: SpanKind.CONSUMER, parent });
  };
}

interface PayloadFields {
  slug?: string;
  label?: string;
  version?: string;
  enqueuedAt?: number;
  traceparent?: string;
}

function payloadOf(data: unknown): PayloadFields {
  if (typeof data !== 'object' || data === null) return {};
  const record = data as Record<string, unknown>;
  const text = (key: string) => (typeof record[key] === 'string' ? (record[key] as string) : undefined);
  const fields: PayloadFields = {};
  for (const key of ['slug', 'label', 'version', 'traceparent'] as const) {
    const value = text(key);
    if (value !== undefined) fields[key] = value;
  }
  if (typeof record.enqueuedAt === 'number') fields.enqueuedAt = record.enqueuedAt;
  return fields;
}

/** A resolved run result: failed when it says so (with its error code), else completed. */
export function endingOfResult(result: unknown): JobEnding {
  const record = (typeof result === 'object' && result !== null ? result : {}) as {
    status?: unknown;
    error?: { code?: unknown } | null;
  };
  if (record.status !== 'failed') return { kind: 'completed' };
  const code = record.error?.code;
  return { kind: 'failed', errorType: typeof code === 'string' ? code : '_OTHER' };
}

/**
 * A thrown error: BullMQ's `DelayedError` is pending; `UnrecoverableError` is final, its code read
 * from the `[code] message` form the worker uses; anything else is final only on the last attempt.
 */
export function endingOfError(error: unknown, job: TracedJob): JobEnding {
  const name = error instanceof Error ? error.name : '';
  if (name === 'DelayedError' || name === 'RateLimitError') return { kind: 'pending' };
  const code = error instanceof Error ? /^\[([\w.-]+)\]/.exec(error.message)?.[1] : undefined;
  if (name === 'UnrecoverableError') return { kind: 'failed', errorType: code ?? '_OTHER' };
  const isLast = job.attemptsStarted >= (job.opts.attempts ?? 1);
  return isLast ? { kind: 'failed', errorType: code ?? errorTypeOf(error) } : { kind: 'pending' };
}
