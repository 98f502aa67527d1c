import { toErrorJson } from '../errors/index.js';
import {
  appendAudit,
  type Db,
  findVersion,
  getLabel,
  type LabelGuard,
  type LabelTarget,
  type PromptLabel,
  type PromptVersion,
  saveLabel,
} from '../store/index.js';
import { RegistryError } from './errors.js';
import { applyDeploy, assertDeployableLabel, sameTargets } from './labels.js';
import { assertValidSlug } from './slug.js';
import { loadVersionSnapshot } from './version-snapshot.js';
import { VersioningError } from './versioning-errors.js';

/** Earlier targets kept per label for rollback. */
const MAX_HISTORY = 50;

/** Guard thresholds given at deploy time; the canary and start time are filled in. */
export type GuardThresholds = Omit<LabelGuard, 'canary' | 'since'>;

/** What every label change needs besides its own arguments. */
export interface LabelChangeOptions {
  db: Db;
  slug: string;
  label: string;
  /** Who moves the label: `Name <email>`, `--actor`, an API key name, or `guard`. */
  actor: string;
  reason?: string | undefined;
  /** Called after the change commits (cache invalidation across workers). */
  onChange?: ((slug: string) => Promise<void>) | undefined;
  /** Clock, for tests. @default () => new Date() */
  now?: (() => Date) | undefined;
}

/** Options for {@link rollbackLabel}. */
export interface RollbackOptions extends LabelChangeOptions {
  /** Roll back only if the label is still at this revision (the guard's check against a race). */
  ifRevision?: number | undefined;
}

/** Options for {@link deployVersion}. */
export interface DeployOptions extends LabelChangeOptions {
  /** A version id or an unambiguous commit-sha prefix (7+). */
  version: string;
  /** Percent of the label's traffic for this version. @default 100 */
  weight?: number | undefined;
  /** Name recorded on runs for this version (`canary`, `b`...). */
  variant?: string | undefined;
  /** Roll back automatically when the canary breaches these (only for a weight below 100). */
  guard?: GuardThresholds | undefined;
}

/** The outcome of a deploy or rollback. */
export interface LabelChange {
  slug: string;
  label: string;
  action: 'deploy' | 'weight' | 'rollback';
  before: LabelTarget[] | null;
  after: LabelTarget[];
  /** False when the label already pointed there (nothing was written). */
  changed: boolean;
  /** The audit row written, when something changed. */
  auditId: number | null;
}

async function resolveVersion(db: Db, slug: string, version: string): Promise<PromptVersion> {
  const found = await findVersion(db, slug, version);
  if (found === null) {
    throw new RegistryError(
      'registry.version_not_found',
      `Prompt "${slug}" has no published version "${version}". Run opm publish, or see opm history ${slug}.`,
      {
        details: { slug, version },
      },
    );
  }
  if (Array.isArray(found)) {
    throw new VersioningError(
      'registry.ambiguous_version',
      `"${version}" matches several versions of "${slug}": ${found.map((v) => v.version).join(', ')}.`,
      {
        details: { slug, version },
      },
    );
  }
  // A version that does not parse would fail every job routed to it; refuse it here instead.
  try {
    loadVersionSnapshot(found);
  } catch (error) {
    const { code, message } = toErrorJson(error);
    throw new VersioningError(
      'registry.invalid_deploy',
      `Version ${found.version} of "${slug}" does not load (${code}: ${message}); fix it in git and publish again.`,
      { details: { slug, version: found.version, error: code } },
    );
  }
  return found;
}

function keptGuard(guard: LabelGuard | null, targets: readonly LabelTarget[]): LabelGuard | null {
  if (guard === null) return null;
  const canary = targets.find((target) => target.version === guard.canary);
  return canary !== undefined && canary.weight < 100 ? guard : null;
}

