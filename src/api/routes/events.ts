import { createRoute, z } from '@hono/zod-openapi';
import { getRunByJobId } from '../../store/index.js';
import { authorize } from '../auth/middleware.js';
import { EventsQuerySchema } from '../contract.js';
import { eventStream, writeRunEvent } from '../sse.js';
import { toRunRecord } from '../views.js';
import { BEARER, createRouter, errorResponses, type RouteDeps } from './deps.js';

const DEFAULT_STREAM_MS = 300_000;
/** How often a per-run stream also looks in the store, in case its event came before the reader started. */
const STORE_POLL_MS = 2_000;

const SSE_RESPONSE = {
  description:
    'Server-sent events. Each finished run is an event named `completed` or `failed` whose data is a RunResult ' +
    'and whose id is the job id; a `timeout` event ends a stream that outlived `timeoutMs`.',
  content: { 'text/event-stream': { schema: z.string() } },
};

function matchesSlug(filter: string | undefined, slug: string): boolean {
  if (filter === undefined) return true;
  return filter.endsWith('/') ? slug.startsWith(filter) : slug === filter;
}

/** Server-sent events: one run's completion, or every completion. */
export function eventRoutes(deps: RouteDeps) {
  const app = createRouter();

  const runEvents = createRoute({
    method: 'get',
    path: '/v1/runs/{id}/events',
    tags: ['events'],
    summary: "A stream that delivers one run's completion (at once if it already finished), then ends",
    security: BEARER,
    middleware: [authorize('runs:read', 'runs:read-own')] as const,
    request: {
      params: z.object({ id: z.string().min(1).max(300) }),
      query: EventsQuerySchema.pick({ timeoutMs: true }),
    },
    responses: { 200: SSE_RESPONSE, ...errorResponses(400) },
  });
  app.openapi(runEvents, (c) => {
    const { id } = c.req.valid('param');
    const { timeoutMs = DEFAULT_STREAM_MS } = c.req.valid('query');
    return eventStream(c, {
      timeoutMs,
      async start(stream, done) {
        let sent = false;
        const send = (result: Parameters<typeof writeRunEvent>[1]) => {
          if (sent) return;
          sent = true;
          writeRunEvent(stream, result).then(done, done);
        };
        // Subscribe first, then look in the store: a completion between the two is not lost.
        const unsubscribe = deps.hub.waitFor(id, send);
        const lookUp = async () => {
          const row = await getRunByJobId(deps.db, id).catch(() => null);
          if (row) send(toRunRecord(row));
        };
        await lookUp();
        const poll = setInterval(() => {
          lookUp().catch(() => undefined);
        }, STORE_POLL_MS);
        return () => {
          clearInterval(poll);
          unsubscribe();
        };
      },
    });
  });

  const allEvents = createRoute({
    method: 'get',
    path: '/v1/events',
    tags: ['events'],
    summary: 'A stream of every run completion from now on, optionally for one slug or slug prefix',
    security: BEARER,
    middleware: [authorize('events:read')] as const,
    request: { query: EventsQuerySchema },
    responses: { 200: SSE_RESPONSE, ...errorResponses(400) },
  });
  app.openapi(allEvents, (c) => {
    const { slug, timeoutMs = DEFAULT_STREAM_MS } = c.req.valid('query');
    return eventStream(c, {
      timeoutMs,
      async start(stream) {
        await stream.writeSSE({ event: 'ready', data: '{}' });
        return deps.hub.subscribe((result) => {
          if (matchesSlug(slug, result.slug)) writeRunEvent(stream, result).catch(() => undefined);
        });
      },
    });
  });

  return app;
}
