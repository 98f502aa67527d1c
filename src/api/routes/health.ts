import { createRoute } from '@hono/zod-openapi';
import { HealthSchema, ReadinessSchema } from '../contract.js';
import { createRouter, type RouteDeps } from './deps.js';

/** `/healthz` (the process answers) and `/readyz` (Redis and Postgres answer). No key needed. */
export function healthRoutes(deps: RouteDeps) {
  const app = createRouter();
  const health = createRoute({
    method: 'get',
    path: '/healthz',
    tags: ['health'],
    summary: 'Liveness',
    responses: { 200: { description: 'Alive', content: { 'application/json': { schema: HealthSchema } } } },
  });
  app.openapi(health, (c) => c.json({ status: 'ok' as const }, 200));

  const ready = createRoute({
    method: 'get',
    path: '/readyz',
    tags: ['health'],
    summary: 'Readiness: Redis and Postgres reachable',
    responses: {
      200: { description: 'Ready', content: { 'application/json': { schema: ReadinessSchema } } },
      503: { description: 'Not ready', content: { 'application/json': { schema: ReadinessSchema } } },
    },
  });
  app.openapi(ready, async (c) => {
    const readiness = await deps.checkReadiness();
    return readiness.status === 'ok' ? c.json(readiness, 200) : c.json(readiness, 503);
  });
  return app;
}
