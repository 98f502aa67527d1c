import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../src/gateway/errors.js';
import { GatewaySettingsSchema, parseGatewaySettings } from '../../../src/gateway/options.js';
import { resolveTargets } from '../../../src/gateway/targets.js';

const settings = GatewaySettingsSchema.parse({});
const messages = [{ role: 'user' as const, content: 'hi' }];

describe('resolveTargets', () => {
  it('defaults to openrouter and appends the fallbacks in order', () => {
    const targets = resolveTargets(
      {
        messages,
        model: { id: 'openai/gpt-4o-mini', options: { temperature: 0 } },
        opm: {
          fallbacks: [
            { model: 'anthropic/claude-3.5-haiku' },
            { model: 'gpt-4o-mini', provider: 'openai', options: { temperature: 1 } },
          ],
        },
      },
      settings,
    );
    expect(targets.map((t) => [t.provider, t.model, t.options.temperature])).toEqual([
      ['openrouter', 'openai/gpt-4o-mini', 0],
      ['openrouter', 'anthropic/claude-3.5-haiku', 0],
      ['openai', 'gpt-4o-mini', 1],
    ]);
  });

  it('treats a connection endpoint as an OpenAI-compatible server', () => {
    const [target] = resolveTargets(
      {
        messages,
        model: { id: 'llama3', connection: { kind: 'key', endpoint: 'http://localhost:11434/v1' } },
      },
      settings,
    );
    expect(target).toMatchObject({
      provider: 'openai-compatible',
      providerKey: 'openai-compatible@http://localhost:11434/v1',
    });
  });

  it('maps prompty provider aliases (azure, foundry) to azure_openai', () => {
    const [target] = resolveTargets({ messages, model: { id: 'gpt4', provider: 'foundry' } }, settings);
    expect(target?.provider).toBe('azure_openai');
  });

  it('files provider settings under canonical names', () => {
    const parsed = parseGatewaySettings({
      providers: { Azure: { apiKey: 'k' }, ollama: { baseURL: 'http://x/v1' } },
    });
    expect(Object.keys(parsed.providers)).toEqual(['azure_openai', 'ollama']);
  });

  it('lets a fallback without provider inherit the primary connection', () => {
    const connection = { endpoint: 'http://a/v1', apiKey: 'k' };
    const targets = resolveTargets(
      { messages, model: { id: 'a', connection }, opm: { fallbacks: [{ model: 'b' }] } },
      settings,
    );
    expect(targets[1]).toMatchObject({ provider: 'openai-compatible', connection });
  });

  it('applies the model override to the primary only', () => {
    const targets = resolveTargets(
      { messages, model: { id: 'a' }, modelOverride: 'z', opm: { fallbacks: [{ model: 'b' }] } },
      settings,
    );
    expect(targets.map((t) => t.model)).toEqual(['z', 'b']);
  });

  it('routes everything to forceProvider', () => {
    const forced = GatewaySettingsSchema.parse({ forceProvider: 'mock' });
    const targets = resolveTargets(
      {
        messages,
        model: { id: 'a', provider: 'openai' },
        opm: { fallbacks: [{ model: 'b', provider: 'azure' }] },
      },
      forced,
    );
    expect(targets.map((t) => t.provider)).toEqual(['mock', 'mock']);
  });

  it('rejects invalid fallbacks with gateway.config', () => {
    expect(() =>
      resolveTargets({ messages, model: { id: 'a' }, opm: { fallbacks: [{ provider: 'x' }] } }, settings),
    ).toThrow(expect.objectContaining({ code: 'gateway.config' }));
  });

  it('refuses embedding and image prompts', () => {
    expect(() => resolveTargets({ messages, model: { id: 'e', apiType: 'embedding' } }, settings)).toThrow(
      expect.objectContaining({ code: 'gateway.config' }),
    );
  });

  it('needs a model id except for echo and mock', () => {
    expect(() => resolveTargets({ messages, model: {} }, settings)).toThrow(GatewayError);
    const [target] = resolveTargets({ messages, model: { provider: 'echo' } }, settings);
    expect(target?.model).toBe('echo');
  });
});
