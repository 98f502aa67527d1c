import { OPM } from './attributes.js';
import type { OpmTelemetry } from './telemetry.js';

/** Reads a queue's job counts by state (BullMQ's `queue.getJobCounts()` satisfies it). */
export type JobCountsReader = () => Promise<Record<string, number>>;

/**
 * Reports `opm.queue.depth` for one queue at each metric collection (a scrape, an OTLP export),
 * reading the counts from Redis then rather than on a timer. Returns the function that stops it.
 * @example
 * const stop = observeQueueDepth(telemetry, 'prompt-runs', () => queue.getJobCounts('waiting', 'active', 'delayed'));
 */
export function observeQueueDepth(
  telemetry: OpmTelemetry,
  queueName: string,
  read: JobCountsReader,
): () => void {
  const gauge = telemetry.metrics.queueDepth;
  const callback = async (result: { observe(value: number, attributes: Record<string, string>): void }) => {
    let counts: Record<string, number>;
    try {
      counts = await read();
    } catch {
      // Redis unreachable during a scrape: report nothing rather than fail the whole collection.
      return;
    }
    for (const [state, value] of Object.entries(counts)) {
      result.observe(value, { [OPM.queueName]: queueName, [OPM.queueState]: state });
    }
  };
  gauge.addCallback(callback);
  return () => gauge.removeCallback(callback);
}
