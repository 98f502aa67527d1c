import { createRoute } from '@hono/zod-openapi';
import { usageStats } from '../../store/index.js';
import { authorize } from '../auth/middleware.js';
import { StatsQuerySchema, StatsSchema } from '../contract.js';
import { BEARER, createRouter, errorResponses, type RouteDeps } from './deps.js';

const DEFAULT_WINDOW_MS = 24 * 3_600_000;

/** `/v1/stats`: the figures of `opm stats` (counts, error rate, latency percentiles, tokens, cost). */
export function statsRoutes(deps: RouteDeps) {
  const app = createRouter();
  const stats = createRoute({
    method: 'get',
    path: '/v1/stats',
    tags: ['stats'],
    summary:
      'Count, error rate, latency percentiles, tokens, cost and fallback rate, optionally per model, version or label',
    security: BEARER,
    middleware: [authorize('stats:read')] as const,
    request: { query: StatsQuerySchema },
    responses: {
      200: {
        description: 'The figures, like opm stats --json',
        content: { 'application/json': { schema: StatsSchema } },
      },
      ...errorResponses(400),
    },
  });
  app.openapi(stats, async (c) => {
    const q = c.req.valid('query');
    const since = q.since === undefined ? new Date(Date.now() - DEFAULT_WINDOW_MS) : new Date(q.since);
    const rows = await usageStats(deps.db, { slug: q.slug, since, by: q.by });
    return c.json({ since: since.toISOString(), slug: q.slug ?? null, by: q.by ?? null, rows }, 200);
  });
  return app;
}
