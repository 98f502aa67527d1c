/** @module config — the one validated configuration, read from the environment and opm.config.json. */

export type { ConfigIssue } from './errors.js';
export { ConfigError } from './errors.js';
export type { LoadConfigOptions } from './load.js';
export { DEFAULT_CONFIG_FILE, ENV_BINDINGS, loadConfig, safeLoadConfig } from './load.js';
export type {
  ApiConfig,
  GatewayConfig,
  OpmConfig,
  OpmConfigInput,
  Price,
  ProviderConfig,
  RateLimit,
  WebhookConfig,
} from './schema.js';
export {
  ApiConfigSchema,
  defineConfig,
  GatewayConfigSchema,
  JobsConfigSchema,
  OpmConfigSchema,
  PriceSchema,
  ProviderConfigSchema,
  RateLimitSchema,
  WebhookConfigSchema,
  WorkerConfigSchema,
} from './schema.js';
