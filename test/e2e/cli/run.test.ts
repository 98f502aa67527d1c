import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOpm } from '../../support/cli.js';
import { startWorkerSandbox, TRIAGE_PROMPT, type WorkerSandbox } from './queue-support.js';

describe('opm run', () => {
  let sandbox: WorkerSandbox;

  beforeAll(async () => {
    sandbox = await startWorkerSandbox({ 'acme/support/triage.prompty': TRIAGE_PROMPT }, [
      '--concurrency',
      '4',
    ]);
  });

  afterAll(() => sandbox?.dispose());

  it('prints the output of a run done by a worker process and exits 0', async () => {
    const result = await runOpm(['run', 'acme/support/triage', '--var', 'ticket=I was charged twice'], {
      cwd: sandbox.prompts.root,
      env: sandbox.env,
    });
    expect(result.stderr).toContain('model test-model via echo');
    expect(result.code, result.stderr).toBe(0);
    // The echo provider answers with the rendered messages.
    expect(result.stdout).toContain('user: I was charged twice');
    expect(result.stderr).toMatch(/tokens \d+→\d+/);
    expect(result.stderr).toMatch(/latency \d+ ms/);
  });

  it('prints the whole run result as JSON with --json', async () => {
    const result = await runOpm(['run', 'acme/support/triage', '--var', 'ticket=Refund please', '--json'], {
      cwd: sandbox.prompts.root,
      env: sandbox.env,
    });
    expect(result.code, result.stderr).toBe(0);
    const run = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(run).toMatchObject({ status: 'completed', slug: 'acme/support/triage', modelUsed: 'test-model' });
    expect(run.text).toContain('Refund please');
    expect(run.inputTokens).toBeGreaterThan(0);
  });

  it('exits non-zero with the run’s typed error code when a variable is missing', async () => {
    const result = await runOpm(['run', 'acme/support/triage', '--json'], {
      cwd: sandbox.prompts.root,
      env: sandbox.env,
    });
    expect(result.code, result.stderr).toBe(1);
    const { error } = JSON.parse(result.stdout) as { error: { code: string; message: string } };
    expect(error.code).toBe('prompty.missing_input');
    expect(error.message).toContain('ticket');
  });

  it('fails at once, naming `opm worker`, when no worker consumes the queue', async () => {
    const result = await runOpm(['run', 'acme/support/triage', '--var', 'ticket=x', '--json'], {
      cwd: sandbox.prompts.root,
      env: { ...sandbox.env, OPM_QUEUE_PREFIX: `${sandbox.prefix}-idle` },
    });
    expect(result.code, result.stderr).toBe(1);
    const { error } = JSON.parse(result.stdout) as { error: { code: string; message: string } };
    expect(error.code).toBe('cli.no_worker');
    expect(error.message).toContain('opm worker');
  });
});
