import { createRoute, z } from '@hono/zod-openapi';
import type { EnqueueItem, EnqueueOptions, OpmClient } from '../../queue/index.js';
import type { PromptSource } from '../../registry/index.js';
import { getRunByJobId, insertRunFeedback, listRuns } from '../../store/index.js';
import { authorize } from '../auth/middleware.js';
import {
  EnqueueBatchRequestSchema,
  EnqueuedBatchSchema,
  EnqueuedSchema,
  EnqueueQuerySchema,
  EnqueueRequestSchema,
  FeedbackRequestSchema,
  FeedbackSchema,
  RunListQuerySchema,
  RunListSchema,
  type RunOptions,
  RunRecordSchema,
  RunResultSchema,
} from '../contract.js';
import { ApiError } from '../errors.js';
import type { Principal } from '../types.js';
import { ENQUEUED_BY_METADATA_KEY, mayReadRun, toFeedbackView, toRunRecord } from '../views.js';
import { BEARER, createRouter, errorResponses, type RouteDeps } from './deps.js';

const DEFAULT_WAIT_MS = 60_000;
const JobIdParamSchema = z.object({ id: z.string().min(1).max(300) });
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

/** Fails with 404 (and suggestions) before enqueueing work that could only fail in the worker. */
async function assertPromptsExist(source: PromptSource, slugs: Iterable<string>): Promise<void> {
  for (const slug of new Set(slugs)) {
    try {
      await source.resolve({ slug });
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === 'registry.slug_not_found' || code === 'registry.invalid_slug') throw error;
    }
  }
}

/** The SDK's options, tagged with the enqueueing key so that runners can read their own runs. */
function sdkOptions(options: RunOptions | undefined, principal: Principal): EnqueueOptions {
  return { ...options, metadata: { ...options?.metadata, [ENQUEUED_BY_METADATA_KEY]: principal.keyId } };
}

async function enqueueOrWait(
  client: OpmClient,
  input: { slug: string; vars: Record<string, unknown>; options: EnqueueOptions },
  wait: { enabled: boolean; timeoutMs: number },
) {
  if (!wait.enabled) return { jobId: await client.enqueue(input.slug, input.vars, input.options) };
  return {
    result: await client.run(input.slug, input.vars, { ...input.options, timeoutMs: wait.timeoutMs }),
  };
}

/** `/v1/runs`: enqueue (or run and wait), batch, read, list, feedback. */
export function runRoutes(deps: RouteDeps) {
  const app = createRouter();

  const enqueue = createRoute({
    method: 'post',
    path: '/v1/runs',
    tags: ['runs'],
    summary: 'Enqueue a prompt run; with wait=true, answer with the finished run',
    security: BEARER,
    middleware: [authorize('runs:create')] as const,
    request: {
      query: EnqueueQuerySchema,
      body: { required: true, content: { 'application/json': { schema: EnqueueRequestSchema } } },
    },
    responses: {
      200: json(RunResultSchema, 'The finished run (wait=true)'),
      202: json(EnqueuedSchema, 'Enqueued'),
      ...errorResponses(400, 404, 413, 422, 503, 504),
    },
  });
  app.openapi(enqueue, async (c) => {
    const body = c.req.valid('json');
    const query = c.req.valid('query');
    await assertPromptsExist(deps.source, [body.slug]);
    const outcome = await enqueueOrWait(
      deps.client,
      { slug: body.slug, vars: body.vars, options: sdkOptions(body.options, c.get('principal')) },
      { enabled: query.wait === 'true', timeoutMs: query.timeoutMs ?? DEFAULT_WAIT_MS },
    );
    if ('result' in outcome) return c.json(outcome.result, 200);
    return c.json({ jobId: outcome.jobId, status: 'queued' as const }, 202);
  });

  const batch = createRoute({
    method: 'post',
    path: '/v1/runs:batch',
    tags: ['runs'],
    summary: 'Enqueue many runs at once; all are validated before any is enqueued',
    security: BEARER,
    middleware: [authorize('runs:create')] as const,
    request: {
      body: { required: true, content: { 'application/json': { schema: EnqueueBatchRequestSchema } } },
    },
    responses: {
      202: json(EnqueuedBatchSchema, 'Enqueued, ids in input order'),
      ...errorResponses(400, 404, 413, 503),
    },
  });
  app.openapi(batch, async (c) => {
    const { items } = c.req.valid('json');
    const principal = c.get('principal');
    await assertPromptsExist(
      deps.source,
      items.map((item) => item.slug),
    );
    const jobs: EnqueueItem[] = items.map((item) => ({
      slug: item.slug,
      vars: item.vars,
      opts: sdkOptions(item.options, principal),
    }));
    return c.json({ jobIds: await deps.client.enqueueMany(jobs) }, 202);
  });

  const getRun = createRoute({
    method: 'get',
    path: '/v1/runs/{id}',
    tags: ['runs'],
    summary: 'A finished run (404 while it is queued or running)',
    security: BEARER,
    middleware: [authorize('runs:read', 'runs:read-own')] as const,
    request: { params: JobIdParamSchema },
    responses: { 200: json(RunRecordSchema, 'The stored run'), ...errorResponses(404) },
  });
  app.openapi(getRun, async (c) => {
    const { id } = c.req.valid('param');
    const row = await getRunByJobId(deps.db, id);
    if (!row || !mayReadRun(c.get('principal'), row.metadata)) {
      throw new ApiError('api.not_found', `No finished run "${id}".`, { details: { jobId: id } });
    }
    return c.json(toRunRecord(row), 200);
  });

  const list = createRoute({
    method: 'get',
    path: '/v1/runs',
    tags: ['runs'],
    summary: 'Finished runs, newest first, filtered, with cursor pagination',
    security: BEARER,
    middleware: [authorize('runs:read')] as const,
    request: { query: RunListQuerySchema },
    responses: { 200: json(RunListSchema, 'A page of runs'), ...errorResponses(400) },
  });
  app.openapi(list, async (c) => {
    const q = c.req.valid('query');
    const rows = await listRuns(deps.db, {
      limit: q.limit + 1,
      slug: q.slug,
      status: q.status,
      label: q.label,
      after: q.after === undefined ? undefined : new Date(q.after),
      before: q.before === undefined ? undefined : new Date(q.before),
      cursor: q.cursor,
    });
    const page = rows.slice(0, q.limit);
    const nextCursor = rows.length > q.limit ? (page.at(-1)?.id ?? null) : null;
    return c.json({ runs: page.map(toRunRecord), nextCursor }, 200);
  });

  const feedback = createRoute({
    method: 'post',
    path: '/v1/runs/{id}/feedback',
    tags: ['runs'],
    summary: "Record the end user's score and comment on a run",
    security: BEARER,
    middleware: [authorize('runs:feedback')] as const,
    request: {
      params: JobIdParamSchema,
      body: { required: true, content: { 'application/json': { schema: FeedbackRequestSchema } } },
    },
    responses: { 201: json(FeedbackSchema, 'Recorded'), ...errorResponses(400, 404, 413) },
  });
  app.openapi(feedback, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const principal = c.get('principal');
    const row = await getRunByJobId(deps.db, id);
    if (!row || !mayReadRun(principal, row.metadata)) {
      throw new ApiError('api.not_found', `No finished run "${id}".`, { details: { jobId: id } });
    }
    const stored = await insertRunFeedback(deps.db, {
      jobId: id,
      score: body.score,
      comment: body.comment ?? null,
      actor: principal.name,
    });
    return c.json(toFeedbackView(stored), 201);
  });

  return app;
}
