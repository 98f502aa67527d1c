import { asc, eq } from 'drizzle-orm';
import type { Db } from '../client.js';
import { withStoreErrors } from '../errors.js';
import { type NewRunFeedback, type RunFeedback, runFeedback } from '../schema/index.js';

/** Records one piece of feedback on a run and returns it. */
export async function insertRunFeedback(db: Db, feedback: NewRunFeedback): Promise<RunFeedback> {
  return withStoreErrors('insert run feedback', async () => {
    const [row] = await db.insert(runFeedback).values(feedback).returning();
    if (!row) throw new Error('insert returned no row');
    return row;
  });
}

/** Every feedback entry of a run, oldest first. */
export async function listRunFeedback(db: Db, jobId: string): Promise<RunFeedback[]> {
  return withStoreErrors('list run feedback', () =>
    db
      .select()
      .from(runFeedback)
      .where(eq(runFeedback.jobId, jobId))
      .orderBy(asc(runFeedback.createdAt), asc(runFeedback.id)),
  );
}
