import { createRoute, z } from '@hono/zod-openapi';
import { findApiKeys, insertApiKey, listApiKeys, revokeApiKey } from '../../store/index.js';
import { displayPrefix, generateApiKey, hashApiKey } from '../auth/keys.js';
import { authorize } from '../auth/middleware.js';
import {
  ApiKeyListSchema,
  ApiKeyViewSchema,
  CreateApiKeyRequestSchema,
  CreatedApiKeySchema,
} from '../contract.js';
import { ApiError } from '../errors.js';
import { toApiKeyView } from '../views.js';
import { BEARER, createRouter, errorResponses, type RouteDeps } from './deps.js';

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

/** `/v1/keys`: create, list and revoke API keys (admin only). */
export function keyRoutes(deps: RouteDeps) {
  const app = createRouter();

  const list = createRoute({
    method: 'get',
    path: '/v1/keys',
    tags: ['keys'],
    summary: 'Every API key (prefix, name, role, dates; never the key)',
    security: BEARER,
    middleware: [authorize('keys:manage')] as const,
    responses: { 200: json(ApiKeyListSchema, 'The keys'), ...errorResponses() },
  });
  app.openapi(list, async (c) => c.json({ keys: (await listApiKeys(deps.db)).map(toApiKeyView) }, 200));

  const create = createRoute({
    method: 'post',
    path: '/v1/keys',
    tags: ['keys'],
    summary: 'Create a key; the answer is the only time the key is shown',
    security: BEARER,
    middleware: [authorize('keys:manage')] as const,
    request: {
      body: { required: true, content: { 'application/json': { schema: CreateApiKeyRequestSchema } } },
    },
    responses: { 201: json(CreatedApiKeySchema, 'Created'), ...errorResponses(400, 413) },
  });
  app.openapi(create, async (c) => {
    const { name, role } = c.req.valid('json');
    const key = generateApiKey();
    const row = await insertApiKey(deps.db, {
      name,
      role,
      prefix: displayPrefix(key),
      keyHash: hashApiKey(key),
    });
    return c.json({ key, apiKey: toApiKeyView(row) }, 201);
  });

  const revoke = createRoute({
    method: 'delete',
    path: '/v1/keys/{id}',
    tags: ['keys'],
    summary: 'Revoke a key by id or display prefix; it stops working at once on this server',
    security: BEARER,
    middleware: [authorize('keys:manage')] as const,
    request: { params: z.object({ id: z.string().min(1).max(100) }) },
    responses: { 200: json(ApiKeyViewSchema, 'The revoked key'), ...errorResponses(404) },
  });
  app.openapi(revoke, async (c) => {
    const { id } = c.req.valid('param');
    const matches = await findApiKeys(deps.db, id);
    const [match] = matches;
    if (!match) throw new ApiError('api.not_found', `No API key "${id}".`, { details: { id } });
    if (matches.length > 1) {
      throw new ApiError('api.invalid_request', `"${id}" matches ${matches.length} keys; give the id.`, {
        details: { ids: matches.map((key) => key.id) },
      });
    }
    const revoked = await revokeApiKey(deps.db, match.id);
    deps.authenticator.forget();
    if (!revoked) throw new ApiError('api.not_found', `No API key "${id}".`, { details: { id } });
    return c.json(toApiKeyView(revoked), 200);
  });

  return app;
}
