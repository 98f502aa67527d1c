import { createHash } from 'node:crypto';
import type { LabelTarget } from '../store/index.js';

/** Where a job lands: a point in [0, 100) of the label's cumulative weights. */
export type BucketPoint = number;

const TWO_POW_48 = 2 ** 48;

/**
 * The sticky bucket of an assignment key for one slug and label, uniform in [0, 100). It depends
 * only on its inputs, so every worker process places the same key in the same variant, and a key
 * is placed independently on each label and slug.
 */
export function assignmentBucket(slug: string, label: string, assignmentKey: string): BucketPoint {
  const digest = createHash('sha256').update(`${slug}\u0000${label}\u0000${assignmentKey}`).digest();
  return (digest.readUIntBE(0, 6) / TWO_POW_48) * 100;
}

/** The target whose cumulative weight range holds `point`; weights need not sum to exactly 100. */
export function targetAt(targets: readonly LabelTarget[], point: BucketPoint): LabelTarget {
  const total = targets.reduce((sum, target) => sum + target.weight, 0);
  const scaled = (point / 100) * total;
  let upTo = 0;
  for (const target of targets) {
    upTo += target.weight;
    if (scaled < upTo) return target;
  }
  const last = targets[targets.length - 1];
  if (last === undefined) throw new RangeError('a label needs at least one target');
  return last;
}

/** Options for {@link chooseTarget}. */
export interface ChooseTargetOptions {
  slug: string;
  label: string;
  /** Sticky key (a user id); without one each job is placed at random. */
  assignmentKey?: string | undefined;
  /** Uniform in [0, 1) for keyless jobs. @default Math.random */
  random?: (() => number) | undefined;
}

/**
 * Picks the version a job runs for a label: the only target, or a weighted choice that is sticky per
 * assignment key (deterministic hash of slug + label + key) and random per job without one.
 */
export function chooseTarget(targets: readonly LabelTarget[], options: ChooseTargetOptions): LabelTarget {
  const only = targets.length === 1 ? targets[0] : undefined;
  if (only !== undefined) return only;
  const point =
    options.assignmentKey === undefined
      ? (options.random ?? Math.random)() * 100
      : assignmentBucket(options.slug, options.label, options.assignmentKey);
  return targetAt(targets, point);
}
