/** @module store — runs, feedback, API keys and webhook deliveries in Postgres or embedded PGlite, through drizzle. */

export type { CreateDatabaseOptions, Database, DatabaseKind, Db } from './client.js';
export { createDatabase } from './client.js';
export type { StoreErrorCode } from './errors.js';
export { STORE_ERROR_CODES, StoreError } from './errors.js';
export type { MigrateOptions } from './migrate.js';
export { defaultMigrationsFolder, migrate } from './migrate.js';
export {
  findApiKeyByHash,
  findApiKeys,
  insertApiKey,
  listApiKeys,
  revokeApiKey,
  touchApiKey,
} from './queries/api-keys.js';
export type { AuditFilter } from './queries/audit.js';
export { appendAudit, listAudit } from './queries/audit.js';
export { getLabel, listGuardedLabels, listLabels, saveLabel } from './queries/labels.js';
export { executeRows } from './queries/raw.js';
export { insertRunFeedback, listRunFeedback } from './queries/run-feedback.js';
export type { ListRunsOptions, RunFilter } from './queries/runs.js';
export { countRuns, getRunByJobId, insertRuns, listRuns, MAX_RUNS_PER_INSERT } from './queries/runs.js';
export type { Percentiles, UsageStats, UsageStatsGroup, UsageStatsOptions } from './queries/stats.js';
export { USAGE_STATS_GROUPS, usageStats } from './queries/stats.js';
export type { VersionRunStats } from './queries/version-stats.js';
export { versionRunStats } from './queries/version-stats.js';
export {
  findVersion,
  hasPublishedVersions,
  insertVersions,
  latestVersion,
  listLatestVersions,
  listVersions,
} from './queries/versions.js';
export { insertWebhookDelivery, listWebhookDeliveries } from './queries/webhook-deliveries.js';
export type { RunWriter, RunWriterOptions, RunWriterStats } from './run-writer.js';
export { createRunWriter } from './run-writer.js';
export type {
  ApiKey,
  ApiKeyRole,
  AuditAction,
  AuditEntry,
  LabelGuard,
  LabelTarget,
  NewApiKey,
  NewAuditEntry,
  NewPromptLabel,
  NewPromptVersion,
  NewRun,
  NewRunFeedback,
  NewWebhookDelivery,
  PromptLabel,
  PromptVersion,
  Run,
  RunAttempt,
  RunFeedback,
  RunStatus,
  WebhookDelivery,
} from './schema/index.js';
export {
  API_KEY_ROLES,
  AUDIT_ACTIONS,
  apiKeys,
  auditLog,
  promptLabels,
  prompts,
  promptVersions,
  RUN_STATUSES,
  runFeedback,
  runs,
  webhookDeliveries,
} from './schema/index.js';
