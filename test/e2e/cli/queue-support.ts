import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { cliCommand } from '../../support/cli.js';
import { createTempPrompts, type TempPrompts } from '../../support/temp-prompts.js';

export const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

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
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1_000);
        cursor = next;
        if (keys.length > 0) await redis.unlink(...keys);
      } while (cursor !== '0');
      redis.disconnect();
      prompts.remove();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** An `opm worker` child process. */
export interface WorkerProcess {
  child: ChildProcess;
  /** Everything the worker wrote to stderr so far. */
  stderr(): string;
  /** Resolves once stderr contains `text`. */
  waitForLog(text: string, timeoutMs?: number): Promise<void>;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  /** SIGKILLs the process if it is still running. */
  kill(): void;
}

export function startWorkerProcess(
  args: readonly string[],
  env: Record<string, string | undefined>,
  cwd: string,
): WorkerProcess {
  const child = spawn(process.execPath, [...cliCommand(), 'worker', ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  child.stdout?.resume();
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    stderr: () => stderr,
    async waitForLog(text, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (!stderr.includes(text)) {
        if (child.exitCode !== null) throw new Error(`worker exited (${child.exitCode}):\n${stderr}`);
        if (Date.now() > deadline) throw new Error(`no "${text}" in worker log:\n${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    exited,
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
