import { describe, expect, it } from 'vitest';
import { parseSince, statsTable } from '../../../src/cli/commands/stats.js';

const NOW = Date.parse('2026-11-22T12:00:00.000Z');

describe('opm stats --since', () => {
  it('reads durations back from now', () => {
    expect(parseSince('24h', NOW).toISOString()).toBe('2026-11-21T12:00:00.000Z');
    expect(parseSince('30m', NOW).toISOString()).toBe('2026-11-22T11:30:00.000Z');
    expect(parseSince('7d', NOW).toISOString()).toBe('2026-11-15T12:00:00.000Z');
    expect(parseSince('90s', NOW).toISOString()).toBe('2026-11-22T11:58:30.000Z');
  });

  it('reads ISO dates as they are', () => {
    expect(parseSince('2026-11-01', NOW).toISOString()).toBe('2026-11-01T00:00:00.000Z');
  });

  it('rejects anything else with cli.invalid_option', () => {
    expect(() => parseSince('yesterday', NOW)).toThrow(
      expect.objectContaining({ code: 'cli.invalid_option' }),
    );
    expect(() => parseSince('5y', NOW)).toThrow(/--since/);
  });
});

describe('opm stats table', () => {
  it('prints one aligned line per group with percentages, milliseconds and USD', () => {
    const lines = statsTable(
      [
        {
          group: 'openai/gpt-4o-mini',
          count: 120,
          completed: 117,
          failed: 3,
          errorRate: 0.025,
          latencyMs: { p50: 812.4, p95: 2_050, p99: null },
          llmLatencyMs: { p50: 700, p95: 1_900, p99: null },
          tokensIn: 3_600,
          tokensOut: 480,
          costUsd: 0.01234,
          fallbackRate: 0.05,
        },
      ],
      'model',
    );
    expect(lines[0]).toMatch(
      /^MODEL\s+COUNT\s+ERRORS\s+P50\s+P95\s+P99\s+TOKENS IN\s+TOKENS OUT\s+COST USD\s+FALLBACK$/,
    );
    expect(lines[1]).toMatch(
      /^openai\/gpt-4o-mini\s+120\s+2\.5%\s+812ms\s+2050ms\s+-\s+3600\s+480\s+0\.0123\s+5\.0%$/,
    );
    expect(lines[0]?.length).toBe(lines[1]?.length);
  });
});
