import type { ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { spawnNode } from './child-process.js';
import { cliCommand } from './cli.js';
import { createScratchDatabase, postgresUrl } from './db.js';
import { createTempPrompts, type TempPrompts } from './temp-prompts.js';

/** A prompt with one required input, so that a missing variable is a 422. */
export const GREETING_PROMPT = [
  '---',
  'name: greeting',
  'description: Greets a person',
  'model:',
  '  id: gpt-4o-mini',
  'inputs:',
  '  - name: person',
  '    kind: string',
  '    required: true',
  '---',
  'system:',
  'Greet the person.',
  '',
  'user:',
  'Hello, I am {{person}}.',
  '',
].join('\n');

/** `opm serve` and `opm worker` as child processes on their own database and queue prefix. */
export interface ApiStack {
  baseUrl: string;
  /** The bootstrap admin key (`OPM_ADMIN_KEY`). */
  adminKey: string;
  /** The environment both processes got, for more `opm` commands against the same stack. */
  env: Record<string, string>;
  prompts: TempPrompts;
  /** Everything both processes wrote so far (stdout and stderr). */
  output(): string;
  /** Creates a key through `POST /v1/keys` and returns it. */
  createKey(role: string, name?: string): Promise<{ key: string; id: string }>;
  /** Sends SIGTERM to `opm serve` only; resolves with its exit code. */
  stopServer(): Promise<number | null>;
  stop(): Promise<void>;
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * Starts `opm serve --port 0` and `opm worker` (echo provider, so no network) on a fresh Postgres
 * database and queue prefix, with `files` as the prompts folder.
 */
export async function startApiStack(
  files: Record<string, string> = { 'acme/greeting.prompty': GREETING_PROMPT },
  extraEnv: Record<string, string> = {},
): Promise<ApiStack> {
  const database = await createScratchDatabase(await postgresUrl());
  const prompts = createTempPrompts(files);
  const adminKey = `opm_bootstrap_${randomBytes(16).toString('hex')}`;
  const env: Record<string, string> = {
    DATABASE_URL: database.url,
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    OPM_QUEUE_PREFIX: `test-${randomUUID()}`,
    OPM_PROMPTS_DIR: prompts.root,
    OPM_FORCE_PROVIDER: 'echo',
    OPM_ADMIN_KEY: adminKey,
    OPM_CONCURRENCY: '8',
    ...extraEnv,
  };
  let output = '';
  const spawnOpm = (args: string[], name: string) =>
    spawnNode([...cliCommand(), ...args], {
      env: { ...process.env, NO_COLOR: '1', ...env },
      name,
      onOutput: (text) => {
        output += text;
      },
    });
  const worker = spawnOpm(['worker'], 'opm worker');
  const server = spawnOpm(['serve', '--port', '0'], 'opm serve');
  let baseUrl: string;
  try {
    await worker.waitForOutput(/"message":"worker started"/, 60_000);
    baseUrl = await server.waitForOutput(/\{"listening":"([^"]+)"\}/, 60_000);
  } catch (error) {
    await Promise.all([stopChild(server.child), stopChild(worker.child)]);
    prompts.remove();
    await database.drop();
    throw error;
  }
  return {
    baseUrl,
    adminKey,
    env,
    prompts,
    output: () => output,
    async createKey(role, name = `${role}-${randomUUID().slice(0, 8)}`) {
      const response = await fetch(`${baseUrl}/v1/keys`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name, role }),
      });
      if (response.status !== 201)
        throw new Error(`creating a ${role} key: ${response.status} ${await response.text()}`);
      const body = (await response.json()) as { key: string; apiKey: { id: string } };
      return { key: body.key, id: body.apiKey.id };
    },
    async stopServer() {
      await stopChild(server.child);
      return server.child.exitCode;
    },
    async stop() {
      await Promise.all([stopChild(server.child), stopChild(worker.child)]);
      prompts.remove();
      await database.drop();
    },
  };
}
