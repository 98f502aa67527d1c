import { describe, expect, it } from 'vitest';
import { judgeCanary } from '../../../src/registry/index.js';
import type { LabelGuard, VersionRunStats } from '../../../src/store/index.js';

const GUARD: LabelGuard = {
  canary: 'bbbbbbb',
  minRuns: 20,
  maxErrorRateDelta: 0.1,
  maxP95Ratio: 1.5,
  maxCostRatio: 2,
  since: '2026-01-01T00:00:00.000Z',
};

function stats(overrides: Partial<VersionRunStats>): VersionRunStats {
  return { runs: 100, failed: 0, errorRate: 0, p95Ms: 1000, meanCostUsd: 0.001, ...overrides };
}

describe('judgeCanary', () => {
  it('does not judge before the minimum number of runs', () => {
    expect(judgeCanary(GUARD, stats({ runs: 19, failed: 19, errorRate: 1 }), stats({}))).toEqual({
      isJudged: false,
      breaches: [],
    });
  });

  it('passes a canary within every threshold', () => {
    expect(
      judgeCanary(GUARD, stats({ runs: 20, failed: 1, errorRate: 0.05, p95Ms: 1400 }), stats({})),
    ).toEqual({
      isJudged: true,
      breaches: [],
    });
  });

  it('reports an error rate above the stable rate plus the allowance, with the figures', () => {
    const { breaches } = judgeCanary(
      GUARD,
      stats({ runs: 40, failed: 20, errorRate: 0.5 }),
      stats({ runs: 360, failed: 4, errorRate: 4 / 360 }),
    );
    expect(breaches).toEqual([
      'error rate 50.0% (20/40) vs stable 1.1%, allowed +10.0% over 40 canary runs and 360 stable runs',
    ]);
  });

  it('reports p95 latency and cost ratios above their limits', () => {
    const { breaches } = judgeCanary(GUARD, stats({ p95Ms: 2000, meanCostUsd: 0.003 }), stats({}));
    expect(breaches).toHaveLength(2);
    expect(breaches[0]).toMatch(/^p95 latency 2000 ms vs stable 1000 ms \(x2\.00, allowed x1\.5\)/);
    expect(breaches[1]).toMatch(/^cost per run \$0\.00300 vs stable \$0\.00100 \(x3\.00, allowed x2\)/);
  });

  it('skips ratio checks when the stable versions have no figures', () => {
    expect(
      judgeCanary(GUARD, stats({ p95Ms: 9000 }), stats({ runs: 0, p95Ms: null, meanCostUsd: null })).breaches,
    ).toEqual([]);
  });
});
