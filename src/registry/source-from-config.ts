import fs from 'node:fs';
import type { Redis } from 'ioredis';
import type { Db } from '../store/index.js';
import { RegistryError } from './errors.js';
import { createFileSource } from './file-source.js';
import type { PromptRef, PromptSource, ResolvedPrompt } from './source.js';
import { createStoreSource, type StoreSourceOptions } from './store-source.js';

/** Options for {@link createPromptSourceFromConfig}. */
export interface PromptSourceFromConfigOptions {
  db: Db;
  /** The prompts folder (`config.promptsDir`); used when nothing is published, and for slugs never published. */
  promptsDir: string;
  /** Redis for label-change invalidation, with the deployment's key prefix (`config.queuePrefix`). */
  invalidation?: { redis: Redis; prefix: string };
  /** Values for `${env:VAR}` references. @default {} */
  env?: Record<string, string | undefined>;
  /** Safety-net TTL of the resolution cache. @default 30000 */
  ttlMs?: number;
}

/** Store first; a slug that was never published comes from the prompts folder (local development). */
function layered(store: PromptSource, files: PromptSource | undefined): PromptSource {
  if (files === undefined) return store;
  return {
    async resolve(ref: PromptRef): Promise<ResolvedPrompt> {
      try {
        return await store.resolve(ref);
      } catch (error) {
        if (error instanceof RegistryError && error.code === 'registry.slug_not_found')
          return files.resolve(ref);
        throw error;
      }
    },
    async list() {
      const published = await store.list();
      const known = new Set(published.map((summary) => summary.slug));
      const local = (await files.list()).filter((summary) => !known.has(summary.slug));
      return [...published, ...local].sort((a, b) => a.slug.localeCompare(b.slug));
    },
    async close() {
      await store.close?.();
      await files.close?.();
    },
  };
}

/**
 * The prompt source a worker should use: the Postgres-backed {@link createStoreSource} (published
 * versions, labels, splits, pinned versions; cached in memory and invalidated through Redis),
 * falling back to the prompts folder for slugs that were never published, so a worker started
 * before the first `opm publish` serves files and switches to versions as soon as they exist.
 * Without a prompts folder, published prompts only.
 */
export async function createPromptSourceFromConfig(
  options: PromptSourceFromConfigOptions,
): Promise<PromptSource> {
  const env = options.env ?? {};
  const hasFolder = fs.existsSync(options.promptsDir) && fs.statSync(options.promptsDir).isDirectory();
  const files = hasFolder
    ? createFileSource({ root: options.promptsDir, env, revalidateAfterMs: 1_000 })
    : undefined;
  const storeOptions: StoreSourceOptions = { db: options.db, env };
  if (options.invalidation !== undefined) storeOptions.invalidation = options.invalidation;
  if (options.ttlMs !== undefined) storeOptions.ttlMs = options.ttlMs;
  const store = createStoreSource(storeOptions);
  await store.ready();
  return layered(store, files);
}
