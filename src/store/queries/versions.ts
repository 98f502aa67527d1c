import { and, desc, eq, like, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { withStoreErrors } from '../errors.js';
import { type NewPromptVersion, type PromptVersion, prompts, promptVersions } from '../schema/index.js';

/** Newest first: by commit time, then by publish order (a draft after the commit it was made on). */
const NEWEST_FIRST = [
  desc(promptVersions.committedAt),
  desc(promptVersions.publishedAt),
  desc(promptVersions.id),
];

/**
 * Inserts versions, skipping any `(slug, version)` already stored (versions are immutable, so a
 * second publish of the same history inserts nothing), and records each slug in `prompts` with the
 * slugs it was renamed from.
 * @returns the rows actually inserted
 */
export async function insertVersions(db: Db, rows: readonly NewPromptVersion[]): Promise<PromptVersion[]> {
  if (rows.length === 0) return [];
  return withStoreErrors('insert versions', () =>
    db.transaction(async (tx) => {
      const previous = new Map<string, Set<string>>();
      for (const row of rows) {
        const set = previous.get(row.slug) ?? new Set<string>();
        if (row.renamedFrom) set.add(row.renamedFrom);
        previous.set(row.slug, set);
      }
      for (const [slug, set] of previous) {
        await tx
          .insert(prompts)
          .values({ slug, previousSlugs: [...set].sort() })
          .onConflictDoUpdate({
            target: prompts.slug,
            set: {
              previousSlugs: sql`(select coalesce(array_agg(distinct s order by s), '{}') from unnest(${prompts.previousSlugs} || excluded.previous_slugs) as s)`,
            },
          });
      }
      return tx
        .insert(promptVersions)
        .values([...rows])
        .onConflictDoNothing({ target: [promptVersions.slug, promptVersions.version] })
        .returning();
    }),
  );
}

/** Every version of a slug, newest first (drafts included). */
export async function listVersions(db: Db, slug: string): Promise<PromptVersion[]> {
  return withStoreErrors('list versions', () =>
    db
      .select()
      .from(promptVersions)
      .where(eq(promptVersions.slug, slug))
      .orderBy(...NEWEST_FIRST),
  );
}

/**
 * One version of a slug by its id, or by an unambiguous prefix of at least 7 characters (as git
 * abbreviations). Returns null when none matches, and the matches when the prefix is ambiguous.
 */
export async function findVersion(
  db: Db,
  slug: string,
  version: string,
): Promise<PromptVersion | null | PromptVersion[]> {
  return withStoreErrors('find version', async () => {
    const [exact] = await db
      .select()
      .from(promptVersions)
      .where(and(eq(promptVersions.slug, slug), eq(promptVersions.version, version)))
      .limit(1);
    if (exact !== undefined) return exact;
    if (version.length < 7 || !/^[0-9a-f]+$/.test(version)) return null;
    const matches = await db
      .select()
      .from(promptVersions)
      .where(and(eq(promptVersions.slug, slug), like(promptVersions.commitSha, `${version}%`)))
      .limit(2);
    if (matches.length === 0) return null;
    return matches.length === 1 ? (matches[0] ?? null) : matches;
  });
}

/** The newest committed (non-draft) version of a slug: what `latest` serves. */
export async function latestVersion(db: Db, slug: string): Promise<PromptVersion | null> {
  return withStoreErrors('latest version', async () => {
    const [row] = await db
      .select()
      .from(promptVersions)
      .where(and(eq(promptVersions.slug, slug), eq(promptVersions.isDraft, false)))
      .orderBy(...NEWEST_FIRST)
      .limit(1);
    return row ?? null;
  });
}

/** The latest committed version of every published slug, sorted by slug. */
export async function listLatestVersions(db: Db): Promise<PromptVersion[]> {
  return withStoreErrors('list latest versions', () =>
    db
      .selectDistinctOn([promptVersions.slug])
      .from(promptVersions)
      .where(eq(promptVersions.isDraft, false))
      .orderBy(promptVersions.slug, ...NEWEST_FIRST),
  );
}

/** Whether anything was ever published (workers then resolve from the database). */
export async function hasPublishedVersions(db: Db): Promise<boolean> {
  return withStoreErrors('has versions', async () => {
    const rows = await db.select({ one: sql<number>`1` }).from(promptVersions).limit(1);
    return rows.length > 0;
  });
}
