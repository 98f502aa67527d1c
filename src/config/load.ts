import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { err, ok, type Result } from '../errors/index.js';
import { ConfigError, type ConfigIssue } from './errors.js';
import { type OpmConfig, OpmConfigSchema } from './schema.js';

/** Which environment variable sets which setting. Everything else comes from the file. */
export const ENV_BINDINGS = {
  OPM_PROMPTS_DIR: 'promptsDir',
  REDIS_URL: 'redisUrl',
  DATABASE_URL: 'databaseUrl',
  OPM_DATABASE_SCHEMA: 'databaseSchema',
  OPM_DATA_DIR: 'dataDir',
  OPM_QUEUE_PREFIX: 'queuePrefix',
  OPM_QUEUE_NAME: 'queueName',
  OPM_CONCURRENCY: 'worker.concurrency',
  OPM_LOCK_DURATION_MS: 'worker.lockDurationMs',
  OPM_STALLED_INTERVAL_MS: 'worker.stalledIntervalMs',
  OPM_MAX_STALLED_COUNT: 'worker.maxStalledCount',
  OPM_SHUTDOWN_TIMEOUT_MS: 'worker.shutdownTimeoutMs',
  OPM_JOB_ATTEMPTS: 'jobs.attempts',
  OPM_JOB_BACKOFF_MS: 'jobs.backoffDelayMs',
  OPM_DEFAULT_PROVIDER: 'gateway.defaultProvider',
  OPM_FORCE_PROVIDER: 'gateway.forceProvider',
  OPENROUTER_API_KEY: 'gateway.providers.openrouter.apiKey',
  OPM_APP_URL: 'gateway.providers.openrouter.referer',
  OPM_APP_NAME: 'gateway.providers.openrouter.title',
  OPENAI_API_KEY: 'gateway.providers.openai.apiKey',
  OPENAI_BASE_URL: 'gateway.providers.openai.baseURL',
  AZURE_OPENAI_ENDPOINT: 'gateway.providers.azure_openai.endpoint',
  AZURE_OPENAI_API_KEY: 'gateway.providers.azure_openai.apiKey',
  AZURE_OPENAI_API_VERSION: 'gateway.providers.azure_openai.apiVersion',
  OPM_RETRY_MAX_ATTEMPTS: 'gateway.retry.maxAttemptsPerModel',
  OPM_RETRY_BASE_DELAY_MS: 'gateway.retry.baseDelayMs',
  OPM_RETRY_MAX_DELAY_MS: 'gateway.retry.maxDelayMs',
  OPM_ATTEMPT_TIMEOUT_MS: 'gateway.attemptTimeoutMs',
  OPM_API_PORT: 'api.port',
  OPM_API_HOST: 'api.host',
  OPM_ADMIN_KEY: 'api.adminKey',
  OPM_API_BODY_LIMIT_BYTES: 'api.bodyLimitBytes',
  OPM_API_RATE_LIMIT_PER_MINUTE: 'api.rateLimitPerMinute',
  OPM_METRICS_PORT: 'metricsPort',
  OPM_TELEMETRY_ENABLED: 'telemetryEnabled',
  OPM_TELEMETRY_CAPTURE_CONTENT: 'telemetryCaptureContent',
  OTEL_EXPORTER_OTLP_ENDPOINT: 'otel.endpoint',
  OTEL_EXPORTER_OTLP_PROTOCOL: 'otel.protocol',
  OTEL_METRICS_EXPORTER: 'otel.metricsExporter',
  OTEL_METRIC_EXPORT_INTERVAL: 'otel.metricExportIntervalMs',
  OTEL_SERVICE_NAME: 'otel.serviceName',
} as const;

/** The file looked for in `cwd` when neither `file` nor `OPM_CONFIG` names one. */
export const DEFAULT_CONFIG_FILE = 'opm.config.json';

/** Options for {@link loadConfig}. */
export interface LoadConfigOptions {
  /** The environment to read. @default process.env */
  env?: Readonly<Record<string, string | undefined>>;
  /** Base for relative paths and the config file. @default process.cwd() */
  cwd?: string;
  /**
   * A JSON config file (must exist), or `false` for none.
   * @default `OPM_CONFIG` if set, else `opm.config.json` in `cwd` when it exists
   */
  file?: string | false;
}

type Tree = Record<string, unknown>;

