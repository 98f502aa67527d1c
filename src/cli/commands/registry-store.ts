import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { publishInvalidation, readGitIdentity } from '../../registry/index.js';
import { createDatabase, type Db, migrate } from '../../store/index.js';
import type { CliContext } from '../program.js';

/** What the versioning commands (publish, deploy, rollback, ...) work with. */
export interface RegistryStore {
  db: Db;
  /** Tells running workers that a slug changed; a warning (not a failure) when Redis is unreachable. */
  notify(slug: string): Promise<void>;
}

/**
 * Opens the configured database (Postgres at `DATABASE_URL`, else PGlite under the data folder),
 * migrates it, runs `body`, then closes everything.
 */
export async function withRegistryStore<T>(
  context: CliContext,
  body: (store: RegistryStore) => Promise<T>,
): Promise<T> {
  const config = context.config();
  const database = await createDatabase(
    config.databaseUrl === undefined
      ? { dataDir: path.join(config.dataDir, 'pglite') }
      : { url: config.databaseUrl, schema: config.databaseSchema },
  );
  let redis: Redis | undefined;
  try {
    await migrate(database);
    return await body({
      db: database.db,
      async notify(slug) {
        if (redis === undefined) {
          redis = new Redis(config.redisUrl, {
            lazyConnect: true,
            maxRetriesPerRequest: 1,
            connectTimeout: 2_000,
            enableOfflineQueue: false,
            retryStrategy: () => null,
          });
          redis.on('error', () => {});
        }
        try {
          if (redis.status === 'wait') await redis.connect();
          await publishInvalidation(redis, config.queuePrefix, slug);
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error);
          context.io.stderr.write(
            `opm: warning: could not reach Redis to tell workers about ${slug} (${reason}); they see the change within their cache TTL.\n`,
          );
        }
      },
    });
  } finally {
    redis?.disconnect();
    await database.close();
  }
}

/** The actor recorded in the audit log: `--actor`, else the git identity, else the OS user. */
export async function resolveActor(context: CliContext, actor: string | undefined): Promise<string> {
  if (actor !== undefined && actor.trim() !== '') return actor.trim();
  const fromGit = await readGitIdentity(context.cwd);
  if (fromGit !== null) return fromGit;
  return context.env.USER ?? context.env.USERNAME ?? os.userInfo().username;
}

/** Splits `slug@version`. */
export function parseSlugAtVersion(value: string): { slug: string; version: string } | null {
  const at = value.lastIndexOf('@');
  if (at <= 0 || at === value.length - 1) return null;
  return { slug: value.slice(0, at), version: value.slice(at + 1) };
}
