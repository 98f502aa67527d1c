/** @module open-prompt-manager — the client SDK: enqueue prompt runs, await them, read their results. */
import {
  createClient as createQueueClient,
  type OpmClient,
  type ClientOptions as QueueClientOptions,
  type RunReader,
  toRunRecord,
} from './queue/index.js';
import { createDatabase, type Database, getRunByJobId } from './store/index.js';

export type { OpmErrorJson } from './errors/index.js';
export { isOpmError, OpmError } from './errors/index.js';
export type {
  EnqueueItem,
  EnqueueManyOptions,
  EnqueueOptions,
  JobDefaults,
  OpmClient,
  RunEventListener,
  RunEventName,
  RunOptions,
  RunReader,
  RunRecord,
  RunResult,
  StoredRunError,
  WebhookBody,
} from './queue/index.js';
export {
  QueueError,
  RunFailedError,
  RunResultSchema,
  RunTimeoutError,
  SIGNATURE_HEADER,
  verifyWebhookSignature,
} from './queue/index.js';

/** Options of {@link createClient}. */
export interface ClientOptions extends Omit<QueueClientOptions, 'database'> {
  /**
   * Where finished runs are read by `result()` and by `run()` for jobs that finished earlier: a
   * `postgres://` URL (the workers' `DATABASE_URL`; connected on first use) or your own RunReader.
   * Without it, `result()` answers from Redis while BullMQ still keeps the job.
   */
  database?: string | RunReader;
}

/**
 * Creates the opm client.
 * @example
 * const opm = createClient({ redis: 'redis://127.0.0.1:6379', database: process.env.DATABASE_URL });
 * const { text } = await opm.run('acme/support/triage', { ticket: 'My order is late' });
 * await opm.close();
 */
export function createClient(options: ClientOptions): OpmClient {
  const { database, ...rest } = options;
  if (typeof database !== 'string') {
    return createQueueClient({ ...rest, ...(database === undefined ? {} : { database }) });
  }
  if (!/^postgres(ql)?:\/\//.test(database)) {
    throw new TypeError(`database must be a postgres:// URL, got ${JSON.stringify(database)}`);
  }
  let opened: Promise<Database> | undefined;
  const open = (): Promise<Database> => {
    opened ??= createDatabase({ url: database });
    return opened;
  };
  const client = createQueueClient({
    ...rest,
    // The SDK reads rows itself rather than through the worker, which would load the gateway.
    database: {
      getRun: async (jobId) => {
        const row = await getRunByJobId((await open()).db, jobId);
        return row ? toRunRecord(row) : null;
      },
    },
  });
  return {
    ...client,
    async close() {
      await client.close();
      await (await opened)?.close();
    },
  };
}
