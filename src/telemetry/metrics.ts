import type { Counter, Histogram, Meter, ObservableGauge } from '@opentelemetry/api';
import { DURATION_BUCKETS, METRIC, TOKEN_USAGE_BUCKETS } from './attributes.js';

/** Every opm instrument, created once per meter. */
export interface OpmMetrics {
  /** `gen_ai.client.token.usage`: histogram of tokens per LLM call, by `gen_ai.token.type`. */
  tokenUsage: Histogram;
  /** `gen_ai.client.operation.duration`: histogram of seconds per LLM call (required by the conventions). */
  operationDuration: Histogram;
  /** Jobs that finished with a completed run, by slug. */
  jobsCompleted: Counter;
  /** Jobs that finished with a failed run, by slug and `error.type` (the opm error code). */
  jobsFailed: Counter;
  /** Seconds from dequeue to the run being stored, by slug and status. */
  jobDuration: Histogram;
  /** Seconds between enqueue and the start of processing, by slug. */
  queueWait: Histogram;
  /** Jobs per state of a queue (observed at each collection). */
  queueDepth: ObservableGauge;
  /** Moves from one model to the next in a fallback chain. */
  fallbacks: Counter;
  /** Times a call waited in place for a shared rate-limit slot. */
  rateLimitWaits: Counter;
  /** Seconds spent waiting for shared rate-limit slots. */
  rateLimitWaitDuration: Histogram;
  /** USD spent on LLM calls (the provider's figure, else the price table). */
  cost: Counter;
}

/** Creates the instruments on `meter`, with the conventions' units and bucket boundaries. */
export function createOpmMetrics(meter: Meter): OpmMetrics {
  const seconds = (name: string, description: string) =>
    meter.createHistogram(name, {
      description,
      unit: 's',
      advice: { explicitBucketBoundaries: [...DURATION_BUCKETS] },
    });
  return {
    tokenUsage: meter.createHistogram(METRIC.tokenUsage, {
      description: 'Number of input and output tokens used.',
      unit: '{token}',
      advice: { explicitBucketBoundaries: [...TOKEN_USAGE_BUCKETS] },
    }),
    operationDuration: seconds(METRIC.operationDuration, 'GenAI operation duration.'),
    jobsCompleted: meter.createCounter(METRIC.jobsCompleted, {
      description: 'Prompt-run jobs that finished with a completed run.',
      unit: '{job}',
    }),
    jobsFailed: meter.createCounter(METRIC.jobsFailed, {
      description: 'Prompt-run jobs that finished with a failed run.',
      unit: '{job}',
    }),
    jobDuration: seconds(METRIC.jobDuration, 'Time from dequeue to the stored run.'),
    queueWait: seconds(METRIC.queueWait, 'Time a job waited in the queue before a worker took it.'),
    queueDepth: meter.createObservableGauge(METRIC.queueDepth, {
      description: 'Jobs in the queue, by state.',
      unit: '{job}',
    }),
    fallbacks: meter.createCounter(METRIC.fallbacks, {
      description: 'Moves to the next model of a fallback chain.',
      unit: '{fallback}',
    }),
    rateLimitWaits: meter.createCounter(METRIC.rateLimitWaits, {
      description: 'In-place waits for a shared rate-limit slot.',
      unit: '{wait}',
    }),
    rateLimitWaitDuration: seconds(METRIC.rateLimitWaitDuration, 'Time spent waiting for rate-limit slots.'),
    cost: meter.createCounter(METRIC.cost, { description: 'Spend on LLM calls.', unit: 'USD' }),
  };
}
