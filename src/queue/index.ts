/** @module queue — the typed job catalog, the client SDK (enqueue, run, results) and completion events. */
export {
  type JobDefinition,
  type JobHandlers,
  type JobName,
  type JobPayload,
  jobCatalog,
  jobIdForIdempotencyKey,
  PROMPT_RUN_JOB,
  PROMPT_RUNS_QUEUE,
  type PromptRunPayload,
  PromptRunPayloadSchema,
  parseJobPayload,
  type QueueJobName,
  WEBHOOK_DELIVER_JOB,
  WEBHOOKS_QUEUE,
  type WebhookDeliveryPayload,
  WebhookDeliveryPayloadSchema,
} from './catalog.js';
export {
  type ClientOptions,
  createClient,
  type EnqueueItem,
  type EnqueueManyOptions,
  type OpmClient,
  type RunOptions,
  type RunReader,
} from './client.js';
export {
  type ConnectionRole,
  connectionFor,
  createRedisClient,
  DEFAULT_PREFIX,
  type RedisInput,
  readMaxmemoryPolicy,
  waitUntilConnected,
} from './connection.js';
export {
  QUEUE_ERROR_CODES,
  QueueError,
  type QueueErrorCode,
  RunFailedError,
  RunTimeoutError,
  type StoredRunError,
} from './errors.js';
export {
  publishRunFailed,
  RUN_FAILED_EVENT,
  type RunEventListener,
  type RunEventName,
  RunEvents,
} from './events.js';
export { type EnqueueOptions, EnqueueOptionsSchema, type JobDefaults } from './producer.js';
export {
  RunErrorSchema,
  type RunRecord,
  RunRecordSchema,
  type RunResult,
  RunResultSchema,
  unreportedFailure,
} from './results.js';
export { toRunRecord, toRunResult } from './run-views.js';
export {
  createWebhookNotifier,
  createWebhookWorker,
  matchesSlugPattern,
  SIGNATURE_HEADER,
  selectWebhooks,
  signWebhookBody,
  verifyWebhookSignature,
  type WebhookBody,
  type WebhookDeliveryRecord,
  type WebhookNotifier,
  type WebhookQueueOptions,
  type WebhookTarget,
  WebhookTargetSchema,
  type WebhookWorker,
  type WebhookWorkerOptions,
} from './webhooks.js';
