import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliCommand } from '../../support/cli.js';
import { createQueueSandbox, type QueueSandbox, TRIAGE_PROMPT } from './queue-support.js';

const LINES = 40;

function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * Runs `opm <args>` on a pseudo-terminal (util-linux `script`), because the progress bar draws only
 * when stderr is a terminal. Everything the command writes comes back as one terminal transcript.
 */
function runOpmOnTerminal(
  args: readonly string[],
  options: { cwd: string; env: Record<string, string | undefined> },
): Promise<{ code: number | null; transcript: string }> {
  const command = [process.execPath, ...cliCommand(), ...args].map(shellQuote).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-q', '-e', '-c', command, '/dev/null'], {
      cwd: options.cwd,
      env: { ...process.env, NO_COLOR: '1', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let transcript = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      transcript += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      transcript += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, transcript }));
  });
}

describe('opm batch on a terminal', () => {
  let sandbox: QueueSandbox;

  beforeAll(() => {
    sandbox = createQueueSandbox({ 'acme/support/triage.prompty': TRIAGE_PROMPT });
    const lines = Array.from({ length: LINES }, (_, index) => JSON.stringify({ ticket: `ticket ${index}` }));
    fs.writeFileSync(path.join(sandbox.prompts.root, 'items.jsonl'), `${lines.join('\n')}\n`);
  });

  afterAll(async () => {
    await sandbox?.dispose();
  });

  it('draws an enqueue and a finish progress bar, then prints the summary', async () => {
    const result = await runOpmOnTerminal(
      [
        'batch',
        'acme/support/triage',
        '--input',
        'items.jsonl',
        '--output',
        'results.jsonl',
        '--local',
        '--concurrency',
        '4',
      ],
      { cwd: sandbox.prompts.root, env: sandbox.env },
    );
    expect(result.code, result.transcript).toBe(0);
    expect(result.transcript).toMatch(new RegExp(`enqueued\\s+\\S+ ${LINES}/${LINES} \\(100%\\)`));
    expect(result.transcript).toMatch(new RegExp(`finished\\s+\\S+ ${LINES}/${LINES} \\(100%\\)`));
    // The summary follows the bars, so it is not overdrawn by them.
    const summaryAt = result.transcript.indexOf(`${LINES} lines: ${LINES} completed, 0 failed`);
    expect(summaryAt).toBeGreaterThan(result.transcript.lastIndexOf('finished'));
    expect(result.transcript).toContain('results: ');
    const records = fs
      .readFileSync(path.join(sandbox.prompts.root, 'results.jsonl'), 'utf8')
      .trim()
      .split('\n');
    expect(records).toHaveLength(LINES);
  });
});
