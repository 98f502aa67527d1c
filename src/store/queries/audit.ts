import { and, desc, eq, type SQL } from 'drizzle-orm';
import type { Db } from '../client.js';
import { withStoreErrors } from '../errors.js';
import { type AuditEntry, auditLog, type NewAuditEntry } from '../schema/index.js';

/**
 * Appends one audit row. The audit log has no update or delete function on purpose: rows are
 * immutable (a database trigger refuses changes as well).
 */
export async function appendAudit(db: Db, entry: NewAuditEntry): Promise<AuditEntry> {
  return withStoreErrors('append audit', async () => {
    const [row] = await db.insert(auditLog).values(entry).returning();
    if (row === undefined) throw new Error('audit row was not written');
    return row;
  });
}

/** Which audit rows to list. */
export interface AuditFilter {
  slug?: string | undefined;
  label?: string | undefined;
  /** Newest rows first, at most this many. @default 100 */
  limit?: number | undefined;
}

/** Audit rows, newest first. */
export async function listAudit(db: Db, filter: AuditFilter = {}): Promise<AuditEntry[]> {
  const conditions: SQL[] = [];
  if (filter.slug !== undefined) conditions.push(eq(auditLog.slug, filter.slug));
  if (filter.label !== undefined) conditions.push(eq(auditLog.label, filter.label));
  return withStoreErrors('list audit', () =>
    db
      .select()
      .from(auditLog)
      .where(and(...conditions))
      .orderBy(desc(auditLog.id))
      .limit(filter.limit ?? 100),
  );
}
