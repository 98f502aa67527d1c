import type { Db } from './client.js';
import { STORE_ERROR_CODES, StoreError, toStoreError } from './errors.js';
import { insertRuns } from './queries/runs.js';
import type { NewRun } from './schema/index.js';

/** Options for {@link createRunWriter}. */
export interface RunWriterOptions {
  db: Db;
  /** The most runs one INSERT carries; a full batch is written at once. @default 500 */
  maxBatch?: number;
  /**
   * While an INSERT is in flight, how long a queued run waits before a further INSERT is started
   * beside it (when `maxInFlight` allows). With nothing in flight a run is written at once (in the
   * same event-loop turn as the writes queued with it), so an idle writer adds no delay. @default 5
   */
  maxDelayMs?: number;
  /** How many batch INSERTs may be in flight at once. @default 2 */
  maxInFlight?: number;
}

/** Counters for observing how well writes are grouped. */
export interface RunWriterStats {
  /** INSERT statements issued (successful or not). */
  batches: number;
  /** Runs handed to INSERTs that committed (duplicates of stored job ids included). */
  rowsWritten: number;
  /**
   * INSERTs that failed. A batch failing for a reason other than an unreachable database is split
   * and retried in halves, so only the writers of the offending rows are rejected.
   */
  failedBatches: number;
}

/** Group-commit writer for run rows. */
export interface RunWriter {
  /**
   * Queues a run and resolves once the batch holding it has committed, so a worker can acknowledge
   * its job only after the result is durable. Rejects with a StoreError if that batch fails:
   * `store.unavailable` (every writer of the batch; retry later) or `store.query_failed` (this run
   * itself cannot be stored).
   */
  write(run: NewRun): Promise<void>;
  /** Writes everything queued so far and waits for it. */
  flush(): Promise<void>;
  /** Stops accepting writes and flushes. Safe to call twice. */
  close(): Promise<void>;
  stats(): RunWriterStats;
}

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** A queued run; its first writer is kept inline, since a second write of one job is rare. */
interface Pending extends Waiter {
  run: NewRun;
  others: Waiter[] | undefined;
}

function settle(batch: readonly Pending[], error?: unknown): void {
  for (const entry of batch) {
    if (error === undefined) entry.resolve();
    else entry.reject(error);
    if (entry.others !== undefined) {
      for (const waiter of entry.others) {
        if (error === undefined) waiter.resolve();
        else waiter.reject(error);
      }
    }
  }
}

/**
 * Creates a group-commit writer: concurrent `write()` calls are gathered into multi-row inserts
 * (one round trip and one commit for up to `maxBatch` runs), which is what lets workers store
 * far more than the ~2.5k rows/s that single-row inserts reach.
 *
 * @example
 * const writer = createRunWriter({ db: database.db });
 * await writer.write(run); // committed
 */
export function createRunWriter(options: RunWriterOptions): RunWriter {
  const maxBatch = options.maxBatch ?? 500;
  const maxDelayMs = options.maxDelayMs ?? 5;
  const maxInFlight = options.maxInFlight ?? 2;
  if (!Number.isInteger(maxBatch) || maxBatch < 1) {
    throw new RangeError('maxBatch must be a positive integer');
  }
  if (!(maxDelayMs >= 0)) throw new RangeError('maxDelayMs must be >= 0');
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1) {
    throw new RangeError('maxInFlight must be a positive integer');
  }

  // Keyed by job id: a second write of the same job joins the first instead of adding a row.
  let pending = new Map<string, Pending>();
  const inFlight = new Set<Promise<void>>();
  const stats: RunWriterStats = { batches: 0, rowsWritten: 0, failedBatches: 0 };
  let timer: NodeJS.Timeout | undefined;
  let immediate: NodeJS.Immediate | undefined;
  let isClosed = false;
  let closing: Promise<void> | undefined;

  function takeBatch(): Pending[] {
    if (pending.size <= maxBatch) {
      const batch = [...pending.values()];
      pending = new Map();
      return batch;
    }
    const batch: Pending[] = [];
    for (const [jobId, entry] of pending) {
      if (batch.length === maxBatch) break;
      batch.push(entry);
      pending.delete(jobId);
    }
    return batch;
  }

  function startBatches(): void {
    if (timer !== undefined) {
      clearTimeout(timer);
      timer = undefined;
    }
    if (immediate !== undefined) {
      clearImmediate(immediate);
      immediate = undefined;
    }
    while (inFlight.size < maxInFlight && pending.size > 0) {
      const batch = takeBatch();
      const done = writeBatch(batch).finally(() => {
        inFlight.delete(done);
        // Runs that queued up while this batch was committing have already waited: write them now.
        if (pending.size > 0) startBatches();
      });
      inFlight.add(done);
    }
  }

  async function writeBatch(batch: Pending[]): Promise<void> {
    stats.batches += 1;
    try {
      await insertRuns(
        options.db,
        batch.map((entry) => entry.run),
      );
      stats.rowsWritten += batch.length;
      settle(batch);
    } catch (error) {
      stats.failedBatches += 1;
      const storeError = toStoreError(error, 'insert runs');
      if (storeError.retryable || batch.length === 1) {
        settle(batch, storeError);
        return;
      }
      // One bad row must not fail the jobs that merely shared its batch: bisect down to the culprit.
      const middle = Math.ceil(batch.length / 2);
      await writeBatch(batch.slice(0, middle));
      await writeBatch(batch.slice(middle));
    }
  }

  function write(run: NewRun): Promise<void> {
    if (isClosed) {
      return Promise.reject(
        new StoreError(STORE_ERROR_CODES.unavailable, 'The run writer is closed', {
          details: { jobId: run.jobId },
        }),
      );
    }
    return new Promise<void>((resolve, reject) => {
      const existing = pending.get(run.jobId);
      if (existing === undefined) {
        pending.set(run.jobId, { run, resolve, reject, others: undefined });
      } else {
        existing.others ??= [];
        existing.others.push({ resolve, reject });
      }
      if (pending.size >= maxBatch) startBatches();
      // Idle: write at the end of this turn, so writes queued in the same turn share the INSERT.
      else if (inFlight.size === 0) immediate ??= setImmediate(startBatches);
      // Busy: this run rides the batch started when an INSERT ends, unless a free slot times out first.
      else if (inFlight.size < maxInFlight) timer ??= setTimeout(startBatches, maxDelayMs);
    });
  }

  async function flush(): Promise<void> {
    while (pending.size > 0 || inFlight.size > 0) {
      startBatches();
      await Promise.all(inFlight);
    }
  }

  return {
    write,
    flush,
    close() {
      isClosed = true;
      closing ??= flush();
      return closing;
    },
    stats: () => ({ ...stats }),
  };
}
