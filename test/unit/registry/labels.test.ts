import { describe, expect, it } from 'vitest';
import {
  applyDeploy,
  assertDeployableLabel,
  describeTargets,
  VersioningError,
} from '../../../src/registry/index.js';

describe('applyDeploy', () => {
  it('points a label at one version at 100%', () => {
    expect(applyDeploy([], 'v1', 100)).toEqual([{ version: 'v1', weight: 100, variant: 'stable' }]);
    expect(applyDeploy([{ version: 'v1', weight: 100, variant: 'stable' }], 'v2', 100)).toEqual([
      { version: 'v2', weight: 100, variant: 'stable' },
    ]);
  });

  it('gives a canary its weight and the rest to the current version', () => {
    expect(applyDeploy([{ version: 'v1', weight: 100, variant: 'stable' }], 'v2', 10)).toEqual([
      { version: 'v1', weight: 90, variant: 'stable' },
      { version: 'v2', weight: 10, variant: 'canary' },
    ]);
  });

  it('changes the weight of a version already in the split', () => {
    const split = applyDeploy([{ version: 'v1', weight: 100, variant: 'stable' }], 'v2', 10);
    expect(applyDeploy(split, 'v2', 50)).toEqual([
      { version: 'v1', weight: 50, variant: 'stable' },
      { version: 'v2', weight: 50, variant: 'canary' },
    ]);
  });

  it('shares the rest in proportion and keeps the weights summing to 100', () => {
    const targets = applyDeploy(
      [
        { version: 'v1', weight: 50, variant: 'a' },
        { version: 'v2', weight: 50, variant: 'b' },
      ],
      'v3',
      33.33,
      'c',
    );
    expect(targets.map((t) => t.variant)).toEqual(['a', 'b', 'c']);
    expect(targets.reduce((sum, t) => sum + t.weight, 0)).toBeCloseTo(100, 8);
  });

  it('refuses a split of a label that serves nothing yet, and weights outside (0, 100]', () => {
    expect(() => applyDeploy([], 'v1', 10)).toThrow(VersioningError);
    expect(() => applyDeploy([], 'v1', 0)).toThrow(/percentage/);
    expect(() => applyDeploy([], 'v1', 101)).toThrow(/percentage/);
  });
});

describe('assertDeployableLabel', () => {
  it('accepts production, staging and any well-formed name', () => {
    for (const label of ['production', 'staging', 'exp-42', 'eu.prod'])
      expect(assertDeployableLabel(label)).toBe(label);
  });

  it('refuses latest, which is automatic, and malformed names', () => {
    expect(() => assertDeployableLabel('latest')).toThrow(/automatic/);
    expect(() => assertDeployableLabel('Prod')).toThrow(VersioningError);
    expect(() => assertDeployableLabel('')).toThrow(VersioningError);
  });
});

describe('describeTargets', () => {
  it('prints one version, or the split with weights and variants', () => {
    expect(describeTargets([{ version: 'v1', weight: 100, variant: 'stable' }])).toBe('v1');
    expect(
      describeTargets([
        { version: 'v1', weight: 90, variant: 'stable' },
        { version: 'v2', weight: 10, variant: 'canary' },
      ]),
    ).toBe('v1 90% (stable) + v2 10% (canary)');
    expect(describeTargets(null)).toBe('(nothing)');
  });
});
