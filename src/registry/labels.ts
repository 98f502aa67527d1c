import type { LabelTarget } from '../store/index.js';
import { VersioningError } from './versioning-errors.js';

/** The label every slug has without a deploy: its newest published version. */
export const LATEST_LABEL = 'latest';

/** Label names: lowercase letters, digits, `-`, `_` and `.`, starting with a letter or digit. */
const LABEL_PATTERN = /^[a-z0-9][a-z0-9._-]{0,62}$/;

/**
 * Returns a label name that can be deployed to.
 * @throws VersioningError `registry.invalid_label` for a malformed name or `latest` (automatic).
 */
export function assertDeployableLabel(label: string): string {
  if (label === LATEST_LABEL) {
    throw new VersioningError(
      'registry.invalid_label',
      '"latest" is automatic (the newest published version); deploy to another label.',
      {
        details: { label },
      },
    );
  }
  if (!LABEL_PATTERN.test(label)) {
    throw new VersioningError(
      'registry.invalid_label',
      `Invalid label "${label}": use lowercase letters, digits, ".", "-" and "_" (at most 63).`,
      { details: { label } },
    );
  }
  return label;
}

/** Weights kept to two decimals so that stored splits read cleanly (90/10, 33.33/66.67). */
function round(weight: number): number {
  return Math.round(weight * 100) / 100;
}

/**
 * The targets after deploying `version` at `weight` percent: the version takes its share and the
 * other versions share the rest in their current proportions. At 100 the label points at the version
 * alone. The new version's variant is `variant`, else `canary` below 100 %; the others keep theirs
 * (`stable` when they had none).
 * @throws VersioningError `registry.invalid_deploy` for a weight outside (0, 100], or a split of a
 *   label that serves nothing else yet.
 */
export function applyDeploy(
  current: readonly LabelTarget[],
  version: string,
  weight: number,
  variant?: string,
): LabelTarget[] {
  if (!(weight > 0 && weight <= 100)) {
    throw new VersioningError(
      'registry.invalid_deploy',
      `A weight is a percentage in (0, 100], got ${weight}.`,
      {
        details: { weight },
      },
    );
  }
  if (weight === 100) return [{ version, weight: 100, variant: variant ?? 'stable' }];
  const others = current.filter((target) => target.version !== version);
  const othersTotal = others.reduce((sum, target) => sum + target.weight, 0);
  if (others.length === 0 || othersTotal <= 0) {
    throw new VersioningError(
      'registry.invalid_deploy',
      `Cannot give ${version} ${weight}%: the label serves no other version to take the remaining ${100 - weight}%. ` +
        'Deploy a version at 100% first.',
      { details: { version, weight } },
    );
  }
  const rest = 100 - weight;
  const scaled = others.map((target) => ({
    version: target.version,
    weight: round((target.weight / othersTotal) * rest),
    variant: target.variant || 'stable',
  }));
  // Rounding may leave a hundredth over or under; the largest share absorbs it.
  const drift = round(100 - weight - scaled.reduce((sum, target) => sum + target.weight, 0));
  const largest = scaled.reduce((a, b) => (b.weight > a.weight ? b : a));
  largest.weight = round(largest.weight + drift);
  const previous = current.find((target) => target.version === version);
  return [...scaled, { version, weight: round(weight), variant: variant ?? previous?.variant ?? 'canary' }];
}

/** `a1b2c3d 90% (stable) + e4f5a6b 10% (canary)`, for humans. */
export function describeTargets(targets: readonly LabelTarget[] | null | undefined): string {
  if (!targets || targets.length === 0) return '(nothing)';
  if (targets.length === 1) return targets[0]?.version ?? '(nothing)';
  return targets.map((target) => `${target.version} ${target.weight}% (${target.variant})`).join(' + ');
}

/** Whether two target lists send the same traffic to the same versions. */
export function sameTargets(a: readonly LabelTarget[], b: readonly LabelTarget[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((target) =>
    b.some((other) => other.version === target.version && other.weight === target.weight),
  );
}
