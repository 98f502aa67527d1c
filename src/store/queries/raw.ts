import type { SQL } from 'drizzle-orm';
import type { Db } from '../client.js';
import { withStoreErrors } from '../errors.js';

/**
 * Runs hand-written SQL and returns its rows on either driver (`db.execute` is untyped on the
 * shared PgDatabase base type). For health checks, admin commands and tests.
 */
export async function executeRows<Row extends Record<string, unknown>>(db: Db, query: SQL): Promise<Row[]> {
  return withStoreErrors('execute', async () => {
    const result = (await db.execute(query)) as { rows?: Row[] };
    return result.rows ?? [];
  });
}
