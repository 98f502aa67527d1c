import type { MiddlewareHandler } from 'hono';
import { ApiError } from '../errors.js';
import type { ApiEnv } from '../types.js';
import type { Authenticator } from './authenticator.js';
import { keyFromHeaders } from './keys.js';
import type { KeyRateLimiter } from './rate-limit.js';
import { type Permission, roleAllows } from './roles.js';

/** 401 unless the request carries a valid, unrevoked key; 429 when that key is over its rate. */
export function authenticate(
  authenticator: Authenticator,
  limiter: KeyRateLimiter | undefined,
): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const key = keyFromHeaders(c.req.header('authorization'), c.req.header('x-api-key'));
    if (key === null) {
      throw new ApiError('api.unauthorized', 'Missing API key: send "Authorization: Bearer <key>".');
    }
    const principal = await authenticator.authenticate(key);
    if (principal === null) throw new ApiError('api.unauthorized', 'Invalid or revoked API key.');
    if (limiter) {
      const decision = await limiter.consume(principal.keyId);
      if (!decision.allowed) {
        c.header('Retry-After', String(Math.max(1, Math.ceil(decision.retryAfterMs / 1000))));
        throw new ApiError('api.rate_limited', 'Too many requests for this API key.', {
          retryable: true,
          details: { retryAfterMs: decision.retryAfterMs },
        });
      }
    }
    c.set('principal', principal);
    await next();
  };
}

/** 403 unless the authenticated key's role holds one of `permissions`. */
export function authorize(...permissions: Permission[]): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const principal = c.get('principal');
    if (!roleAllows(principal.role, permissions)) {
      throw new ApiError('api.forbidden', `Role "${principal.role}" may not do this.`, {
        details: { role: principal.role, required: permissions },
      });
    }
    await next();
  };
}
