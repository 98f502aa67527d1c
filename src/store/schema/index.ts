export type { NewRun, Run, RunAttempt, RunStatus } from './runs.js';
export { RUN_STATUSES, runs } from './runs.js';
export type { NewWebhookDelivery, WebhookDelivery } from './webhook-deliveries.js';
export { webhookDeliveries } from './webhook-deliveries.js';
