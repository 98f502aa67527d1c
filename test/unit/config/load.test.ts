import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, safeLoadConfig } from '../../../src/config/index.js';

let cwd: string;
beforeEach(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'opm-config-'));
});

async function writeConfigFile(content: unknown, name = 'opm.config.json'): Promise<string> {
  const path = join(cwd, name);
  await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('returns the documented defaults for an empty environment', () => {
    const config = loadConfig({ env: {}, cwd });
    expect(config).toMatchObject({
      promptsDir: join(cwd, 'prompts'),
      redisUrl: 'redis://127.0.0.1:6379',
      dataDir: join(cwd, '.opm'),
      queuePrefix: 'opm',
      queueName: 'prompt-runs',
      worker: { concurrency: 16, lockDurationMs: 30_000, stalledIntervalMs: 30_000, maxStalledCount: 1 },
      jobs: { attempts: 3, backoffDelayMs: 1000 },
      gateway: {
        defaultProvider: 'echo',
        providers: {},
        retry: { maxAttemptsPerModel: 3, baseDelayMs: 500, maxDelayMs: 8000, maxInPlaceWaitMs: 2000 },
        attemptTimeoutMs: 60_000,
        breaker: { threshold: 5, halfOpenAfterMs: 30_000 },
        rateLimits: {},
        prices: {},
      },
      webhooks: [],
      telemetryEnabled: false,
    });
    expect(config.databaseUrl).toBeUndefined();
    expect(config.metricsPort).toBeUndefined();
  });

  it('reads settings from the environment and coerces numbers and booleans', () => {
    const config = loadConfig({
      cwd,
      env: {
        OPM_PROMPTS_DIR: '/srv/prompts',
        REDIS_URL: 'redis://cache:6380/2',
        DATABASE_URL: 'postgres://opm@db:5432/opm',
        OPM_DATABASE_SCHEMA: 'test-1234',
        OPM_CONCURRENCY: ' 64 ',
        OPM_METRICS_PORT: '9464',
        OPM_TELEMETRY_ENABLED: 'yes',
        OPENROUTER_API_KEY: 'sk-or-1',
        OPM_APP_URL: 'https://example.test',
        OPM_APP_NAME: 'Example',
      },
    });
    expect(config).toMatchObject({
      promptsDir: '/srv/prompts',
      redisUrl: 'redis://cache:6380/2',
      databaseUrl: 'postgres://opm@db:5432/opm',
      databaseSchema: 'test-1234',
      worker: { concurrency: 64 },
      metricsPort: 9464,
      telemetryEnabled: true,
      gateway: {
        defaultProvider: 'openrouter',
        providers: { openrouter: { apiKey: 'sk-or-1', referer: 'https://example.test', title: 'Example' } },
      },
    });
  });

  it('treats empty environment variables as unset', () => {
    const config = loadConfig({
      cwd,
      env: { DATABASE_URL: '', OPM_CONCURRENCY: '  ', OPENROUTER_API_KEY: '' },
    });
    expect(config.databaseUrl).toBeUndefined();
    expect(config.worker.concurrency).toBe(16);
    expect(config.gateway.defaultProvider).toBe('echo');
    expect(config.gateway.providers).toEqual({});
  });

  it('picks the default provider from the credentials present unless one is named', () => {
    expect(loadConfig({ cwd, env: { OPENAI_API_KEY: 'sk' } }).gateway.defaultProvider).toBe('openai');
    const azure = { AZURE_OPENAI_ENDPOINT: 'https://r.openai.azure.com', AZURE_OPENAI_API_KEY: 'k' };
    expect(loadConfig({ cwd, env: azure }).gateway.defaultProvider).toBe('azure_openai');
    const named = { OPENROUTER_API_KEY: 'sk', OPM_DEFAULT_PROVIDER: 'mock' };
    expect(loadConfig({ cwd, env: named }).gateway.defaultProvider).toBe('mock');
  });

  it('reads opm.config.json from cwd and lets the environment override it', async () => {
    await writeConfigFile({
      queuePrefix: 'from-file',
      worker: { concurrency: 8 },
      gateway: {
        providers: { local: { baseURL: 'http://127.0.0.1:11434/v1', maxTokensField: 'max_tokens' } },
        rateLimits: { 'openrouter:openai/gpt-4o-mini': { rpm: 60, tpm: 100_000 } },
        prices: { 'openai/gpt-4o-mini': { inputPerMTok: 0.15, outputPerMTok: 0.6 } },
      },
      webhooks: [{ url: 'https://hooks.test/opm', slugPattern: 'acme/**', secret: 's3cret' }],
    });
    const config = loadConfig({ cwd, env: { OPM_CONCURRENCY: '4', OPENAI_API_KEY: 'sk-env' } });
    expect(config.queuePrefix).toBe('from-file');
    expect(config.worker.concurrency).toBe(4);
    expect(config.gateway.rateLimits).toEqual({ 'openrouter:openai/gpt-4o-mini': { rpm: 60, tpm: 100_000 } });
    expect(config.gateway.providers).toEqual({
      local: { baseURL: 'http://127.0.0.1:11434/v1', maxTokensField: 'max_tokens' },
      openai: { apiKey: 'sk-env' },
    });
    expect(config.gateway.defaultProvider).toBe('openai');
    expect(config.gateway.prices['openai/gpt-4o-mini']).toEqual({ inputPerMTok: 0.15, outputPerMTok: 0.6 });
    expect(config.webhooks).toEqual([
      {
        url: 'https://hooks.test/opm',
        slugPattern: 'acme/**',
        secret: 's3cret',
        events: ['completed', 'failed'],
      },
    ]);
  });

  it('uses the file named by OPM_CONFIG or the file option', async () => {
    const path = await writeConfigFile({ queueName: 'named-queue' }, 'custom.json');
    expect(loadConfig({ cwd, env: { OPM_CONFIG: 'custom.json' } }).queueName).toBe('named-queue');
    expect(loadConfig({ cwd, env: {}, file: path }).queueName).toBe('named-queue');
  });

  it('ignores opm.config.json when file is false', async () => {
    await writeConfigFile({ queuePrefix: 'from-file' });
    expect(loadConfig({ cwd, env: {}, file: false }).queuePrefix).toBe('opm');
  });

  it('reports every invalid setting at once, naming where each came from', async () => {
    const path = await writeConfigFile({
      worker: { concurrency: 0 },
      webhooks: [{ url: 'not a url' }],
      typo: 1,
    });
    const error = configError(() =>
      loadConfig({
        cwd,
        env: { REDIS_URL: 'http://wrong', OPM_METRICS_PORT: 'abc', OPM_TELEMETRY_ENABLED: 'maybe' },
      }),
    );
    expect(error.code).toBe('config.invalid');
    expect(error.retryable).toBe(false);
    const byPath = Object.fromEntries(error.issues.map((issue) => [issue.path, issue]));
    expect(Object.keys(byPath).sort()).toEqual(
      [
        '',
        'metricsPort',
        'redisUrl',
        'telemetryEnabled',
        'webhooks.0.secret',
        'webhooks.0.url',
        'worker.concurrency',
      ].sort(),
    );
    expect(byPath.redisUrl).toMatchObject({
      source: 'env REDIS_URL',
      message: expect.stringContaining('redis://'),
    });
    expect(byPath.metricsPort).toMatchObject({
      source: 'env OPM_METRICS_PORT',
      message: 'expected an integer',
    });
    expect(byPath.telemetryEnabled?.message).toBe('expected true or false');
    expect(byPath['worker.concurrency']).toMatchObject({ source: `file ${path}`, message: 'must be >= 1' });
    expect(byPath['']?.message).toContain('typo');
    expect(error.details).toEqual({ issues: error.issues });
    expect(error.message).toContain('worker.concurrency');
    expect(error.message).toContain('OPM_METRICS_PORT');
  });

  it('rejects a non-integer number from the environment', () => {
    const error = configError(() => loadConfig({ cwd, env: { OPM_CONCURRENCY: '2.5' } }));
    expect(error.issues).toEqual([
      { path: 'worker.concurrency', source: 'env OPM_CONCURRENCY', message: 'expected an integer' },
    ]);
  });

  it('fails with config.file for a missing named file or invalid JSON', async () => {
    expect(configError(() => loadConfig({ cwd, env: {}, file: 'nope.json' })).code).toBe('config.file');
    await writeConfigFile('{ not json');
    const error = configError(() => loadConfig({ cwd, env: {} }));
    expect(error.code).toBe('config.file');
    expect(error.message).toContain('not valid JSON');
  });

  it('returns the error as a value from safeLoadConfig', () => {
    const result = safeLoadConfig({ cwd, env: { OPM_QUEUE_NAME: 'bad:name' } });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.issues[0]?.path).toBe('queueName');
  });
});
