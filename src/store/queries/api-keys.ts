import { desc, eq, or } from 'drizzle-orm';
import type { Db } from '../client.js';
import { withStoreErrors } from '../errors.js';
import { type ApiKey, apiKeys, type NewApiKey } from '../schema/index.js';

/** Stores a new API key (its hash and display prefix) and returns the row. */
export async function insertApiKey(db: Db, key: NewApiKey): Promise<ApiKey> {
  return withStoreErrors('insert api key', async () => {
    const [row] = await db.insert(apiKeys).values(key).returning();
    if (!row) throw new Error('insert returned no row');
    return row;
  });
}

/** The key with this hash, revoked or not, or `null`. */
export async function findApiKeyByHash(db: Db, keyHash: string): Promise<ApiKey | null> {
  return withStoreErrors('find api key', async () => {
    const [row] = await db.select().from(apiKeys).where(eq(apiKeys.keyHash, keyHash)).limit(1);
    return row ?? null;
  });
}

/** Every key, newest first (revoked ones included, marked by `revokedAt`). */
export async function listApiKeys(db: Db): Promise<ApiKey[]> {
  return withStoreErrors('list api keys', () =>
    db.select().from(apiKeys).orderBy(desc(apiKeys.createdAt), desc(apiKeys.id)),
  );
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Keys whose id or display prefix is `idOrPrefix` (several when a prefix is ambiguous). */
export async function findApiKeys(db: Db, idOrPrefix: string): Promise<ApiKey[]> {
  return withStoreErrors('find api keys', () => {
    const byPrefix = eq(apiKeys.prefix, idOrPrefix);
    return db
      .select()
      .from(apiKeys)
      .where(UUID.test(idOrPrefix) ? or(eq(apiKeys.id, idOrPrefix), byPrefix) : byPrefix);
  });
}

/** Marks a key revoked (keeping the first revocation time); returns the row, or `null` when unknown. */
export async function revokeApiKey(db: Db, id: string, at: Date = new Date()): Promise<ApiKey | null> {
  return withStoreErrors('revoke api key', async () => {
    const [current] = await db.select().from(apiKeys).where(eq(apiKeys.id, id)).limit(1);
    if (!current) return null;
    if (current.revokedAt !== null) return current;
    const [row] = await db.update(apiKeys).set({ revokedAt: at }).where(eq(apiKeys.id, id)).returning();
    return row ?? null;
  });
}

/** Records when a key was last used. */
export async function touchApiKey(db: Db, id: string, at: Date = new Date()): Promise<void> {
  await withStoreErrors('touch api key', async () => {
    await db.update(apiKeys).set({ lastUsedAt: at }).where(eq(apiKeys.id, id));
  });
}
