import { spawn } from 'node:child_process';
import { describe, expect } from 'vitest';
import { insertRuns } from '../../../src/store/index.js';
import { cliCommand } from '../../support/cli.js';
import { databaseTest } from '../../support/db.js';
import { eventually } from '../queue/support.js';
import { sampleRun } from '../store/fixtures.js';

const it = databaseTest('postgres');

describe('opm logs --follow', () => {
  it('prints stored runs, then every run stored afterwards (batch rows included), until SIGINT', async ({
    testDb,
  }) => {
    await insertRuns(testDb.database.db, [sampleRun({ slug: 'acme/old', jobId: 'old-1' })]);
    const child = spawn(
      process.execPath,
      [...cliCommand(), 'logs', '--follow', '--json', '--interval-ms', '100'],
      {
        env: { ...process.env, DATABASE_URL: testDb.url, OPM_DATABASE_SCHEMA: testDb.schema, NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const jobIds = () =>
      stdout
        .trim()
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => (JSON.parse(line) as { jobId: string }).jobId);
    try {
      await eventually(async () => jobIds().includes('old-1'), 30_000, 50);
      // One statement: the rows share created_at, which the (created_at, id) cursor handles.
      const batch = Array.from({ length: 5 }, (_, i) => sampleRun({ jobId: `new-${i}` }));
      await insertRuns(testDb.database.db, batch);
      await insertRuns(testDb.database.db, [
        sampleRun({ jobId: 'new-late', status: 'failed', errorCode: 'gateway.auth' }),
      ]);
      await eventually(async () => jobIds().length >= 7, 15_000, 50);
      await new Promise((resolve) => setTimeout(resolve, 400)); // a few more polls: nothing repeats
      expect(jobIds()).toHaveLength(7);
      expect(jobIds().slice(1, 6).sort()).toEqual(['new-0', 'new-1', 'new-2', 'new-3', 'new-4']);
      expect(jobIds().at(-1)).toBe('new-late');
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited, stderr).toBe(0);
    expect(new Set(jobIds()).size).toBe(7);
  });
});
