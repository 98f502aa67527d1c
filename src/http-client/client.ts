import type * as Contract from '../api/contract.js';
import { errorFromResponse, NotFoundError, OpmHttpError } from './errors.js';
import { readServerSentEvents } from './sse-reader.js';

/** Options for {@link createHttpClient}. */
export interface HttpClientOptions {
  /** Where `opm serve` listens, e.g. `https://opm.internal`. */
  baseUrl: string;
  /** An API key (`opm keys create`). Sent as `Authorization: Bearer`. */
  apiKey: string;
  /** Time limit of one request (not of `run`, which uses its own `timeoutMs`). @default 30000 */
  timeoutMs?: number;
  /** A fetch implementation. @default globalThis.fetch */
  fetch?: typeof fetch;
}

/** `run` options: the run's options plus how long the server waits for it. */
export type HttpRunOptions = Contract.RunOptions & {
  /** The server answers 504 (RunTimeoutError) after this long; the job keeps running. @default 60000 */
  timeoutMs?: number;
};

export interface HttpEnqueueItem {
  slug: string;
  vars: Record<string, unknown>;
  opts?: Contract.RunOptions;
}

/** The SDK's verbs over HTTP, for services that should not talk to Redis. */
export interface OpmHttpClient {
  /** Enqueues one run; resolves with its job id. */
  enqueue(slug: string, vars: Record<string, unknown>, opts?: Contract.RunOptions): Promise<string>;
  /** Enqueues many runs in one request; job ids in input order. */
  enqueueMany(items: readonly HttpEnqueueItem[]): Promise<string[]>;
  /**
   * Runs a prompt and awaits it (`wait=true`).
   * @throws UnprocessableError for a missing variable, NotFoundError for an unknown slug,
   *   RunTimeoutError after `timeoutMs`, ServerError when the provider failed.
   */
  run(slug: string, vars: Record<string, unknown>, opts?: HttpRunOptions): Promise<Contract.RunResult>;
  /** A finished run, or null while it is queued or running (or unknown). */
  result(jobId: string): Promise<Contract.RunRecord | null>;
  /** Waits for one run over server-sent events; resolves with it, failed or not. */
  waitForRun(jobId: string, opts?: { timeoutMs?: number; signal?: AbortSignal }): Promise<Contract.RunResult>;
  /** Every completion from now on (optionally of one slug, or a prefix ending in `/`), until `signal` aborts. */
  events(opts?: { slug?: string; signal?: AbortSignal }): AsyncIterable<Contract.RunResult>;
  listRuns(query?: Contract.RunListQuery): Promise<Contract.RunList>;
  feedback(jobId: string, feedback: Contract.FeedbackRequest): Promise<Contract.Feedback>;
  listPrompts(prefix?: string): Promise<Contract.PromptList>;
  getPrompt(slug: string): Promise<Contract.PromptDetail>;
  render(slug: string, vars: Record<string, unknown>): Promise<Contract.Rendered>;
  listLabels(slug: string): Promise<Contract.LabelList>;
  /** Points a label at a published version (deployer role); the audit actor is this key's name. */
  deploy(slug: string, request: Contract.DeployRequest): Promise<Contract.LabelChange>;
  /** Returns a label to its previous targets (deployer role). */
  rollback(slug: string, request: Contract.RollbackRequest): Promise<Contract.LabelChange>;
  audit(query?: { slug?: string; label?: string; limit?: number }): Promise<Contract.AuditList>;
  /** The figures of `opm stats` (`since` ISO, default 24 h ago; `by` model, version or label). */
  stats(query?: {
    slug?: string;
    since?: string;
    by?: 'model' | 'version' | 'label';
  }): Promise<Contract.Stats>;
}

