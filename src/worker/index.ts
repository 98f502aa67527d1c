/** @module worker — runs prompt-run jobs: resolve → render → gateway → persist → publish. */
export {
  type ComposedWorker,
  type ComposeWorkerOptions,
  composeWorker,
  gatewayOptionsFrom,
} from './compose.js';
export {
  type AttemptState,
  decideQueueAction,
  type ErrorPolicyOptions,
  type QueueAction,
} from './error-policy.js';
export { WORKER_ERROR_CODES, WorkerError, type WorkerErrorCode } from './errors.js';
export {
  createWorker,
  installShutdownHandlers,
  type OpmWorker,
  type WorkerLogger,
  type WorkerOptions,
} from './lifecycle.js';
export { createProcessor, type ProcessorDeps } from './processor.js';
export { failedRow, type RunContext, type RunOutcome, type RunPromptDeps, runPrompt } from './run-prompt.js';
export { createRunReader, createRunStore, toRunRecord, toRunResult } from './run-results.js';
export type {
  CompletionCall,
  CompletionGateway,
  CompletionOutcome,
  PromptRenderer,
  PromptResolver,
  RunStore,
} from './types.js';
export {
  createUnrecordedFailureRecorder,
  type UnrecordedFailureRecorder,
  type UnrecordedFailuresOptions,
} from './unrecorded-failures.js';
