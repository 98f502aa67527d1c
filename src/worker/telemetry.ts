import { type Job, Queue } from 'bullmq';
import { connectionFor, type RedisInput, type RunResult } from '../queue/index.js';
import {
  createBullmqTelemetry,
  instrumentProcessor,
  type OpmTelemetry,
  observeQueueDepth,
  traceNotify,
  traceRenderer,
  traceRunStore,
} from '../telemetry/index.js';
import type { PromptRenderer, PromptResolver, RunStore } from './types.js';

/** The worker's collaborators, each wrapped in its step span. */
export interface TracedSteps {
  prompts: PromptResolver;
  render: PromptRenderer;
  store: RunStore;
  notify?: (result: RunResult) => Promise<void>;
}

/** Wraps render, persist and notify in their step spans (at registration, not per call site). */
export function traceSteps(telemetry: OpmTelemetry, steps: TracedSteps): TracedSteps {
  return {
    // Resolving is a cache lookup; the render span carries the version, label and variant it chose.
    prompts: steps.prompts,
    render: traceRenderer(telemetry, steps.render),
    store: traceRunStore(telemetry, steps.store),
    ...(steps.notify === undefined ? {} : { notify: traceNotify(telemetry, steps.notify) }),
  };
}

/** The processor wrapped in the job span and metrics, and the BullMQ option that carries trace context. */
export function traceWorker<R>(telemetry: OpmTelemetry, processor: (job: Job, token?: string) => Promise<R>) {
  return {
    processor: instrumentProcessor(telemetry, processor),
    workerOptions: { telemetry: createBullmqTelemetry(telemetry) },
  };
}

/** Reports `opm.queue.depth` for the worker's queue at each collection; returns the function that stops it. */
export function observeDepth(
  telemetry: OpmTelemetry,
  redis: RedisInput,
  queueName: string,
  prefix: string,
): () => Promise<void> {
  const queue = new Queue(queueName, { connection: connectionFor(redis, 'worker'), prefix });
  queue.on('error', () => undefined);
  const stop = observeQueueDepth(telemetry, queueName, () =>
    queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'failed'),
  );
  return async () => {
    stop();
    await queue.close();
  };
}
