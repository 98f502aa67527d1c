import type { EnqueueItem, OpmClient, RunResult } from '../queue/index.js';
import type { CliIo } from './output.js';
import { createProgress } from './progress.js';
import type { RunTracker } from './run-tracker.js';

/** Where the bars are drawn; `--json` draws none. */
export interface ProgressDisplay {
  io: CliIo;
  json: boolean;
}

/** `client.enqueueMany` behind an `enqueued` progress bar; resolves with the job ids in input order. */
export async function enqueueWithProgress(
  client: OpmClient,
  items: readonly EnqueueItem[],
  display: ProgressDisplay,
): Promise<string[]> {
  const bar = createProgress({ ...display, label: 'enqueued', total: items.length });
  const jobIds = await client.enqueueMany(items, { onProgress: ({ enqueued }) => bar.update(enqueued) });
  bar.stop();
  return jobIds;
}

/**
 * `tracker.waitFor` behind a `finished` progress bar; resolves with the results that arrived before
 * `timeoutMs` (all of them without one).
 */
export async function waitWithProgress(
  tracker: RunTracker,
  jobIds: readonly string[],
  options: ProgressDisplay & { timeoutMs: number | undefined },
): Promise<Map<string, RunResult>> {
  const { timeoutMs, ...display } = options;
  const bar = createProgress({ ...display, label: 'finished', total: jobIds.length });
  const results = await tracker.waitFor(jobIds, {
    timeoutMs,
    onProgress: (finished) => bar.update(finished),
  });
  bar.stop();
  return results;
}
