import { createRoute, z } from '@hono/zod-openapi';
import type { RunResult } from '../../queue/index.js';
import { getRunByJobId, type Run } from '../../store/index.js';
import { authorize } from '../auth/middleware.js';
import { roleAllows } from '../auth/roles.js';
import { EventsQuerySchema } from '../contract.js';
import { eventStream, writeRunEvent } from '../sse.js';
import { mayReadRun, toRunRecord } from '../views.js';
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
    const principal = c.get('principal');
    const readsAll = roleAllows(principal.role, ['runs:read']);
    return eventStream(c, {
      timeoutMs,
      shutdown: deps.shutdown,
      async start(stream, done) {
        let sent = false;
        const finish = (write: Promise<void>) => {
          sent = true;
          write.then(done, done);
        };
        // A runner learns about its own runs only: ownership is on the stored row, which the
        // worker commits before it publishes the completion.
        const send = async (result: RunResult, row?: Run | null) => {
          if (sent) return;
          if (!readsAll) {
            const stored = row ?? (await getRunByJobId(deps.db, id).catch(() => null));
            if (sent) return;
            if (!stored || !mayReadRun(principal, stored.metadata)) {
              const body = { code: 'api.not_found', message: `No run "${id}" of this key.` };
              finish(stream.writeSSE({ event: 'error', data: JSON.stringify(body) }));
              return;
            }
          }
          finish(writeRunEvent(stream, result));
        };
        // Subscribe first, then look in the store: a completion between the two is not lost.
        const unsubscribe = deps.hub.waitFor(id, (result) => {
          send(result).catch(() => undefined);
        });
        const lookUp = async () => {
          const row = await getRunByJobId(deps.db, id).catch(() => null);
          if (row) await send(toRunRecord(row), row);
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
      shutdown: deps.shutdown,
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
