import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A real local HTTP server speaking the OpenAI chat-completions protocol (JSON and SSE), for
 * driving the real `openai` SDK through every failure mode a provider can show.
 *
 * @example
 * const fake = await startFakeOpenAIServer();
 * fake.script({ status: 503 }, { text: 'hello', model: 'backup-model' });
 * const client = new OpenAI({ baseURL: fake.url, apiKey: 'test' }); // fake.url ends in /v1
 * ...
 * expect(fake.requests).toHaveLength(2);
 * await fake.close();
 *
 * Any path ending in `/chat/completions` is served (so `/v1`, `/api/v1` and Azure's
 * `/openai/deployments/<name>/chat/completions?api-version=` all work). Scripted steps are consumed
 * in order; a step with `model` only answers requests for that model; when nothing matches, the
 * default reply answers (`{ text: 'ok' }` unless changed with `setDefault`).
 */

/** What a scripted step does; everything is optional, `{}` is a plain successful reply. */
export interface FakeReply {
  /** Assistant content. @default 'ok' */
  text?: string;
  /** Assistant content as JSON (serialised); wins over `text`. */
  json?: unknown;
  /** The `model` field of the response. @default the requested model */
  model?: string;
  /** Usage block; missing counts are estimated from the text lengths. `cost` mimics OpenRouter. */
  usage?: { prompt_tokens?: number; completion_tokens?: number; cost?: number };
  /** @default 'stop' */
  finishReason?: string;
  /** Wait this long before answering (use it to trigger client timeouts). */
  delayMs?: number;
  /** An HTTP error status: the body is `{ error: { message, type, code } }`. */
  status?: number;
  /** Sets the `Retry-After` header (seconds, or an HTTP date string). */
  retryAfter?: number | string;
  /** Extra response headers. */
  headers?: Record<string, string>;
  /** Raw body override (a string is sent verbatim, an object as JSON). */
  body?: string | Record<string, unknown>;
  /**
   * A protocol fault: `reset` destroys the socket; `malformed` sends a 200 JSON body that does not
   * parse; `truncated` cuts the body (or SSE stream) in the middle; `error-200` is an HTTP 200 whose
   * body carries `error` (OpenRouter style); `finish-error` is a 200 whose choice has
   * `finish_reason: "error"`; `hang` never answers (until the client gives up); `stall` sends the
   * headers and first chunk of an SSE stream, then nothing more.
   */
  fault?: 'reset' | 'malformed' | 'truncated' | 'error-200' | 'finish-error' | 'hang' | 'stall';
}

/** One scripted step: a reply, optionally only for one model, optionally repeated. */
export interface FakeStep extends FakeReply {
  /** Only requests for this model consume the step. */
  forModel?: string;
  /** How many requests the step answers. @default 1 (Infinity: forever) */
  times?: number;
}

/** A request the server received. */
export interface RecordedRequest {
  method: string;
  /** Path and query, e.g. `/v1/chat/completions`. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body (or the raw text when it is not JSON). */
  body: Record<string, unknown>;
  model: string | undefined;
  isStream: boolean;
  receivedAt: number;
}

export interface FakeOpenAIServer {
  /** Base URL for the SDK, ending in `/v1`. */
  url: string;
  /** Origin without a path (for Azure's `endpoint`). */
  origin: string;
  /** Queues steps, consumed in order. */
  script(...steps: FakeStep[]): void;
  /** Replaces the reply used when no step matches. */
  setDefault(reply: FakeReply): void;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  /** How many requests arrived (counted even when not recorded). */
  readonly requestCount: number;
  /** Requests for one model. */
  requestsFor(model: string): RecordedRequest[];
  /** Clears steps, recorded requests and the default reply. */
  reset(): void;
  close(): Promise<void>;
}

export interface FakeOpenAIServerOptions {
  /** Keep every request in `requests`; benchmarks sending millions turn it off. @default true */
  recordRequests?: boolean;
}

