import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { startNode, type WatchedProcess, WORKER_STARTED } from '../../support/child-process.js';
import { cliCommand } from '../../support/cli.js';
import { deleteKeys, REDIS_URL } from '../../support/redis.js';
import { createTempPrompts, type TempPrompts } from '../../support/temp-prompts.js';

/** A prompt with one required input, `ticket`. */
export const TRIAGE_PROMPT = [
  '---',
  'name: triage',
  'description: Sorts a support ticket',
  'model:',
  '  id: test-model',
  'inputs:',
  '  - name: ticket',
  '    kind: string',
  '    required: true',
  '    example: My invoice is wrong',
  '---',
  'system:',
  'Triage the ticket.',
  '',
  'user:',
  '{{ticket}}',
  '',
].join('\n');

/** Everything one queue test owns: a Redis prefix, a PGlite folder, a prompts folder. */
export interface QueueSandbox {
  prefix: string;
  dataDir: string;
  prompts: TempPrompts;
  /** The environment for `opm` child processes: echo provider, PGlite, the sandbox's prefix. */
  env: Record<string, string | undefined>;
  dispose(): Promise<void>;
}

export function createQueueSandbox(files: Record<string, string>): QueueSandbox {
  const prefix = `test-${randomUUID()}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'opm-e2e-data-'));
  const prompts = createTempPrompts(files);
  return {
    prefix,
    dataDir,
    prompts,
    env: {
      REDIS_URL,
      OPM_QUEUE_PREFIX: prefix,
      OPM_DATA_DIR: dataDir,
      OPM_PROMPTS_DIR: prompts.root,
      OPM_FORCE_PROVIDER: 'echo',
      DATABASE_URL: undefined,
      OPENROUTER_API_KEY: undefined,
      OPENAI_API_KEY: undefined,
      AZURE_OPENAI_API_KEY: undefined,
      OPM_CONFIG: undefined,
    },
    async dispose() {
      const redis = new Redis(REDIS_URL);
      await deleteKeys(redis, `${prefix}:*`);
      redis.disconnect();
      prompts.remove();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** An `opm worker` child process that has started taking jobs. */
export interface WorkerProcess extends WatchedProcess {
  /** SIGKILLs the process if it is still running. */
  kill(): void;
}

/** Starts `opm worker <args>` in `cwd` and resolves once it takes jobs. */
export async function startWorkerProcess(
  args: readonly string[],
  env: Record<string, string | undefined>,
  cwd: string,
): Promise<WorkerProcess> {
  const worker = await startNode([...cliCommand(), 'worker', ...args], WORKER_STARTED, {
    cwd,
    env: { ...process.env, NO_COLOR: '1', ...env },
    name: 'opm worker',
  });
  return {
    ...worker,
    kill() {
      if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGKILL');
    },
  };
}

/** A sandbox with an `opm worker` taking its jobs, shared by the tests of one file. */
export interface WorkerSandbox extends QueueSandbox {
  worker: WorkerProcess;
}

/** Creates a sandbox holding `files` and starts `opm worker <workerArgs>` on it; `dispose` stops both. */
export async function startWorkerSandbox(
  files: Record<string, string>,
  workerArgs: readonly string[],
): Promise<WorkerSandbox> {
  const sandbox = createQueueSandbox(files);
  let worker: WorkerProcess;
  try {
    worker = await startWorkerProcess(workerArgs, sandbox.env, sandbox.prompts.root);
  } catch (error) {
    await sandbox.dispose();
    throw error;
  }
  return {
    ...sandbox,
    worker,
    async dispose() {
      worker.child.kill('SIGTERM');
      await worker.exited;
      await sandbox.dispose();
    },
  };
}
