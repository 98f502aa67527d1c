import { createRoute, z } from '@hono/zod-openapi';
import { type ResolvedPrompt, renderPrompt } from '../../registry/index.js';
import { listLabels, listVersions, type PromptLabel, type PromptVersion } from '../../store/index.js';
import { authorize } from '../auth/middleware.js';
import {
  type PromptDetail,
  PromptDetailSchema,
  type PromptList,
  PromptListQuerySchema,
  PromptListSchema,
  RenderedSchema,
  RenderRequestSchema,
} from '../contract.js';
import { BEARER, createRouter, errorResponses, type RouteDeps } from './deps.js';

const SlugParamSchema = z.object({
  slug: z
    .string()
    .min(1)
    .max(512)
    .openapi({ description: 'The prompt slug with each "/" encoded as %2F, e.g. acme%2Fsupport%2Ftriage' }),
});
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

function normalisePrefix(prefix: string | undefined): string {
  const trimmed = (prefix ?? '').replace(/^\/+|\/+$/g, '');
  return trimmed === '' ? '' : `${trimmed}/`;
}

/** Published versions and labels, when the prompt was published (`opm publish`). */
interface History {
  versions: PromptVersion[];
  labels: PromptLabel[];
}

function versionsOf(resolved: ResolvedPrompt, history: History): PromptDetail['versions'] {
  if (history.versions.length === 0) {
    return resolved.version === null ? [] : [{ version: resolved.version, current: true }];
  }
  return history.versions.map((row) => ({
    version: row.version,
    current: row.version === resolved.version,
    commitSha: row.commitSha,
    author: row.authorName,
    message: row.message,
    committedAt: row.committedAt.toISOString(),
  }));
}

/** The prompt without its connection settings (they may hold credentials). */
export function toPromptDetail(
  resolved: ResolvedPrompt,
  history: History = { versions: [], labels: [] },
): PromptDetail {
  const { prompt } = resolved;
  return {
    slug: resolved.slug,
    name: prompt.name || resolved.slug,
    description: prompt.description ?? null,
    model: {
      id: prompt.model.id ?? null,
      provider: prompt.model.provider ?? null,
      apiType: prompt.model.apiType,
      options: prompt.model.options,
    },
    inputs: prompt.inputs.map((input) => ({
      name: input.name,
      kind: input.kind,
      description: input.description ?? null,
      required: input.required ?? false,
      ...(input.default === undefined ? {} : { default: input.default }),
    })),
    outputs: prompt.outputs.map((output) => output.name),
    template: { format: prompt.template.format.kind, text: prompt.instructions },
    version: resolved.version,
    versions: versionsOf(resolved, history),
    labels: history.labels.map((row) => ({ label: row.label, targets: row.targets })),
  };
}

/** `/v1/prompts`: the tree by slug prefix, one prompt, and render previews (no LLM call). */
export function promptRoutes(deps: RouteDeps) {
  const app = createRouter();

  const list = createRoute({
    method: 'get',
    path: '/v1/prompts',
    tags: ['prompts'],
    summary: 'The prompts under a slug prefix and the folders directly below it',
    security: BEARER,
    middleware: [authorize('prompts:read')] as const,
    request: { query: PromptListQuerySchema },
    responses: { 200: json(PromptListSchema, 'Prompts and folders'), ...errorResponses(400) },
  });
  app.openapi(list, async (c) => {
    const prefix = normalisePrefix(c.req.valid('query').prefix);
    const all = (await deps.source.list()).filter((prompt) => prompt.slug.startsWith(prefix));
    const folders = new Set<string>();
    for (const prompt of all) {
      const rest = prompt.slug.slice(prefix.length);
      const slash = rest.indexOf('/');
      if (slash > 0) folders.add(`${prefix}${rest.slice(0, slash)}`);
    }
    const body: PromptList = {
      prefix,
      folders: [...folders].sort(),
      prompts: all.map(({ path: _path, ...summary }) => summary),
    };
    return c.json(body, 200);
  });

  const get = createRoute({
    method: 'get',
    path: '/v1/prompts/{slug}',
    tags: ['prompts'],
    summary: 'One prompt with its inputs, versions and labels',
    security: BEARER,
    middleware: [authorize('prompts:read')] as const,
    request: { params: SlugParamSchema },
    responses: { 200: json(PromptDetailSchema, 'The prompt'), ...errorResponses(404, 422) },
  });
  app.openapi(get, async (c) => {
    const { slug } = c.req.valid('param');
    const resolved = await deps.source.resolve({ slug });
    const [versions, labels] = await Promise.all([listVersions(deps.db, slug), listLabels(deps.db, slug)]);
    return c.json(toPromptDetail(resolved, { versions, labels }), 200);
  });

  const render = createRoute({
    method: 'post',
    path: '/v1/prompts/{slug}/render',
    tags: ['prompts'],
    summary: 'Render the prompt with the given variables into chat messages, without calling a model',
    security: BEARER,
    middleware: [authorize('prompts:render')] as const,
    request: {
      params: SlugParamSchema,
      body: { required: true, content: { 'application/json': { schema: RenderRequestSchema } } },
    },
    responses: { 200: json(RenderedSchema, 'The rendered messages'), ...errorResponses(400, 404, 413, 422) },
  });
  app.openapi(render, async (c) => {
    const body = c.req.valid('json');
    const resolved = await deps.source.resolve({ slug: c.req.valid('param').slug });
    const rendered = renderPrompt(resolved, body.vars, { useSample: body.useSample ?? false });
    return c.json(
      {
        slug: rendered.slug,
        version: rendered.version,
        messages: rendered.messages.map((message) => ({ role: message.role, content: message.content })),
        text: rendered.text,
      },
      200,
    );
  });

  return app;
}