function queryString(query: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

/**
 * A client of `opm serve` with the Redis SDK's verbs. Types come from the API's contract.
 * @example
 * const opm = createHttpClient({ baseUrl: 'http://localhost:8080', apiKey: process.env.OPM_API_KEY! });
 * const { text } = await opm.run('acme/support/triage', { ticket: 'My order is late' });
 */
export function createHttpClient(options: HttpClientOptions): OpmHttpClient {
  let base: URL;
  try {
    base = new URL(options.baseUrl);
  } catch {
    throw new OpmHttpError('http.invalid_options', `baseUrl is not a URL: ${options.baseUrl}`, 0);
  }
  if (!options.apiKey) throw new OpmHttpError('http.invalid_options', 'apiKey is required', 0);
  const root = base.href.replace(/\/+$/, '');
  const doFetch = options.fetch ?? globalThis.fetch;
  const defaultTimeoutMs = options.timeoutMs ?? 30_000;
  const headers = { authorization: `Bearer ${options.apiKey}`, accept: 'application/json' };

  async function request<T>(
    method: string,
    path: string,
    body?: unknown,
    timeoutMs = defaultTimeoutMs,
  ): Promise<T> {
    const response = await doFetch(`${root}${path}`, {
      method,
      headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    let parsed: unknown = null;
    try {
      parsed = text === '' ? null : JSON.parse(text);
    } catch {
      parsed = null;
    }
    if (!response.ok) throw errorFromResponse(response.status, parsed);
    return parsed as T;
  }

  async function* stream(
    path: string,
    signal: AbortSignal | undefined,
  ): AsyncGenerator<{ event: string; data: string }> {
    const response = await doFetch(`${root}${path}`, {
      headers: { ...headers, accept: 'text/event-stream' },
      ...(signal === undefined ? {} : { signal }),
    });
    if (!response.ok || !response.body) {
      throw errorFromResponse(response.status, await response.json().catch(() => null));
    }
    yield* readServerSentEvents(response.body);
  }

  const slugPath = (slug: string) => `/v1/prompts/${encodeURIComponent(slug)}`;

  return {
    async enqueue(slug, vars, opts) {
      const body = await request<Contract.Enqueued>('POST', '/v1/runs', {
        slug,
        vars,
        ...(opts ? { options: opts } : {}),
      });
      return body.jobId;
    },
    async enqueueMany(items) {
      const body = await request<Contract.EnqueuedBatch>('POST', '/v1/runs:batch', {
        items: items.map((item) => ({
          slug: item.slug,
          vars: item.vars,
          ...(item.opts ? { options: item.opts } : {}),
        })),
      });
      return body.jobIds;
    },
    run(slug, vars, opts = {}) {
      const { timeoutMs = 60_000, ...runOptions } = opts;
      const options = Object.keys(runOptions).length > 0 ? { options: runOptions } : {};
      return request<Contract.RunResult>(
        'POST',
        `/v1/runs${queryString({ wait: 'true', timeoutMs })}`,
        { slug, vars, ...options },
        timeoutMs + 10_000,
      );
    },
    async result(jobId) {
      try {
        return await request<Contract.RunRecord>('GET', `/v1/runs/${encodeURIComponent(jobId)}`);
      } catch (error) {
        if (error instanceof NotFoundError) return null;
        throw error;
      }
    },
    async waitForRun(jobId, opts = {}) {
      const timeoutMs = opts.timeoutMs ?? 60_000;
      const path = `/v1/runs/${encodeURIComponent(jobId)}/events${queryString({ timeoutMs })}`;
      for await (const event of stream(path, opts.signal)) {
        if (event.event === 'completed' || event.event === 'failed')
          return JSON.parse(event.data) as Contract.RunResult;
        if (event.event === 'timeout') break;
      }
      throw new OpmHttpError('queue.run_timeout', `Run ${jobId} did not finish within ${timeoutMs} ms`, 504, {
        jobId,
      });
    },
    async *events(opts = {}) {
      // The stream ends itself after an hour; reconnect so callers see one endless iterable.
      while (!opts.signal?.aborted) {
        try {
          for await (const event of stream(
            `/v1/events${queryString({ slug: opts.slug, timeoutMs: 3_600_000 })}`,
            opts.signal,
          )) {
            if (event.event === 'completed' || event.event === 'failed')
              yield JSON.parse(event.data) as Contract.RunResult;
          }
        } catch (error) {
          if (opts.signal?.aborted) return;
          throw error;
        }
      }
    },
    listRuns(query = {}) {
      return request<Contract.RunList>(
        'GET',
        `/v1/runs${queryString(query as Record<string, string | number | undefined>)}`,
      );
    },
    feedback(jobId, feedback) {
      return request<Contract.Feedback>('POST', `/v1/runs/${encodeURIComponent(jobId)}/feedback`, feedback);
    },
    listPrompts(prefix) {
      return request<Contract.PromptList>('GET', `/v1/prompts${queryString({ prefix })}`);
    },
    getPrompt(slug) {
      return request<Contract.PromptDetail>('GET', slugPath(slug));
    },
    render(slug, vars) {
      return request<Contract.Rendered>('POST', `${slugPath(slug)}/render`, { vars });
    },
    listLabels(slug) {
      return request<Contract.LabelList>('GET', `${slugPath(slug)}/labels`);
    },
    deploy(slug, body) {
      return request<Contract.LabelChange>('POST', `${slugPath(slug)}/deploy`, body);
    },
    rollback(slug, body) {
      return request<Contract.LabelChange>('POST', `${slugPath(slug)}/rollback`, body);
    },
    audit(query = {}) {
      return request<Contract.AuditList>('GET', `/v1/audit${queryString(query)}`);
    },
    stats(query = {}) {
      return request<Contract.Stats>('GET', `/v1/stats${queryString(query)}`);
    },
  };
}