function isTree(value: unknown): value is Tree {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Empty strings mean "unset" wherever they appear. */
function dropEmptyStrings(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropEmptyStrings);
  if (!isTree(value)) return value;
  const out: Tree = {};
  for (const [key, inner] of Object.entries(value)) {
    if (inner === '' || (typeof inner === 'string' && inner.trim() === '')) continue;
    out[key] = dropEmptyStrings(inner);
  }
  return out;
}

function setPath(tree: Tree, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = tree;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (isTree(next)) {
      node = next;
    } else {
      const created: Tree = {};
      node[key] = created;
      node = created;
    }
  }
  node[keys.at(-1) as string] = value;
}

function merge(base: unknown, overlay: Tree): Tree {
  const out: Tree = isTree(base) ? { ...base } : {};
  for (const [key, value] of Object.entries(overlay)) {
    out[key] = isTree(value) && isTree(out[key]) ? merge(out[key], value) : value;
  }
  return out;
}

function readConfigFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError('config.file', [{ path: '', source: `file ${path}`, message: String(error) }], {
      cause: error,
    });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = `not valid JSON: ${error instanceof Error ? error.message : String(error)}`;
    throw new ConfigError('config.file', [{ path: '', source: `file ${path}`, message }], { cause: error });
  }
}

function locateFile(
  options: LoadConfigOptions,
  env: LoadConfigOptions['env'],
  cwd: string,
): string | undefined {
  if (options.file === false) return undefined;
  const named = options.file ?? (env?.OPM_CONFIG?.trim() || undefined);
  if (named !== undefined) return resolve(cwd, named);
  const fallback = resolve(cwd, DEFAULT_CONFIG_FILE);
  return existsSync(fallback) ? fallback : undefined;
}

/**
 * Reads the configuration once: the optional JSON file, overridden by environment variables
 * ({@link ENV_BINDINGS}), then defaults. Empty values count as unset. Throws one ConfigError that
 * lists every invalid setting. This is the only place opm reads `process.env`.
 *
 * @example
 * const config = loadConfig(); // env + ./opm.config.json
 * const config = loadConfig({ env: { OPM_CONCURRENCY: '4' }, cwd: tmp, file: false }); // tests
 */
export function loadConfig(options: LoadConfigOptions = {}): OpmConfig {
  const result = safeLoadConfig(options);
  if (!result.ok) throw result.error;
  return result.value;
}

/** {@link loadConfig} returning the ConfigError as a value instead of throwing it. */
export function safeLoadConfig(options: LoadConfigOptions = {}): Result<OpmConfig, ConfigError> {
  const env = options.env ?? process.env;
  const cwd = resolve(options.cwd ?? process.cwd());
  let fileTree: unknown = {};
  let filePath: string | undefined;
  try {
    filePath = locateFile(options, env, cwd);
    if (filePath !== undefined) fileTree = dropEmptyStrings(readConfigFile(filePath));
  } catch (error) {
    if (error instanceof ConfigError) return err(error);
    throw error;
  }
  if (!isTree(fileTree)) {
    return err(
      new ConfigError('config.file', [
        { path: '', source: `file ${filePath}`, message: 'expected a JSON object' },
      ]),
    );
  }

  const envTree: Tree = {};
  const envSources = new Map<string, string>();
  for (const [name, path] of Object.entries(ENV_BINDINGS)) {
    const value = env[name];
    if (value === undefined || value.trim() === '') continue;
    setPath(envTree, path, value);
    envSources.set(path, name);
  }

  const parsed = OpmConfigSchema.safeParse(merge(fileTree, envTree));
  if (!parsed.success) {
    const issues: ConfigIssue[] = parsed.error.issues.map((issue) => {
      const path = issue.path.map(String).join('.');
      const envName = envSources.get(path);
      const source =
        envName !== undefined ? `env ${envName}` : filePath !== undefined ? `file ${filePath}` : 'default';
      return { path, source, message: issue.message };
    });
    return err(new ConfigError('config.invalid', issues));
  }
  const config = parsed.data;
  return ok({
    ...config,
    promptsDir: isAbsolute(config.promptsDir) ? config.promptsDir : resolve(cwd, config.promptsDir),
    dataDir: isAbsolute(config.dataDir) ? config.dataDir : resolve(cwd, config.dataDir),
  });
}
