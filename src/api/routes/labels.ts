import { createRoute, z } from '@hono/zod-openapi';
import { deployVersion, rollbackLabel } from '../../registry/index.js';
import { type AuditEntry, listAudit, listLabels, type PromptLabel } from '../../store/index.js';
import { authorize } from '../auth/middleware.js';
import {
  AuditListSchema,
  AuditQuerySchema,
  DeployRequestSchema,
  type Label,
  LabelChangeSchema,
  LabelListSchema,
  RollbackRequestSchema,
} from '../contract.js';
import { BEARER, createRouter, errorResponses, type RouteDeps } from './deps.js';

const SlugParamSchema = z.object({ slug: z.string().min(1).max(512) });
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

export function toLabelView(row: PromptLabel): Label {
  return {
    label: row.label,
    targets: row.targets,
    guard: (row.guard as Record<string, unknown> | null) ?? null,
    revision: row.revision,
    updatedBy: row.updatedBy,
    updatedAt: row.updatedAt.toISOString(),
  };
}

function toAuditView(row: AuditEntry) {
  return {
    id: row.id,
    at: row.at.toISOString(),
    actor: row.actor,
    action: row.action,
    slug: row.slug,
    label: row.label,
    before: row.before ?? null,
    after: row.after ?? null,
    reason: row.reason,
  };
}

/** Labels and deployments: read, deploy, roll back, audit. The actor is the API key's name. */
export function labelRoutes(deps: RouteDeps) {
  const app = createRouter();

  const list = createRoute({
    method: 'get',
    path: '/v1/prompts/{slug}/labels',
    tags: ['labels'],
    summary: "A prompt's deployment labels and the versions (with traffic weights) they point at",
    security: BEARER,
    middleware: [authorize('labels:read')] as const,
    request: { params: SlugParamSchema },
    responses: { 200: json(LabelListSchema, 'The labels'), ...errorResponses(400) },
  });
  app.openapi(list, async (c) => {
    const { slug } = c.req.valid('param');
    return c.json({ slug, labels: (await listLabels(deps.db, slug)).map(toLabelView) }, 200);
  });

  const deploy = createRoute({
    method: 'post',
    path: '/v1/prompts/{slug}/deploy',
    tags: ['labels'],
    summary: 'Point a label at a published version, or give it a share of the traffic (canary)',
    security: BEARER,
    middleware: [authorize('labels:write')] as const,
    request: {
      params: SlugParamSchema,
      body: { required: true, content: { 'application/json': { schema: DeployRequestSchema } } },
    },
    responses: { 200: json(LabelChangeSchema, 'The label change'), ...errorResponses(400, 404, 413) },
  });
  app.openapi(deploy, async (c) => {
    const { slug } = c.req.valid('param');
    const body = c.req.valid('json');
    const change = await deployVersion({
      db: deps.db,
      slug,
      label: body.label,
      version: body.version,
      weight: body.weight,
      variant: body.variant,
      reason: body.reason,
      guard: body.guard,
      actor: c.get('principal').name,
      onChange: deps.onLabelChange,
    });
    return c.json(change, 200);
  });

  const rollback = createRoute({
    method: 'post',
    path: '/v1/prompts/{slug}/rollback',
    tags: ['labels'],
    summary: 'Return a label to the targets it had before its last change',
    security: BEARER,
    middleware: [authorize('labels:write')] as const,
    request: {
      params: SlugParamSchema,
      body: { required: true, content: { 'application/json': { schema: RollbackRequestSchema } } },
    },
    responses: { 200: json(LabelChangeSchema, 'The label change'), ...errorResponses(400, 404, 409, 413) },
  });
  app.openapi(rollback, async (c) => {
    const { slug } = c.req.valid('param');
    const body = c.req.valid('json');
    const change = await rollbackLabel({
      db: deps.db,
      slug,
      label: body.label,
      reason: body.reason,
      actor: c.get('principal').name,
      onChange: deps.onLabelChange,
    });
    return c.json(change, 200);
  });

  const audit = createRoute({
    method: 'get',
    path: '/v1/audit',
    tags: ['labels'],
    summary: 'The audit trail of publishes, deploys, weight changes and rollbacks, newest first',
    security: BEARER,
    middleware: [authorize('labels:read')] as const,
    request: { query: AuditQuerySchema },
    responses: { 200: json(AuditListSchema, 'Audit entries'), ...errorResponses(400) },
  });
  app.openapi(audit, async (c) => {
    const q = c.req.valid('query');
    const rows = await listAudit(deps.db, { slug: q.slug, label: q.label, limit: q.limit });
    return c.json({ entries: rows.map(toAuditView) }, 200);
  });

  return app;
}
