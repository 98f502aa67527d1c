import type { Context } from 'hono';
import { type SSEStreamingApi, streamSSE } from 'hono/streaming';
import type { RunResult } from '../queue/index.js';

/** Comment lines keep proxies from closing a quiet stream. */
const KEEP_ALIVE_MS = 15_000;

/** Writes one finished run as an SSE event named by its status, with the job id as event id. */
export function writeRunEvent(stream: SSEStreamingApi, result: RunResult): Promise<void> {
  return stream.writeSSE({ event: result.status, id: result.jobId, data: JSON.stringify(result) });
}

export interface EventStreamOptions {
  /** Close the stream after this long, with a final `timeout` event. */
  timeoutMs: number;
  /** Ends the stream when aborted (server shutdown). */
  shutdown?: AbortSignal;
  /**
   * Sets the stream up: subscribe, send what is already known. Resolve `done` to end the stream;
   * the returned function is called once when the stream ends, whatever the reason.
   */
  start(stream: SSEStreamingApi, done: () => void): Promise<() => void>;
}

/** An SSE response that lives until `done`, the timeout, or the client going away. */
export function eventStream(c: Context, options: EventStreamOptions): Response {
  return streamSSE(c, async (stream) => {
    let settle: (how: 'done' | 'timeout') => void = () => undefined;
    const ended = new Promise<'done' | 'timeout'>((resolve) => {
      settle = resolve;
    });
    stream.onAbort(() => settle('done'));
    if (options.shutdown?.aborted) settle('done');
    options.shutdown?.addEventListener('abort', () => settle('done'), { once: true });
    const timer = setTimeout(() => settle('timeout'), options.timeoutMs);
    const keepAlive = setInterval(() => {
      stream.write(': keep-alive\n\n').catch(() => undefined);
    }, KEEP_ALIVE_MS);
    keepAlive.unref();
    const stop = await options.start(stream, () => settle('done'));
    try {
      const how = await ended;
      if (how === 'timeout' && !stream.aborted) {
        await stream.writeSSE({ event: 'timeout', data: JSON.stringify({ timeoutMs: options.timeoutMs }) });
      }
    } finally {
      clearTimeout(timer);
      clearInterval(keepAlive);
      stop();
    }
  });
}
