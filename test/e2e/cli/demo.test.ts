import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOpm } from '../../support/cli.js';
import { createQueueSandbox, type QueueSandbox } from './queue-support.js';

const examplePrompts = fileURLToPath(new URL('../../../prompts', import.meta.url));

describe('opm demo', () => {
  let sandbox: QueueSandbox;

  beforeAll(() => {
    sandbox = createQueueSandbox({});
  });

  afterAll(async () => {
    await sandbox?.dispose();
  });

  const demoEnv = () => ({
    ...sandbox.env,
    OPM_PROMPTS_DIR: examplePrompts,
    OPM_FORCE_PROVIDER: undefined,
  });

  it('runs every example prompt through an in-process worker and prints a results table', async () => {
    const result = await runOpm(['demo'], { cwd: sandbox.dataDir, env: demoEnv() });
    expect(result.code, result.stderr).toBe(0);
    const [header, , ...rows] = result.stdout.trim().split('\n');
    expect(header).toMatch(/^slug\s+status\s+model\s+tokens\s+latency\s+output$/);
    const slugs = new Set(rows.map((row) => row.split(/\s+/)[0]));
    expect(slugs).toContain('acme/support/triage');
    expect(slugs).toContain('research/papers/summarize');
    for (const row of rows) expect(row).toContain('completed');
    expect(rows).toHaveLength(slugs.size * 2);
    expect(result.stderr).toContain('provider echo');
    expect(result.stderr).toMatch(/(\d+)\/\1 completed/);
    // Runs were stored in the embedded PGlite under the data dir.
    expect(fs.existsSync(path.join(sandbox.dataDir, 'pglite'))).toBe(true);
  });

  it('runs again on the same data dir (the PGlite lock is released on exit)', async () => {
    const result = await runOpm(['demo', '--per-prompt', '1', '--json'], {
      cwd: sandbox.dataDir,
      env: demoEnv(),
    });
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as {
      provider: string;
      summary: { total: number; completed: number };
    };
    expect(report.provider).toBe('echo');
    expect(report.summary.completed).toBe(report.summary.total);
  });

  it('names `docker compose up -d redis` and exits non-zero when no Redis answers', async () => {
    const result = await runOpm(['demo'], {
      cwd: sandbox.dataDir,
      env: { ...demoEnv(), REDIS_URL: 'redis://127.0.0.1:1' },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('docker compose up -d redis');
    expect(result.stderr).toContain('[cli.redis_unreachable]');
  });
});
