export type { ApiKey, ApiKeyRole, NewApiKey } from './api-keys.js';
export { API_KEY_ROLES, apiKeys } from './api-keys.js';
export type { NewRunFeedback, RunFeedback } from './run-feedback.js';
export { runFeedback } from './run-feedback.js';
export type { NewRun, Run, RunAttempt, RunStatus } from './runs.js';
export { RUN_STATUSES, runs } from './runs.js';
export type { NewWebhookDelivery, WebhookDelivery } from './webhook-deliveries.js';
export { webhookDeliveries } from './webhook-deliveries.js';
