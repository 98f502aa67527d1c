/** @module store — runs and webhook deliveries in Postgres or embedded PGlite, through drizzle. */

export type { CreateDatabaseOptions, Database, DatabaseKind, Db } from './client.js';
export { createDatabase } from './client.js';
export type { StoreErrorCode } from './errors.js';
export { STORE_ERROR_CODES, StoreError } from './errors.js';
export type { MigrateOptions } from './migrate.js';
export { defaultMigrationsFolder, migrate } from './migrate.js';
export { executeRows } from './queries/raw.js';
export type { ListRunsOptions, RunFilter } from './queries/runs.js';
export { countRuns, getRunByJobId, insertRuns, listRuns, MAX_RUNS_PER_INSERT } from './queries/runs.js';
export { insertWebhookDelivery, listWebhookDeliveries } from './queries/webhook-deliveries.js';
export type { RunWriter, RunWriterOptions, RunWriterStats } from './run-writer.js';
export { createRunWriter } from './run-writer.js';
export type {
  NewRun,
  NewWebhookDelivery,
  Run,
  RunAttempt,
  RunStatus,
  WebhookDelivery,
} from './schema/index.js';
export { RUN_STATUSES, runs, webhookDeliveries } from './schema/index.js';
