import type { Redis } from 'ioredis';
import type { Prompty } from '../prompty/index.js';
import {
  type Db,
  findVersion,
  type LabelTarget,
  latestVersion,
  listLabels,
  listLatestVersions,
  type PromptVersion,
} from '../store/index.js';
import { RegistryError } from './errors.js';
import { LATEST_LABEL } from './labels.js';
import { type InvalidationSubscription, subscribeInvalidations } from './propagation.js';
import { assertValidSlug } from './slug.js';
import type { PromptRef, PromptSource, PromptSummary, ResolvedPrompt } from './source.js';
import { chooseTarget } from './traffic-split.js';
import { loadVersionSnapshot } from './version-snapshot.js';
import { VersioningError } from './versioning-errors.js';

/** Options for {@link createStoreSource}. */
export interface StoreSourceOptions {
  db: Db;
  /** Values for `${env:VAR}` references in prompts. @default {} */
  env?: Record<string, string | undefined>;
  /**
   * How long a slug's labels are trusted without an invalidation message: the safety net when a
   * message is lost. @default 30000
   */
  ttlMs?: number;
  /** Pub/sub invalidation: changes made anywhere reach this process within milliseconds. */
  invalidation?: { redis: Redis; prefix: string };
  /** Most parsed versions kept. @default 1000 */
  maxVersions?: number;
  /** Clock for the TTL. @default Date.now */
  now?: () => number;
  /** Uniform in [0, 1) for splits without an assignment key. @default Math.random */
  random?: () => number;
}

/** The Postgres-backed source, plus cache controls. */
export interface StoreSource extends PromptSource {
  /** Forgets one slug's resolution state, or everything. */
  invalidate(slug?: string): void;
  /** Resolves once the invalidation subscription is live (at once without one). */
  ready(): Promise<void>;
  /** How many times a slug's state was read from the database: a measure of cache misses. */
  readonly loads: number;
  /** Ends the invalidation subscription and empties the caches; safe to call twice. */
  close(): Promise<void>;
}

interface SlugState {
  labels: Map<string, LabelTarget[]>;
  latest: string | null;
  loadedAt: number;
}

type ParsedVersion = { version: string; prompt: Prompty } | { version: string; error: unknown };

/**
 * A prompt source over published versions in Postgres (`opm publish`). Resolution state per slug
 * (labels and `latest`) and parsed versions are cached in memory, so the hot path does no database
 * read; a label change published through Redis drops the slug's state in every process, and
 * `ttlMs` bounds staleness if a message is lost. Versions are immutable and cached until evicted.
 * Each version loads from the snapshot of the files it read at its commit (`${file:}`, `base:`),
 * so no checkout is needed.
 */
