import OpenAI, { AzureOpenAI } from 'openai';
import { GatewayError } from '../errors.js';
import type { ProviderSettings } from '../options.js';
import { buildChatRequest, type ChatRequestBody } from '../request-mapping.js';
import { API_KEY_KEYS, connectionString, ENDPOINT_KEYS } from '../targets.js';
import type { Target } from '../types.js';
import type { Provider, ProviderCall, ProviderReply } from './types.js';

const OPENROUTER_BASE_URL = 'https://openrouter.ai/api/v1';
const AZURE_API_VERSION = '2024-10-21';
/** Providers that speak OpenAI's own dialect (strict about unknown fields, `max_completion_tokens`). */
const OPENAI_DIALECT = new Set(['openai', 'azure_openai']);

export interface OpenAICompatibleOptions {
  /** Provider name: `openrouter`, `openai`, `azure_openai`, `openai-compatible` or a custom one. */
  name: string;
  settings: ProviderSettings | undefined;
  /** The SDK's own timeout, a backstop behind the gateway's attempt timer. */
  timeoutMs: number;
}

/**
 * Any OpenAI-compatible chat-completions API through the real `openai` SDK. The SDK's own retries
 * are off (`maxRetries: 0`): the gateway is the one retry loop, so attempts do not multiply.
 */
export function createOpenAICompatibleProvider(options: OpenAICompatibleOptions): Provider {
  const { name, settings } = options;
  const clients = new Map<string, OpenAI>();
  const isOpenRouter = name === 'openrouter';
  const isStreaming = settings?.stream ?? false;

  const clientFor = (target: Target): OpenAI => {
    const endpoint = connectionString(target.connection, ENDPOINT_KEYS);
    const apiKey = connectionString(target.connection, API_KEY_KEYS) ?? settings?.apiKey;
    const deployment = connectionString(target.connection, ['deployment', 'azure_deployment']);
    // Azure binds the deployment (by default the model) into the client's URL; others share one client.
    const deploymentKey = name === 'azure_openai' ? (deployment ?? target.model) : '';
    const cacheKey = JSON.stringify([endpoint, apiKey, deploymentKey]);
    const cached = clients.get(cacheKey);
    if (cached) return cached;
    const client = createClient(name, settings, {
      endpoint,
      apiKey,
      deployment,
      target,
      timeoutMs: options.timeoutMs,
    });
    clients.set(cacheKey, client);
    return client;
  };

  return {
    async call({ target, messages, responseFormat, signal }: ProviderCall): Promise<ProviderReply> {
      const client = clientFor(target);
      const body = buildChatRequest({
        model: target.model,
        messages,
        options: target.options,
        maxTokensField:
          settings?.maxTokensField ?? (OPENAI_DIALECT.has(name) ? 'max_completion_tokens' : 'max_tokens'),
        isTopKAccepted: !OPENAI_DIALECT.has(name),
        responseFormat,
        // Usage accounting: a no-op on today's OpenRouter (cost always comes back) but kept for older deployments.
        extraBody: isOpenRouter ? { usage: { include: true } } : undefined,
      });
      return isStreaming
        ? callStreaming(client, body, target, signal)
        : callOnce(client, body, target, signal);
    },
    close: async () => {
      clients.clear();
    },
  };
}

interface ClientParts {
  endpoint: string | undefined;
  apiKey: string | undefined;
  deployment: string | undefined;
  target: Target;
  timeoutMs: number;
}

function createClient(name: string, settings: ProviderSettings | undefined, parts: ClientParts): OpenAI {
  const common = {
    maxRetries: 0,
    timeout: parts.timeoutMs,
    logLevel: 'off' as const,
    defaultHeaders: { ...attributionHeaders(name, settings), ...settings?.headers },
  };
  if (name === 'azure_openai') {
    const endpoint = parts.endpoint ?? settings?.endpoint ?? settings?.baseURL;
    const apiKey = requireKey(name, parts.apiKey);
    if (!endpoint)
      throw configError(
        name,
        'needs an endpoint (model.connection.endpoint or providers.azure_openai.endpoint)',
      );
    return new AzureOpenAI({
      ...common,
      endpoint,
      apiKey,
      deployment: parts.deployment ?? settings?.deployment ?? parts.target.model,
      apiVersion:
        connectionString(parts.target.connection, ['apiVersion', 'api_version']) ??
        settings?.apiVersion ??
        AZURE_API_VERSION,
    });
  }
  const baseURL =
    parts.endpoint ?? settings?.baseURL ?? (name === 'openrouter' ? OPENROUTER_BASE_URL : undefined);
  if (!baseURL && name !== 'openai') {
    throw configError(name, `needs a base URL (model.connection.endpoint or providers.${name}.baseURL)`);
  }
  // A prompt pointing at its own endpoint (Ollama, vLLM) may need no key, but the SDK insists on one.
  const isKeyRequired = (name === 'openrouter' || name === 'openai') && parts.endpoint === undefined;
  const apiKey = isKeyRequired ? requireKey(name, parts.apiKey) : (parts.apiKey ?? 'unused');
  return new OpenAI({
    ...common,
    apiKey,
    ...(baseURL ? { baseURL } : {}),
    ...(settings?.organization ? { organization: settings.organization } : {}),
    ...(settings?.project ? { project: settings.project } : {}),
  });
}