/**
 * Points a label at a version, or gives the version `weight` percent of the label's traffic
 * (`opm deploy slug@version --label production --weight 10`). One transaction holds the label row
 * lock, saves the new targets (pushing the old ones for rollback) and writes the audit row.
 * @throws RegistryError `registry.version_not_found`; VersioningError `registry.invalid_label`,
 *   `registry.invalid_deploy`, `registry.ambiguous_version`.
 */
export async function deployVersion(options: DeployOptions): Promise<LabelChange> {
  const { db, slug, label, actor } = options;
  assertValidSlug(slug);
  assertDeployableLabel(label);
  const { version } = await resolveVersion(db, slug, options.version);
  const weight = options.weight ?? 100;
  const now = (options.now ?? (() => new Date()))();
  const change = await db.transaction(async (tx): Promise<LabelChange> => {
    const row = await getLabel(tx, slug, label, { forUpdate: true });
    const before = row?.targets ?? null;
    const after = applyDeploy(before ?? [], version, weight, options.variant);
    const action = before?.some((target) => target.version === version) && weight < 100 ? 'weight' : 'deploy';
    if (before !== null && sameTargets(before, after)) {
      return { slug, label, action, before, after: before, changed: false, auditId: null };
    }
    const guard: LabelGuard | null =
      options.guard !== undefined && weight < 100
        ? { ...options.guard, canary: version, since: now.toISOString() }
        : keptGuard(row?.guard ?? null, after);
    await saveLabel(tx, {
      slug,
      label,
      targets: after,
      history: before === null ? [] : [...(row?.history ?? []), before].slice(-MAX_HISTORY),
      guard,
      revision: (row?.revision ?? 0) + 1,
      updatedBy: actor,
      updatedAt: now,
    });
    const audit = await appendAudit(tx, {
      actor,
      action,
      slug,
      label,
      before,
      after: guard === null ? after : { targets: after, guard },
      reason: options.reason ?? null,
      at: now,
    });
    return { slug, label, action, before, after, changed: true, auditId: audit.id };
  });
  if (change.changed) await options.onChange?.(slug);
  return change;
}

/**
 * Returns a label to the targets it had before its last change, in one step
 * (`opm rollback slug --label production`). Each rollback goes one further step back.
 * @throws VersioningError `registry.label_not_found`, `registry.nothing_to_roll_back`.
 */
export async function rollbackLabel(options: RollbackOptions): Promise<LabelChange> {
  const { db, slug, label, actor } = options;
  assertValidSlug(slug);
  const now = (options.now ?? (() => new Date()))();
  const change = await db.transaction(async (tx): Promise<LabelChange> => {
    const row: PromptLabel | null = await getLabel(tx, slug, label, { forUpdate: true });
    if (row === null) {
      throw new VersioningError('registry.label_not_found', `Prompt "${slug}" has no label "${label}".`, {
        details: { slug, label },
      });
    }
    if (options.ifRevision !== undefined && row.revision !== options.ifRevision) {
      return {
        slug,
        label,
        action: 'rollback',
        before: row.targets,
        after: row.targets,
        changed: false,
        auditId: null,
      };
    }
    const after = row.history[row.history.length - 1];
    if (after === undefined) {
      throw new VersioningError(
        'registry.nothing_to_roll_back',
        `Label "${label}" of "${slug}" has no earlier target to return to.`,
        {
          details: { slug, label },
        },
      );
    }
    await saveLabel(tx, {
      slug,
      label,
      targets: after,
      history: row.history.slice(0, -1),
      guard: keptGuard(row.guard, after),
      revision: row.revision + 1,
      updatedBy: actor,
      updatedAt: now,
    });
    const audit = await appendAudit(tx, {
      actor,
      action: 'rollback',
      slug,
      label,
      before: row.targets,
      after,
      reason: options.reason ?? null,
      at: now,
    });
    return { slug, label, action: 'rollback', before: row.targets, after, changed: true, auditId: audit.id };
  });
  if (change.changed) await options.onChange?.(slug);
  return change;
}
