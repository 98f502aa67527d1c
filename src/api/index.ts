/** @module api — the HTTP API (Hono + zod-openapi): runs, events, prompts, stats, API keys with roles. */
export { type ApiApp, type AppOptions, createApp } from './app.js';
export { type Authenticator, type AuthenticatorOptions, createAuthenticator } from './auth/authenticator.js';
export { API_KEY_PREFIX, displayPrefix, generateApiKey, hashApiKey } from './auth/keys.js';
export { PERMISSIONS, type Permission, ROLE_PERMISSIONS, roleAllows } from './auth/roles.js';
export { API_ERROR_CODES, ApiError, type ApiErrorCode } from './errors.js';
export { statusForCode, toErrorResponse } from './on-error.js';
export { type RunningServer, type StartServerOptions, startServer } from './server.js';
export type { ApiEnv, ApiLogger, Principal } from './types.js';
export { toApiKeyView } from './views.js';
