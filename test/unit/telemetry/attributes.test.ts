import { describe, expect, it } from 'vitest';
import {
  DURATION_BUCKETS,
  GEN_AI,
  GEN_AI_SEMCONV_VERSION,
  genAiProviderName,
  METRIC,
  OPM,
  TOKEN_USAGE_BUCKETS,
} from '../../../src/telemetry/index.js';

describe('telemetry attribute names', () => {
  it('pins the GenAI conventions to v1.41.0', () => {
    expect(GEN_AI_SEMCONV_VERSION).toBe('1.41.0');
  });

  it('uses the v1.41.0 names, not the deprecated ones', () => {
    expect(GEN_AI.providerName).toBe('gen_ai.provider.name');
    expect(GEN_AI.usageInputTokens).toBe('gen_ai.usage.input_tokens');
    expect(GEN_AI.usageOutputTokens).toBe('gen_ai.usage.output_tokens');
    expect(Object.values(GEN_AI)).not.toContain('gen_ai.system');
    expect(Object.values(GEN_AI)).not.toContain('gen_ai.usage.prompt_tokens');
    expect(METRIC.tokenUsage).toBe('gen_ai.client.token.usage');
    expect(METRIC.operationDuration).toBe('gen_ai.client.operation.duration');
  });

  it('keeps every opm attribute under the opm.* namespace', () => {
    for (const name of Object.values(OPM)) expect(name).toMatch(/^opm\.[a-z_.]+$/);
  });

  it('uses the bucket boundaries the conventions give', () => {
    expect(TOKEN_USAGE_BUCKETS).toEqual([
      1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
    ]);
    expect(DURATION_BUCKETS).toEqual([
      0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
    ]);
  });

  it('maps provider names onto the well-known gen_ai.provider.name values, keeping custom ones', () => {
    expect(genAiProviderName('openai')).toBe('openai');
    expect(genAiProviderName('azure_openai')).toBe('azure.ai.openai');
    expect(genAiProviderName('openrouter')).toBe('openrouter');
    expect(genAiProviderName('mock')).toBe('mock');
  });
});