export function createStoreSource(options: StoreSourceOptions): StoreSource {
  const { db } = options;
  const env = options.env ?? {};
  const ttlMs = options.ttlMs ?? 30_000;
  const maxVersions = options.maxVersions ?? 1000;
  const now = options.now ?? Date.now;
  if (!(ttlMs >= 0)) throw new RangeError(`ttlMs must be >= 0, got ${options.ttlMs}`);
  const states = new Map<string, SlugState>();
  const inflight = new Map<string, Promise<SlugState>>();
  const generations = new Map<string, number>();
  const versions = new Map<string, ParsedVersion>();
  let globalGeneration = 0;
  let loads = 0;

  const generationOf = (slug: string) => `${globalGeneration}:${generations.get(slug) ?? 0}`;

  function invalidate(slug?: string): void {
    if (slug === undefined) {
      globalGeneration += 1;
      states.clear();
      inflight.clear();
      return;
    }
    generations.set(slug, (generations.get(slug) ?? 0) + 1);
    states.delete(slug);
    inflight.delete(slug);
  }

  const subscription: InvalidationSubscription | undefined =
    options.invalidation === undefined
      ? undefined
      : subscribeInvalidations({
          ...options.invalidation,
          onInvalidate: (slug) => invalidate(slug),
          onReset: () => invalidate(),
        });

  function remember(key: string, row: PromptVersion): ParsedVersion {
    let parsed: ParsedVersion;
    try {
      parsed = { version: row.version, prompt: loadVersionSnapshot(row, env) };
    } catch (error) {
      parsed = { version: row.version, error };
    }
    versions.set(key, parsed);
    if (versions.size > maxVersions) {
      const oldest = versions.keys().next().value;
      if (oldest !== undefined) versions.delete(oldest);
    }
    return parsed;
  }

  async function loadState(slug: string): Promise<SlugState> {
    loads += 1;
    const [labelRows, latest] = await Promise.all([listLabels(db, slug), latestVersion(db, slug)]);
    if (latest !== null) remember(`${slug}@${latest.version}`, latest);
    return {
      labels: new Map(labelRows.map((row) => [row.label, row.targets])),
      latest: latest?.version ?? null,
      loadedAt: now(),
    };
  }

  function stateOf(slug: string): SlugState | Promise<SlugState> {
    const state = states.get(slug);
    if (state !== undefined && now() - state.loadedAt < ttlMs) return state;
    let pending = inflight.get(slug);
    if (pending === undefined) {
      const generation = generationOf(slug);
      pending = loadState(slug).then(
        (loaded) => {
          // A change announced while this read was in flight makes the result stale: don't keep it.
          if (generationOf(slug) === generation) states.set(slug, loaded);
          if (inflight.get(slug) === pending) inflight.delete(slug);
          return loaded;
        },
        (error: unknown) => {
          if (inflight.get(slug) === pending) inflight.delete(slug);
          throw error;
        },
      );
      inflight.set(slug, pending);
    }
    return pending;
  }

  async function parsedVersion(slug: string, version: string): Promise<ParsedVersion> {
    const key = `${slug}@${version}`;
    const cached = versions.get(key);
    if (cached !== undefined) return cached;
    const found = await findVersion(db, slug, version);
    if (found === null) {
      throw new RegistryError(
        'registry.version_not_found',
        `Prompt "${slug}" has no published version "${version}".`,
        {
          details: { slug, version },
        },
      );
    }
    if (Array.isArray(found)) {
      throw new VersioningError(
        'registry.ambiguous_version',
        `"${version}" matches several versions of "${slug}".`,
        {
          details: { slug, version },
        },
      );
    }
    const parsed = remember(`${slug}@${found.version}`, found);
    versions.set(key, parsed);
    return parsed;
  }

  function toResolved(
    slug: string,
    parsed: ParsedVersion,
    label: string | null,
    variant: string | null,
  ): ResolvedPrompt {
    if ('error' in parsed) throw parsed.error;
    return { slug, prompt: parsed.prompt, version: parsed.version, label, variant };
  }

  async function resolve(ref: PromptRef): Promise<ResolvedPrompt> {
    const slug = ref.slug;
    const label = ref.label ?? null;
    if (ref.version !== undefined) {
      assertValidSlug(slug);
      return toResolved(slug, await parsedVersion(slug, ref.version), label, null);
    }
    const pending = stateOf(slug);
    const state = pending instanceof Promise ? await pending : pending;
    if (state.latest === null && state.labels.size === 0) {
      assertValidSlug(slug);
      throw new RegistryError(
        'registry.slug_not_found',
        `Prompt "${slug}" has no published version. Run opm publish.`,
        {
          details: { slug },
        },
      );
    }
    if (label === null || label === LATEST_LABEL) {
      if (state.latest === null) {
        throw new RegistryError(
          'registry.version_not_found',
          `Prompt "${slug}" has only drafts; publish a commit.`,
          {
            details: { slug },
          },
        );
      }
      return toResolved(slug, await parsedVersion(slug, state.latest), label, null);
    }
    const targets = state.labels.get(label);
    if (targets === undefined || targets.length === 0) {
      throw new VersioningError('registry.label_not_found', `Prompt "${slug}" has no label "${label}".`, {
        details: { slug, label },
      });
    }
    const target = chooseTarget(targets, {
      slug,
      label,
      assignmentKey: ref.assignmentKey,
      ...(options.random === undefined ? {} : { random: options.random }),
    });
    const variant = targets.length > 1 ? target.variant : null;
    return toResolved(slug, await parsedVersion(slug, target.version), label, variant);
  }

  return {
    resolve,
    async list() {
      const rows = await listLatestVersions(db);
      return rows.map((row): PromptSummary => {
        const parsed =
          versions.get(`${row.slug}@${row.version}`) ?? remember(`${row.slug}@${row.version}`, row);
        if ('error' in parsed) {
          const error = parsed.error as { code?: unknown; message?: unknown };
          return {
            slug: row.slug,
            name: row.slug,
            description: null,
            model: null,
            version: row.version,
            path: null,
            error: { code: String(error.code ?? 'unknown'), message: String(error.message ?? error) },
          };
        }
        return {
          slug: row.slug,
          name: parsed.prompt.name || row.slug,
          description: parsed.prompt.description ?? null,
          model: parsed.prompt.model.id ?? null,
          version: row.version,
          path: null,
          error: null,
        };
      });
    },
    invalidate,
    ready: () => subscription?.ready ?? Promise.resolve(),
    get loads() {
      return loads;
    },
    async close() {
      await subscription?.close();
      invalidate();
      versions.clear();
    },
  };
}
