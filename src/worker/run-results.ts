import { type RunReader, toRunRecord } from '../queue/index.js';
import { type Db, getRunByJobId, type RunWriter } from '../store/index.js';
import type { RunStore } from './types.js';

export { toRunRecord, toRunResult } from '../queue/index.js';

/** The SDK's `database` option over the store: `createClient({ redis, database: createRunReader(db) })`. */
export function createRunReader(db: Db): RunReader {
  return {
    async getRun(jobId) {
      const row = await getRunByJobId(db, jobId);
      return row ? toRunRecord(row) : null;
    },
  };
}

/** The worker's RunStore over the store: group-commit writes, point reads. */
export function createRunStore(options: { db: Db; writer: RunWriter }): RunStore {
  return {
    write: (run) => options.writer.write(run),
    find: (jobId) => getRunByJobId(options.db, jobId),
  };
}
