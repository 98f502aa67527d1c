import { and, asc, eq, isNotNull } from 'drizzle-orm';
import type { Db } from '../client.js';
import { withStoreErrors } from '../errors.js';
import { type NewPromptLabel, type PromptLabel, promptLabels } from '../schema/index.js';

/** Every label of a slug, by name. */
export async function listLabels(db: Db, slug: string): Promise<PromptLabel[]> {
  return withStoreErrors('list labels', () =>
    db.select().from(promptLabels).where(eq(promptLabels.slug, slug)).orderBy(asc(promptLabels.label)),
  );
}

/** Labels that carry canary guard thresholds, for the guard loop. */
export async function listGuardedLabels(db: Db): Promise<PromptLabel[]> {
  return withStoreErrors('list guarded labels', () =>
    db.select().from(promptLabels).where(isNotNull(promptLabels.guard)),
  );
}

/**
 * A label row; with `forUpdate` (inside a transaction) the row stays locked until the transaction
 * ends, so two deploys of the same label apply one after the other.
 */
export async function getLabel(
  db: Db,
  slug: string,
  label: string,
  options: { forUpdate?: boolean } = {},
): Promise<PromptLabel | null> {
  return withStoreErrors('get label', async () => {
    const query = db
      .select()
      .from(promptLabels)
      .where(and(eq(promptLabels.slug, slug), eq(promptLabels.label, label)))
      .limit(1);
    const [row] = options.forUpdate === true ? await query.for('update') : await query;
    return row ?? null;
  });
}

/** Creates or replaces a label row (the caller holds the row lock and writes the audit row). */
export async function saveLabel(db: Db, row: NewPromptLabel): Promise<PromptLabel> {
  return withStoreErrors('save label', async () => {
    const { slug, label, ...rest } = row;
    const [saved] = await db
      .insert(promptLabels)
      .values(row)
      .onConflictDoUpdate({ target: [promptLabels.slug, promptLabels.label], set: rest })
      .returning();
    if (saved === undefined) throw new Error(`label ${slug}@${label} was not saved`);
    return saved;
  });
}
