import { GatewayError } from '../errors.js';
import type { GatewaySettings } from '../options.js';
import { createEchoProvider } from './echo.js';
import { createMockProvider } from './mock.js';
import { createOpenAICompatibleProvider } from './openai-compatible.js';
import type { Provider } from './types.js';

export type { Provider, ProviderCall, ProviderReply } from './types.js';

/** Provider names that work without an entry in `providers` (given a key or endpoint where needed). */
export const BUILT_IN_PROVIDERS = [
  'openrouter',
  'openai',
  'azure_openai',
  'openai-compatible',
  'echo',
  'mock',
] as const;

export interface ProviderRegistry {
  /** The provider for a canonical name; throws `gateway.config` for an unknown one. */
  get(name: string): Provider;
  close(): Promise<void>;
}

/** Creates providers lazily, one per name, so an unused provider needs no configuration. */
export function createProviderRegistry(settings: GatewaySettings, random: () => number): ProviderRegistry {
  const providers = new Map<string, Provider>();
  const create = (name: string): Provider => {
    if (name === 'echo') return createEchoProvider();
    if (name === 'mock') return createMockProvider(settings.mock, random);
    const configured = settings.providers[name];
    if (!configured && !(BUILT_IN_PROVIDERS as readonly string[]).includes(name)) {
      throw new GatewayError(
        'gateway.config',
        `unknown provider "${name}": configure providers.${name}.baseURL`,
        {
          details: { provider: name },
        },
      );
    }
    return createOpenAICompatibleProvider({
      name,
      settings: configured,
      timeoutMs: settings.attemptTimeoutMs + 1_000,
    });
  };
  return {
    get(name) {
      let provider = providers.get(name);
      if (!provider) {
        provider = create(name);
        providers.set(name, provider);
      }
      return provider;
    },
    async close() {
      await Promise.all([...providers.values()].map((p) => p.close()));
      providers.clear();
    },
  };
}