/** Starts the fake on 127.0.0.1 with an OS-assigned port. */
export async function startFakeOpenAIServer(
  options: FakeOpenAIServerOptions = {},
): Promise<FakeOpenAIServer> {
  const isRecording = options.recordRequests ?? true;
  let requestCount = 0;
  const steps: FakeStep[] = [];
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let defaultReply: FakeReply = {};

  const takeStep = (model: string | undefined): FakeReply => {
    const index = steps.findIndex((s) => s.forModel === undefined || s.forModel === model);
    const step = steps[index];
    if (!step) return defaultReply;
    const remaining = (step.times ?? 1) - 1;
    if (remaining <= 0) steps.splice(index, 1);
    else step.times = remaining;
    return step;
  };

  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  const server = createServer((req, res) => {
    void handle(req, res).catch(() => res.destroy());
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      body = { raw };
    }
    const model = typeof body.model === 'string' ? body.model : undefined;
    const isStream = body.stream === true;
    requestCount++;
    if (isRecording)
      requests.push({
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers: req.headers,
        body,
        model,
        isStream,
        receivedAt: Date.now(),
      });
    if (!(req.url ?? '').split('?')[0]?.endsWith('/chat/completions')) {
      sendJson(res, 404, { error: { message: `no route ${req.url}`, type: 'not_found' } });
      return;
    }
    const reply = takeStep(model);
    if (reply.fault === 'hang') return;
    if (reply.delayMs) await wait(reply.delayMs);
    if (res.destroyed) return;
    if (reply.fault === 'reset') {
      req.socket.destroy();
      return;
    }
    const headers = { ...reply.headers };
    if (reply.retryAfter !== undefined) headers['retry-after'] = String(reply.retryAfter);
    if (reply.status !== undefined && reply.status !== 200) {
      const errorBody = reply.body ?? {
        error: { message: `fake ${reply.status}`, type: 'fake_error', code: reply.status },
      };
      sendJson(res, reply.status, errorBody, headers);
      return;
    }
    if (reply.body !== undefined) {
      sendJson(res, 200, reply.body, headers);
      return;
    }
    if (reply.fault === 'malformed') {
      res.writeHead(200, { 'content-type': 'application/json', ...headers });
      res.end('{"id": "chatcmpl-broken", "choices": [ {"message": oops');
      return;
    }
    if (reply.fault === 'error-200') {
      sendJson(res, 200, { error: { message: 'upstream provider failed', code: 502 } }, headers);
      return;
    }
    const completion = buildCompletion(reply, model, body);
    if (isStream) await streamCompletion(res, completion, reply, headers, body);
    else if (reply.fault === 'truncated') {
      res.writeHead(200, { 'content-type': 'application/json', ...headers });
      const text = JSON.stringify(completion);
      res.end(text.slice(0, Math.floor(text.length / 2)));
    } else sendJson(res, 200, completion, headers);
  }

  async function streamCompletion(
    res: ServerResponse,
    completion: Completion,
    reply: FakeReply,
    headers: Record<string, string>,
    body: Record<string, unknown>,
  ): Promise<void> {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...headers });
    const content = completion.choices[0].message.content;
    const pieces = content.match(/[\s\S]{1,8}/g) ?? [''];
    const chunk = (delta: Record<string, unknown>, finish: string | null, extra = {}) =>
      `data: ${JSON.stringify({
        id: completion.id,
        object: 'chat.completion.chunk',
        created: completion.created,
        model: completion.model,
        choices: [{ index: 0, delta, finish_reason: finish }],
        ...extra,
      })}\n\n`;
    res.write(chunk({ role: 'assistant', content: '' }, null));
    if (reply.fault === 'stall') return;
    const cut = reply.fault === 'truncated' ? Math.max(1, Math.floor(pieces.length / 2)) : pieces.length;
    for (const piece of pieces.slice(0, cut)) res.write(chunk({ content: piece }, null));
    if (reply.fault === 'truncated') {
      res.end();
      return;
    }
    const includeUsage = (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage;
    const finish = completion.choices[0].finish_reason;
    const errorExtra =
      finish === 'error' ? { error: { message: 'provider failed mid-stream', code: 502 } } : {};
    res.write(chunk({}, finish, errorExtra));
    if (includeUsage) res.write(`data: ${JSON.stringify({ ...completion, choices: [] })}\n\n`);
    res.end('data: [DONE]\n\n');
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;

  return {
    url: `${origin}/v1`,
    origin,
    script: (...newSteps) => {
      steps.push(...newSteps.map((s) => ({ ...s })));
    },
    setDefault: (reply) => {
      defaultReply = reply;
    },
    requests,
    get requestCount() {
      return requestCount;
    },
    requestsFor: (model) => requests.filter((r) => r.model === model),
    reset: () => {
      requestCount = 0;
      steps.length = 0;
      requests.length = 0;
      defaultReply = {};
    },
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

interface Completion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: [{ index: 0; message: { role: 'assistant'; content: string }; finish_reason: string }];
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number; cost?: number };
}

function buildCompletion(
  reply: FakeReply,
  model: string | undefined,
  body: Record<string, unknown>,
): Completion {
  const content = reply.json !== undefined ? JSON.stringify(reply.json) : (reply.text ?? 'ok');
  const promptChars = JSON.stringify(body.messages ?? '').length;
  const promptTokens = reply.usage?.prompt_tokens ?? Math.ceil(promptChars / 4);
  const completionTokens = reply.usage?.completion_tokens ?? Math.ceil(content.length / 4);
  const finish = reply.fault === 'finish-error' ? 'error' : (reply.finishReason ?? 'stop');
  return {
    id: `chatcmpl-${randomUUID()}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: reply.model ?? model ?? 'fake-model',
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: finish }],
    usage: {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
      ...(reply.usage?.cost === undefined ? {} : { cost: reply.usage.cost }),
    },
  };
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
