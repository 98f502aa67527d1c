import { describe, expect, it } from 'vitest';
import { computeCostUsd } from '../../../src/gateway/cost.js';

const usage = { inputTokens: 2_000, outputTokens: 500 };
const prices = { 'openai/gpt-4o-mini': { inputPerMTok: 0.15, outputPerMTok: 0.6 } };

describe('computeCostUsd', () => {
  it('uses the cost the provider reported', () => {
    expect(computeCostUsd({ usage, reportedCostUsd: 0.0123, models: ['openai/gpt-4o-mini'], prices })).toBe(
      0.0123,
    );
  });

  it('prices tokens from the table when the provider reports nothing', () => {
    const cost = computeCostUsd({ usage, reportedCostUsd: null, models: ['openai/gpt-4o-mini'], prices });
    expect(cost).toBeCloseTo((2_000 * 0.15 + 500 * 0.6) / 1_000_000, 12);
  });

  it('looks models up in order (answered model first, then requested)', () => {
    const cost = computeCostUsd({
      usage,
      reportedCostUsd: null,
      models: ['unknown', 'openai/gpt-4o-mini'],
      prices,
    });
    expect(cost).toBeGreaterThan(0);
  });

  it('returns null when the cost is unknown', () => {
    expect(computeCostUsd({ usage, reportedCostUsd: null, models: ['other'], prices })).toBeNull();
  });
});
