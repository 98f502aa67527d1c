import { OpenAPIHono, type RouteConfig } from '@hono/zod-openapi';
import type { OpmClient } from '../../queue/index.js';
import type { PromptSource } from '../../registry/index.js';
import type { Db } from '../../store/index.js';
import type { Authenticator } from '../auth/authenticator.js';
import type { CompletionHub } from '../completion-hub.js';
import { ErrorBodySchema, type Readiness } from '../contract.js';
import { ApiError } from '../errors.js';
import type { ApiEnv } from '../types.js';

/** What the route modules use; built once by `createApp`. */
export interface RouteDeps {
  client: OpmClient;
  db: Db;
  source: PromptSource;
  hub: CompletionHub;
  authenticator: Authenticator;
  /** Called after a deploy or rollback commits (workers' cache invalidation). */
  onLabelChange: ((slug: string) => Promise<void>) | undefined;
  checkReadiness(): Promise<Readiness>;
  /** Aborted when the app closes: open event streams end. */
  shutdown: AbortSignal;
}

/** Bearer-key security requirement, for the OpenAPI document. */
export const BEARER = [{ bearerAuth: [] }];

/** A router whose invalid requests become 400 `api.invalid_request` listing every issue. */
export function createRouter(): OpenAPIHono<ApiEnv> {
  return new OpenAPIHono<ApiEnv>({
    defaultHook(result) {
      if (result.success) return;
      const issues = result.error.issues.map((issue) => ({
        path: issue.path.map(String).join('.'),
        message: issue.message,
      }));
      throw new ApiError(
        'api.invalid_request',
        `Invalid request: ${issues.map((i) => `${i.path || '(body)'}: ${i.message}`).join('; ')}`,
        { details: { target: result.target, issues } },
      );
    },
  });
}

/** Shared error responses of authenticated routes, for the OpenAPI document. */
export function errorResponses(...statuses: number[]): RouteConfig['responses'] {
  const descriptions: Record<number, string> = {
    400: 'Invalid request',
    401: 'Missing, invalid or revoked API key',
    403: "The key's role may not do this",
    404: 'Not found',
    409: 'Conflict (nothing to roll back)',
    413: 'Body too large',
    422: 'The prompt cannot be rendered with these variables',
    429: 'Rate limited',
    503: 'Redis or Postgres unavailable',
    504: 'The run did not finish in time',
  };
  return Object.fromEntries(
    [401, 403, 429, ...statuses].map((status) => [
      status,
      {
        description: descriptions[status] ?? 'Error',
        content: { 'application/json': { schema: ErrorBodySchema } },
      },
    ]),
  );
}
