import { createRoute } from '@hono/zod-openapi';
import { runStats } from '../../store/index.js';
import { authorize } from '../auth/middleware.js';
import { type Stats, StatsQuerySchema, StatsSchema } from '../contract.js';
import { BEARER, createRouter, errorResponses, type RouteDeps } from './deps.js';

/** `/v1/stats`: counts, tokens, cost and latency percentiles per slug. */
export function statsRoutes(deps: RouteDeps) {
  const app = createRouter();
  const stats = createRoute({
    method: 'get',
    path: '/v1/stats',
    tags: ['stats'],
    summary: 'Runs, failures, tokens, cost and latency per slug (a slug ending in "/" is a prefix)',
    security: BEARER,
    middleware: [authorize('stats:read')] as const,
    request: { query: StatsQuerySchema },
    responses: {
      200: {
        description: 'Figures per slug and in total',
        content: { 'application/json': { schema: StatsSchema } },
      },
      ...errorResponses(400),
    },
  });
  app.openapi(stats, async (c) => {
    const q = c.req.valid('query');
    const slugs = await runStats(deps.db, {
      slug: q.slug,
      since: q.since === undefined ? undefined : new Date(q.since),
      until: q.until === undefined ? undefined : new Date(q.until),
    });
    const totals: Stats['totals'] = {
      runs: 0,
      completed: 0,
      failed: 0,
      tokensIn: 0,
      tokensOut: 0,
      costUsd: 0,
    };
    for (const row of slugs) {
      totals.runs += row.runs;
      totals.completed += row.completed;
      totals.failed += row.failed;
      totals.tokensIn += row.tokensIn;
      totals.tokensOut += row.tokensOut;
      totals.costUsd += row.costUsd;
    }
    return c.json({ slugs, totals }, 200);
  });
  return app;
}
