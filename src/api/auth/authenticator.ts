import { type Db, findApiKeyByHash, touchApiKey } from '../../store/index.js';
import type { Principal } from '../types.js';
import { hashApiKey, keysEqual } from './keys.js';

/** Options for {@link createAuthenticator}. */
export interface AuthenticatorOptions {
  db: Db;
  /** A bootstrap admin key accepted besides the stored ones (`OPM_ADMIN_KEY`). */
  adminKey?: string | undefined;
  /**
   * How long a looked-up key is trusted before the database is asked again. A key revoked in
   * another process stops working within this time; one revoked through this API, at once.
   * @default 2000
   */
  cacheTtlMs?: number;
  /** @default Date.now */
  now?: () => number;
}

/** Turns a presented key into the principal it stands for. */
export interface Authenticator {
  /** The principal of a valid, unrevoked key, else null. */
  authenticate(key: string): Promise<Principal | null>;
  /** Drops cached lookups, e.g. after a revocation. */
  forget(): void;
}

const BOOTSTRAP: Principal = { keyId: 'bootstrap', name: 'bootstrap-admin', role: 'admin' };
const TOUCH_EVERY_MS = 60_000;
const MAX_CACHED = 10_000;

/** Looks keys up by hash in the store, with a short cache so that each request does not query. */
export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  const ttl = options.cacheTtlMs ?? 2000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { principal: Principal | null; expiresAt: number }>();
  const touched = new Map<string, number>();

  function touch(keyId: string): void {
    const last = touched.get(keyId) ?? 0;
    if (now() - last < TOUCH_EVERY_MS) return;
    touched.set(keyId, now());
    touchApiKey(options.db, keyId).catch(() => undefined);
  }

  return {
    async authenticate(key) {
      if (options.adminKey !== undefined && keysEqual(key, options.adminKey)) return BOOTSTRAP;
      const keyHash = hashApiKey(key);
      const cached = cache.get(keyHash);
      if (cached && cached.expiresAt > now()) {
        if (cached.principal) touch(cached.principal.keyId);
        return cached.principal;
      }
      const row = await findApiKeyByHash(options.db, keyHash);
      const principal: Principal | null =
        row && row.revokedAt === null ? { keyId: row.id, name: row.name, role: row.role } : null;
      if (cache.size >= MAX_CACHED) cache.clear();
      cache.set(keyHash, { principal, expiresAt: now() + ttl });
      if (principal) touch(principal.keyId);
      return principal;
    },
    forget() {
      cache.clear();
    },
  };
}
