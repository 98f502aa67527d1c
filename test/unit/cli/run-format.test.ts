import { describe, expect, it } from 'vitest';
import { formatCost, formatMs, formatTokens, outputText, quantile } from '../../../src/cli/run-format.js';

describe('run-format', () => {
  it('prints small costs with three significant digits and larger ones with four decimals', () => {
    expect(formatCost(0.000123)).toBe('$0.000123');
    expect(formatCost(1.5)).toBe('$1.5000');
    expect(formatCost(null)).toBe('-');
  });

  it('prints durations in ms, and in seconds from 10 s', () => {
    expect(formatMs(812.4)).toBe('812 ms');
    expect(formatMs(12_345)).toBe('12.3 s');
    expect(formatMs(undefined)).toBe('-');
  });

  it('prints token counts as in→out', () => {
    expect(formatTokens({ inputTokens: 12, outputTokens: 3 })).toBe('12→3');
    expect(formatTokens({ inputTokens: null, outputTokens: null })).toBe('-');
  });

  it('prefers the parsed structured output over the raw text', () => {
    expect(outputText({ text: '{"a":1}', json: { a: 1 } })).toBe('{\n  "a": 1\n}');
    expect(outputText({ text: 'hello', json: null })).toBe('hello');
  });

  it('picks quantiles by nearest rank', () => {
    expect(quantile([5, 1, 3, 2, 4], 0.5)).toBe(3);
    expect(quantile([1, 2, 3, 4], 0.95)).toBe(4);
    expect(quantile([], 0.5)).toBeNull();
  });
});
