import { describe, expect, it } from 'vitest';
import { assignmentBucket, chooseTarget, targetAt } from '../../../src/registry/index.js';
import type { LabelTarget } from '../../../src/store/index.js';

const CANARY_SPLIT: LabelTarget[] = [
  { version: 'aaaaaaa', weight: 90, variant: 'stable' },
  { version: 'bbbbbbb', weight: 10, variant: 'canary' },
];

describe('assignmentBucket', () => {
  it('is deterministic and within [0, 100)', () => {
    const bucket = assignmentBucket('acme/support/triage', 'production', 'user-42');
    expect(bucket).toBe(assignmentBucket('acme/support/triage', 'production', 'user-42'));
    expect(bucket).toBeGreaterThanOrEqual(0);
    expect(bucket).toBeLessThan(100);
  });

  it('places a key independently per slug and label', () => {
    const keys = Array.from({ length: 200 }, (_, i) => `user-${i}`);
    const a = keys.map((key) => assignmentBucket('acme/a', 'production', key));
    const b = keys.map((key) => assignmentBucket('acme/a', 'staging', key));
    const c = keys.map((key) => assignmentBucket('acme/b', 'production', key));
    expect(a.filter((value, i) => value === b[i])).toHaveLength(0);
    expect(a.filter((value, i) => value === c[i])).toHaveLength(0);
  });
});

describe('chooseTarget', () => {
  it('sends 10% ± 1.5% of 10,000 distinct assignment keys to a 10% canary', () => {
    let canary = 0;
    for (let i = 0; i < 10_000; i++) {
      const target = chooseTarget(CANARY_SPLIT, {
        slug: 'acme/support/triage',
        label: 'production',
        assignmentKey: `user-${i}`,
      });
      if (target.variant === 'canary') canary += 1;
    }
    expect(canary / 10_000).toBeGreaterThanOrEqual(0.085);
    expect(canary / 10_000).toBeLessThanOrEqual(0.115);
  });

  it('keeps each key on its variant across repeated jobs', () => {
    for (let i = 0; i < 1_000; i++) {
      const options = { slug: 'acme/support/triage', label: 'production', assignmentKey: `user-${i}` };
      const first = chooseTarget(CANARY_SPLIT, { ...options, random: () => 0 });
      for (let repeat = 0; repeat < 3; repeat++) {
        expect(chooseTarget(CANARY_SPLIT, { ...options, random: () => 0.999 }).version).toBe(first.version);
      }
    }
  });

  it('places keyless jobs at random, per job', () => {
    const options = { slug: 's', label: 'production' };
    expect(chooseTarget(CANARY_SPLIT, { ...options, random: () => 0.5 }).variant).toBe('stable');
    expect(chooseTarget(CANARY_SPLIT, { ...options, random: () => 0.95 }).variant).toBe('canary');
  });

  it('splits A/B traffic about evenly', () => {
    const ab: LabelTarget[] = [
      { version: 'aaaaaaa', weight: 50, variant: 'a' },
      { version: 'bbbbbbb', weight: 50, variant: 'b' },
    ];
    let b = 0;
    for (let i = 0; i < 10_000; i++) {
      if (chooseTarget(ab, { slug: 's', label: 'experiment', assignmentKey: String(i) }).variant === 'b')
        b += 1;
    }
    expect(b / 10_000).toBeGreaterThan(0.47);
    expect(b / 10_000).toBeLessThan(0.53);
  });

  it('returns the only target of an unsplit label without drawing', () => {
    const only: LabelTarget[] = [{ version: 'aaaaaaa', weight: 100, variant: 'stable' }];
    expect(
      chooseTarget(only, {
        slug: 's',
        label: 'production',
        random: () => {
          throw new Error('drawn');
        },
      }).version,
    ).toBe('aaaaaaa');
  });
});

describe('targetAt', () => {
  it('maps points to cumulative weight ranges', () => {
    expect(targetAt(CANARY_SPLIT, 0).version).toBe('aaaaaaa');
    expect(targetAt(CANARY_SPLIT, 89.99).version).toBe('aaaaaaa');
    expect(targetAt(CANARY_SPLIT, 90).version).toBe('bbbbbbb');
    expect(targetAt(CANARY_SPLIT, 99.999).version).toBe('bbbbbbb');
  });

  it('throws on an empty label', () => {
    expect(() => targetAt([], 5)).toThrow(RangeError);
  });
});
