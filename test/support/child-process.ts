import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { REDIS_URL } from './redis.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** The log line a prompt-run worker writes once it takes jobs. */
export const WORKER_STARTED = '"worker started"';

/** A Node.js child process whose output a test reads. */
export interface WatchedProcess {
  child: ChildProcess;
  /** Everything it wrote so far, stdout and stderr in the order they arrived. */
  output(): string;
  /** Everything it wrote to stderr so far. */
  stderr(): string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  /**
   * Resolves once the output contains `pattern`, with the match's first group (else the whole match);
   * rejects when the process exits first or `timeoutMs` passes.
   */
  waitForOutput(pattern: string | RegExp, timeoutMs?: number): Promise<string>;
}

export interface WatchedProcessOptions {
  /** The whole environment of the child: nothing is inherited that is not in it. */
  env: Record<string, string | undefined>;
  /** @default the repository root */
  cwd?: string;
  /** What error messages call the process, e.g. `opm worker`. */
  name: string;
  /** Receives every chunk of output too, e.g. to keep one log of several processes. */
  onOutput?: (text: string) => void;
}

/** `pattern` itself when the text contains it; for a RegExp, its first group, else the whole match. */
function find(text: string, pattern: string | RegExp): string | undefined {
  if (typeof pattern === 'string') return text.includes(pattern) ? pattern : undefined;
  const match = pattern.exec(text);
  return match ? (match[1] ?? match[0]) : undefined;
}

/** Starts `node <args>` and collects what it writes. */
export function spawnNode(args: readonly string[], options: WatchedProcessOptions): WatchedProcess {
  const child = spawn(process.execPath, args, {
    cwd: options.cwd ?? repoRoot,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
    options.onOutput?.(chunk);
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
    stderr += chunk;
    options.onOutput?.(chunk);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    stderr: () => stderr,
    exited,
    async waitForOutput(pattern, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = find(output, pattern);
        if (found !== undefined) return found;
        if (child.exitCode !== null) {
          throw new Error(
            `${options.name} exited with ${child.exitCode} before writing ${pattern}:\n${output}`,
          );
        }
        if (Date.now() > deadline) {
          throw new Error(`${options.name} wrote no ${pattern} in ${timeoutMs} ms:\n${output}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
}

/**
 * Starts `node <args>` and resolves once its output contains `startLine`; a process that does not
 * get there is killed.
 */
export async function startNode(
  args: readonly string[],
  startLine: string | RegExp,
  options: WatchedProcessOptions & { timeoutMs?: number },
): Promise<WatchedProcess> {
  const watched = spawnNode(args, options);
  try {
    await watched.waitForOutput(startLine, options.timeoutMs);
  } catch (error) {
    watched.child.kill('SIGKILL');
    await watched.exited;
    throw error;
  }
  return watched;
}

/** A `workers/prompt-runner.ts` child on the test's Redis prefix, answered by a fake OpenAI server. */
export interface PromptRunnerOptions {
  /** `OPM_QUEUE_PREFIX`. */
  prefix: string;
  /** `OPM_PROMPTS_DIR`. */
  promptsDir: string;
  /** The fake server's URL: the default provider is `openai` there, with one attempt per model. */
  openaiBaseUrl: string;
  /** More variables, e.g. `DATABASE_URL` or `OPM_CONCURRENCY`; nothing else is inherited but PATH and HOME. */
  env?: Record<string, string | undefined>;
  /** @default 30000 */
  timeoutMs?: number;
}

/** Starts `workers/prompt-runner.ts` (through tsx) and resolves once it takes jobs. */
export function startPromptRunner(options: PromptRunnerOptions): Promise<WatchedProcess> {
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    REDIS_URL,
    OPM_QUEUE_PREFIX: options.prefix,
    OPM_PROMPTS_DIR: options.promptsDir,
    OPM_DEFAULT_PROVIDER: 'openai',
    OPENAI_API_KEY: 'test-key',
    OPENAI_BASE_URL: options.openaiBaseUrl,
    OPM_RETRY_MAX_ATTEMPTS: '1',
    ...options.env,
  };
  return startNode(['--import', 'tsx', 'workers/prompt-runner.ts'], WORKER_STARTED, {
    env,
    name: 'workers/prompt-runner.ts',
    timeoutMs: options.timeoutMs ?? 30_000,
  });
}
