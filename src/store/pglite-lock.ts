import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { STORE_ERROR_CODES, StoreError } from './errors.js';

const LOCK_FILE = 'opm.lock';

/** Directories this process holds; a lock file with our own pid but not listed here is a stale one. */
const heldHere = new Set<string>();

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Claims a PGlite data directory for this process. PGlite has no locking of its own, and two
 * processes writing one directory corrupt it, so a second opener fails with a clear message.
 * A lock left by a process that no longer runs (or by an earlier process with our pid, as after a
 * container restart) is taken over.
 *
 * @returns a function that releases the claim
 */
export function lockDataDir(dataDir: string): () => void {
  const path = join(dataDir, LOCK_FILE);
  if (heldHere.has(dataDir)) {
    throw new StoreError(
      STORE_ERROR_CODES.unavailable,
      `The PGlite data directory ${dataDir} is already open in this process; share one Database instead.`,
      { details: { dataDir, pid: process.pid } },
    );
  }
  for (let tries = 0; tries < 2; tries++) {
    try {
      writeFileSync(path, String(process.pid), { flag: 'wx' });
      heldHere.add(dataDir);
      let isReleased = false;
      return () => {
        if (isReleased) return;
        isReleased = true;
        heldHere.delete(dataDir);
        rmSync(path, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number.parseInt(readFileSync(path, 'utf8'), 10);
      if (Number.isInteger(owner) && owner !== process.pid && isAlive(owner)) {
        throw new StoreError(
          STORE_ERROR_CODES.unavailable,
          `The PGlite data directory ${dataDir} is in use by process ${owner}. PGlite serves one process; ` +
            'set DATABASE_URL to a Postgres server to share runs between processes.',
          { details: { dataDir, pid: owner } },
        );
      }
      rmSync(path, { force: true });
    }
  }
  throw new StoreError(STORE_ERROR_CODES.unavailable, `Cannot lock the PGlite data directory ${dataDir}`, {
    details: { dataDir },
  });
}
