import { isRecord, type NormalizeContext, type Path, warn } from './normalize-shared.js';

type Data = Record<string, unknown>;

/** v2 `ModelOptions` fields; everything else travels in `additionalProperties`. */
const V2_OPTION_KEYS = new Set([
  'temperature',
  'maxOutputTokens',
  'topP',
  'topK',
  'frequencyPenalty',
  'presencePenalty',
  'seed',
  'stopSequences',
  'allowMultipleToolCalls',
  'additionalProperties',
]);

/** v1 `parameters` / 1.0-beta `options` names → v2 names (migration.mdx key map). */
const LEGACY_OPTION_NAMES: Readonly<Record<string, string>> = {
  max_tokens: 'maxOutputTokens',
  max_completion_tokens: 'maxOutputTokens',
  top_p: 'topP',
  top_k: 'topK',
  frequency_penalty: 'frequencyPenalty',
  presence_penalty: 'presencePenalty',
  stop: 'stopSequences',
  seed: 'seed',
  temperature: 'temperature',
};

/**
 * Maps v1 `parameters` (or 1.0-beta `options`) onto v2 options. OpenAI request fields with no v2
 * name (`response_format`, `tools`, `tool_choice`…) are passed through in `additionalProperties`.
 */
export function normalizeLegacyOptions(parameters: Data | null | undefined): Data {
  const options: Data = {};
  const additional: Data = {};
  for (const [key, value] of Object.entries(parameters ?? {})) {
    const target = LEGACY_OPTION_NAMES[key];
    if (target === 'stopSequences' && typeof value === 'string') options[target] = [value];
    else if (target !== undefined) options[target] = value;
    else
      Object.defineProperty(additional, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return Object.keys(additional).length > 0 ? { ...options, additionalProperties: additional } : options;
}

/** Keeps v2 options; unknown keys move to `additionalProperties` with a warning. */
export function normalizeV2Options(
  raw: Data | null | undefined,
  context: NormalizeContext,
  path: Path,
): Data {
  const options: Data = {};
  const additional: Data = isRecord(raw?.additionalProperties) ? { ...raw.additionalProperties } : {};
  for (const [key, value] of Object.entries(raw ?? {})) {
    if (key === 'additionalProperties') continue;
    if (V2_OPTION_KEYS.has(key)) {
      options[key] = value;
      continue;
    }
    warn(
      context,
      'prompty.unknown_field',
      [...path, key],
      `Unknown model option '${key}' passed through in additionalProperties`,
    );
    Object.defineProperty(additional, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return raw?.additionalProperties !== undefined || Object.keys(additional).length > 0
    ? { ...options, additionalProperties: additional }
    : options;
}

const PROVIDERS: Readonly<Record<string, string>> = {
  azure: 'azure_openai',
  azure_openai: 'azure_openai',
  azure_open_ai: 'azure_openai',
  azure_beta: 'azure_openai',
  azure_openai_beta: 'azure_openai',
  openai: 'openai',
  serverless: 'serverless',
  azure_serverless: 'serverless',
};

/** The v2 provider a v1 `configuration.type` names; unknown types are kept as written. */
export function providerFromType(type: unknown): string | undefined {
  if (typeof type !== 'string' || type === '') return undefined;
  return PROVIDERS[type] ?? type;
}

/** Which v1 configuration fields hold the endpoint, key and model id, by `configuration.type`. */
function legacyFields(type: unknown): { endpoint: string[]; apiKey: string[]; id: string[] } {
  switch (providerFromType(type)) {
    case 'serverless':
      return { endpoint: ['endpoint'], apiKey: ['key', 'api_key'], id: ['model', 'azure_deployment'] };
    case 'openai':
      return { endpoint: ['base_url', 'endpoint'], apiKey: ['api_key', 'key'], id: ['name', 'model'] };
    default:
      return {
        endpoint: ['azure_endpoint', 'endpoint', 'base_url'],
        apiKey: ['api_key', 'key'],
        id: ['azure_deployment', 'model', 'name'],
      };
  }
}

function firstOf(record: Data, keys: string[]): unknown {
  for (const key of keys) if (record[key] !== undefined && record[key] !== null) return record[key];
  return undefined;
}

/**
 * Turns a v1 `configuration` (or 1.0-beta `connection`) into a v2 connection. Every original field
 * is kept (the gateway may need `azure_deployment`, `api_version`…); `kind`, `endpoint` and `apiKey`
 * are added in v2 terms: `reference` for a named promptflow connection, `key` when a key is given,
 * else `anonymous` (v1 then used Entra ID / the default Azure credential).
 */
export function legacyConnection(configuration: Data, promptflowConnection?: string): Data {
  const fields = legacyFields(configuration.type);
  const named = promptflowConnection ?? configuration.connection;
  const endpoint = firstOf(configuration, fields.endpoint);
  const apiKey = firstOf(configuration, fields.apiKey);
  const kind = typeof named === 'string' ? 'reference' : apiKey !== undefined ? 'key' : 'anonymous';
  return {
    ...configuration,
    kind,
    ...(typeof named === 'string' ? { name: named } : {}),
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(apiKey === undefined ? {} : { apiKey }),
  };
}

/** The model id a v1 configuration implies: Azure deployment, serverless model or OpenAI name. */
export function legacyModelId(configuration: Data, parameters: Data = {}): string | undefined {
  const id = firstOf(configuration, legacyFields(configuration.type).id) ?? parameters.deployment_name;
  return typeof id === 'string' ? id : undefined;
}
