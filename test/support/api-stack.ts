import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { cliCommand } from './cli.js';
import { postgresUrl } from './db.js';
import { createTempPrompts, type TempPrompts } from './temp-prompts.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

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

/** A new, empty Postgres database on the test server, and how to drop it. */
export async function createScratchDatabase(
  serverUrl: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `opm_api_${randomUUID().replaceAll('-', '')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}

/** Polls a process's collected output for `pattern`; fails when the process exits first. */
async function waitForOutput(
  child: ChildProcess,
  output: () => string,
  pattern: RegExp,
  timeoutMs: number,
  what: string,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const match = pattern.exec(output());
    if (match) return match[1] ?? match[0];
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${what} did not start in ${timeoutMs} ms:\n${output()}`);
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
  const outputs = new Map<ChildProcess, string>();
  const spawnOpm = (args: string[]) => {
    const child = spawn(process.execPath, [...cliCommand(), ...args], {
      cwd: repoRoot,
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const collect = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      output += text;
      outputs.set(child, (outputs.get(child) ?? '') + text);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    return child;
  };
  const worker = spawnOpm(['worker']);
  const server = spawnOpm(['serve', '--port', '0']);
  let baseUrl: string;
  try {
    const of = (child: ChildProcess) => () => outputs.get(child) ?? '';
    await waitForOutput(worker, of(worker), /"message":"worker started"/, 60_000, 'opm worker');
    baseUrl = await waitForOutput(server, of(server), /\{"listening":"([^"]+)"\}/, 60_000, 'opm serve');
  } catch (error) {
    await Promise.all([stopChild(server), stopChild(worker)]);
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
      await stopChild(server);
      return server.exitCode;
    },
    async stop() {
      await Promise.all([stopChild(server), stopChild(worker)]);
      prompts.remove();
      await database.drop();
    },
  };
}
