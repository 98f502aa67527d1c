import { DelayedError, type Job, type QueueEventsProducer, UnrecoverableError } from 'bullmq';
import { isOpmError, toErrorJson } from '../errors/index.js';
import {
  type JobHandlers,
  PROMPT_RUN_JOB,
  type PROMPT_RUNS_QUEUE,
  type PromptRunPayload,
  parseJobPayload,
  publishRunFailed,
  type QueueJobName,
  type RunResult,
} from '../queue/index.js';
import type { NewRun } from '../store/index.js';
import {
  type AttemptState,
  decideQueueAction,
  type ErrorPolicyOptions,
  type QueueAction,
} from './error-policy.js';
import { type RunPromptDeps, runPrompt } from './run-prompt.js';
import { toRunResult } from './run-results.js';
import type { RunStore } from './types.js';

export interface ProcessorDeps extends RunPromptDeps {
  store: RunStore;
  /** Publishes failed runs on the queue's event stream. */
  events: QueueEventsProducer;
  policy?: ErrorPolicyOptions;
  /** Called with every final result before the job is acknowledged (enqueues webhooks). */
  notify?: (result: RunResult) => Promise<void>;
}

/** What a handler sees of the BullMQ job. */
export interface HandlerContext {
  job: Job;
  token: string | undefined;
}

/**
 * The BullMQ processor: parse the payload again (Redis data is untrusted), run the domain steps,
 * persist the row under the job id before the job is acknowledged, and let the completion event
 * carry the result. Failures go through the error policy.
 */
export function createProcessor(deps: ProcessorDeps) {
  const handlers: JobHandlers<typeof PROMPT_RUNS_QUEUE, HandlerContext, RunResult> = {
    [PROMPT_RUN_JOB]: (payload, context) => handlePromptRun(deps, payload, context),
  };
  // Two parameters only: BullMQ creates an AbortController per job for a processor that takes a
  // third (`signal`), and opm never cancels a running job (a drain waits for it, a dead worker's
  // job returns as stalled). Not async itself: the handler's promise is returned as it is.
  return (job: Job, token?: string): Promise<RunResult> => {
    if (!(job.name in handlers)) {
      return Promise.reject(new UnrecoverableError(`No handler for job "${job.name}"`));
    }
    const name = job.name as QueueJobName<typeof PROMPT_RUNS_QUEUE>;
    let payload: PromptRunPayload;
    try {
      payload = parseJobPayload(name, job.data);
    } catch (error) {
      return Promise.reject(new UnrecoverableError((error as Error).message));
    }
    return handlers[name](payload, { job, token });
  };
}

async function handlePromptRun(
  deps: ProcessorDeps,
  payload: PromptRunPayload,
  context: HandlerContext,
): Promise<RunResult> {
  try {
    return await runAndPersist(deps, payload, context);
  } catch (error) {
    if (error instanceof UnrecoverableError || error instanceof DelayedError) throw error;
    // Infrastructure failures (the database, Redis) go through the same policy as run failures.
    const action = decideQueueAction(error, attemptStateOf(context.job), deps.policy);
    throw await toQueueThrowable(action, error, context.job, context.token);
  }
}

async function runAndPersist(
  deps: ProcessorDeps,
  payload: PromptRunPayload,
  { job, token }: HandlerContext,
): Promise<RunResult> {
  const jobId = requireJobId(job);
  // A re-run (after a stall or a retry) or a re-enqueued idempotent job may already have its row.
  if (job.attemptsStarted > 1 || payload.idempotencyKey !== undefined) {
    const existing = await deps.store.find(jobId);
    if (existing) {
      const result = toRunResult(existing);
      await deps.notify?.(result);
      if (existing.status === 'completed') return result;
      await publishRunFailed(deps.events, result);
      throw new UnrecoverableError(`[${existing.errorCode}] ${existing.errorMessage}`);
    }
  }
  const outcome = await runPrompt(deps, payload, { jobId, startedAt: Date.now() });
  if (outcome.ok) {
    await persist(deps.store, outcome.row);
    const result = toRunResult(outcome.row);
    await deps.notify?.(result);
    return result;
  }
  const action = decideQueueAction(outcome.error, attemptStateOf(job), deps.policy);
  if (action.isFinal) {
    await persist(deps.store, outcome.row);
    const result = toRunResult(outcome.row);
    await deps.notify?.(result);
    await publishRunFailed(deps.events, result);
  }
  throw await toQueueThrowable(action, outcome.error, job, token);
}

const PERSIST_TRIES = 4;
const PERSIST_BASE_DELAY_MS = 250;

/**
 * Writes the row, riding out a short database outage in place: the LLM call is already paid for,
 * and a re-run would pay for it again.
 */
async function persist(store: RunStore, row: NewRun): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await store.write(row);
      return;
    } catch (error) {
      const isOutage = isOpmError(error) && error.code === 'store.unavailable';
      if (!isOutage || attempt >= PERSIST_TRIES) throw error;
      await new Promise((resolve) => setTimeout(resolve, PERSIST_BASE_DELAY_MS * 2 ** (attempt - 1)));
    }
  }
}

function attemptStateOf(job: Job): AttemptState {
  return {
    attemptsMade: job.attemptsMade,
    attemptsStarted: job.attemptsStarted,
    maxAttempts: job.opts.attempts ?? 1,
  };
}

/** Applies a QueueAction: the value to throw from the processor. */
async function toQueueThrowable(
  action: QueueAction,
  error: unknown,
  job: Job,
  token: string | undefined,
): Promise<Error> {
  const { code, message } = toErrorJson(error);
  switch (action.kind) {
    case 'fail':
      return new UnrecoverableError(`[${code}] ${message}`);
    case 'delay':
      await job.moveToDelayed(Date.now() + action.delayMs, token);
      return new DelayedError();
    case 'retry':
      return error instanceof Error ? error : new Error(`[${code}] ${message}`);
  }
}

function requireJobId(job: Job): string {
  if (job.id === undefined) throw new UnrecoverableError('Job has no id');
  return job.id;
}