function attributionHeaders(name: string, settings: ProviderSettings | undefined): Record<string, string> {
  if (name !== 'openrouter') return {};
  return {
    ...(settings?.referer ? { 'HTTP-Referer': settings.referer } : {}),
    ...(settings?.title ? { 'X-Title': settings.title } : {}),
  };
}

function requireKey(name: string, apiKey: string | undefined): string {
  if (apiKey) return apiKey;
  const hint = name === 'openrouter' ? ' (set OPENROUTER_API_KEY)' : '';
  throw configError(name, `has no API key${hint}`);
}

function configError(provider: string, message: string): GatewayError {
  return new GatewayError('gateway.config', `provider ${provider} ${message}`, { details: { provider } });
}

async function callOnce(
  client: OpenAI,
  body: ChatRequestBody,
  target: Target,
  signal: AbortSignal,
): Promise<ProviderReply> {
  const data = (await client.chat.completions.create(body as never, { signal })) as unknown as WireCompletion;
  if (data.error) throw errorInBody(data.error);
  const choice = data.choices?.[0];
  if (!choice)
    throw new GatewayError('gateway.transient', 'response has no choices', { details: { status: 200 } });
  if (choice.finish_reason === 'error')
    throw errorInBody(choice.error ?? { message: 'finish_reason "error"' });
  return {
    text: choice.message?.content ?? choice.message?.refusal ?? '',
    modelUsed: data.model ?? target.model,
    inputTokens: data.usage?.prompt_tokens ?? 0,
    outputTokens: data.usage?.completion_tokens ?? 0,
    reportedCostUsd: typeof data.usage?.cost === 'number' ? data.usage.cost : null,
    finishReason: choice.finish_reason ?? null,
  };
}

async function callStreaming(
  client: OpenAI,
  body: ChatRequestBody,
  target: Target,
  signal: AbortSignal,
): Promise<ProviderReply> {
  const request = { ...body, stream: true, stream_options: { include_usage: true } };
  const stream = (await client.chat.completions.create(request as never, {
    signal,
  })) as unknown as AsyncIterable<WireCompletion>;
  let text = '';
  let finishReason: string | null = null;
  let model: string | undefined;
  let usage: WireCompletion['usage'];
  for await (const chunk of stream) {
    model = chunk.model ?? model;
    if (chunk.usage) usage = chunk.usage;
    const choice = chunk.choices?.[0];
    if (choice?.delta?.content) text += choice.delta.content;
    if (choice?.finish_reason) finishReason = choice.finish_reason;
  }
  // The SDK ends iteration quietly when the request is aborted: surface the abort instead.
  if (signal.aborted) throw signal.reason;
  if (finishReason === null) {
    throw new GatewayError('gateway.transient', 'stream ended before a finish_reason (truncated)', {
      details: { status: 200 },
    });
  }
  if (finishReason === 'error') throw errorInBody({ message: 'stream finished with finish_reason "error"' });
  return {
    text,
    modelUsed: model ?? target.model,
    inputTokens: usage?.prompt_tokens ?? 0,
    outputTokens: usage?.completion_tokens ?? 0,
    reportedCostUsd: typeof usage?.cost === 'number' ? usage.cost : null,
    finishReason,
  };
}

function errorInBody(error: { message?: string; code?: unknown }): GatewayError {
  const message = `HTTP 200 body carries an error: ${error.message ?? 'unknown'}`;
  return new GatewayError('gateway.transient', message, {
    details: { status: 200, providerCode: error.code },
  });
}

/** The fields read from a completion (or a stream chunk), all optional: bodies are untrusted. */
interface WireCompletion {
  model?: string;
  error?: { message?: string; code?: unknown };
  choices?: Array<{
    message?: { content?: string | null; refusal?: string | null };
    delta?: { content?: string | null };
    finish_reason?: string | null;
    error?: { message?: string; code?: unknown };
  }>;
  usage?: { prompt_tokens?: number; completion_tokens?: number; cost?: number } | null;
}
