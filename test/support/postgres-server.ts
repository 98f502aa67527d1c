import { execFile } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port.js';

const run = promisify(execFile);

/** A PostgreSQL server of the test's own, that it can stop (as in a crash) and start again. */
export interface PostgresServer {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust authentication). */
  url: string;
  /** Stops at once (`-m immediate`: no shutdown checkpoint, like a crash); connections drop. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and removes its data folder. */
  dispose(): Promise<void>;
}

/** The folder of `initdb` and `pg_ctl`: `$PG_BIN`, else the newest Debian/Ubuntu install, else PATH. */
async function binDir(): Promise<string> {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  try {
    const { stdout } = await run('sh', ['-c', 'ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1']);
    if (stdout.trim() !== '') return stdout.trim();
  } catch {
    // Fall back to PATH.
  }
  return '';
}

/**
 * Creates a cluster in a temporary folder and starts it on a free port. Postgres refuses to run as
 * root, so as root it runs as the `postgres` user (through `runuser`).
 */
export async function startPostgresServer(): Promise<PostgresServer> {
  const bin = await binDir();
  const tool = (name: string) => (bin === '' ? name : join(bin, name));
  const isRoot = process.getuid?.() === 0;
  const asOwner = async (command: string, args: string[]) =>
    isRoot ? run('runuser', ['-u', 'postgres', '--', command, ...args]) : run(command, args);
  const dir = mkdtempSync(join(tmpdir(), 'opm-pg-'));
  const data = join(dir, 'data');
  if (isRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  chmodSync(dir, 0o700);
  await asOwner(tool('initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
  const start = async () => {
    await asOwner(tool('pg_ctl'), ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', 'start']);
  };
  const stop = async () => {
    await asOwner(tool('pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
  };
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop,
    start,
    async dispose() {
      await stop().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
