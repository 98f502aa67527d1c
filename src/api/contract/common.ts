import { z } from 'zod';

/** Every error the API returns: `{ "error": { "code", "message", "details" } }`. */
export const ErrorBodySchema = z.object({
  error: z.object({
    /** Stable, namespaced: `registry.slug_not_found`, `prompty.missing_input`, `api.unauthorized`... */
    code: z.string(),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

/** The roles an API key can hold. */
export const ApiRoleSchema = z.enum(['viewer', 'runner', 'editor', 'deployer', 'admin']);
export type ApiRole = z.infer<typeof ApiRoleSchema>;

/** `GET /healthz`: the process answers. */
export const HealthSchema = z.object({ status: z.literal('ok') });
export type Health = z.infer<typeof HealthSchema>;

/** `GET /readyz`: whether Redis and Postgres answer. */
export const ReadinessSchema = z.object({
  status: z.enum(['ok', 'unavailable']),
  checks: z.object({ redis: z.enum(['ok', 'error']), database: z.enum(['ok', 'error']) }),
});
export type Readiness = z.infer<typeof ReadinessSchema>;

/** A stored API key as listed: never the key itself. */
export const ApiKeyViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  role: ApiRoleSchema,
  /** The key's first characters, to tell keys apart. */
  prefix: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type ApiKeyView = z.infer<typeof ApiKeyViewSchema>;

export const CreateApiKeyRequestSchema = z.object({
  name: z.string().min(1).max(200),
  role: ApiRoleSchema,
});
export type CreateApiKeyRequest = z.infer<typeof CreateApiKeyRequestSchema>;

/** The answer to creating a key: the only time the key is shown. */
export const CreatedApiKeySchema = z.object({ key: z.string(), apiKey: ApiKeyViewSchema });
export type CreatedApiKey = z.infer<typeof CreatedApiKeySchema>;

export const ApiKeyListSchema = z.object({ keys: z.array(ApiKeyViewSchema) });
export type ApiKeyList = z.infer<typeof ApiKeyListSchema>;
