import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOpm } from '../../support/cli.js';
import {
  createQueueSandbox,
  startWorkerSandbox,
  TRIAGE_PROMPT,
  type WorkerSandbox,
} from './queue-support.js';

interface Record_ {
  line: number;
  jobId: string | null;
  status: string;
  text?: string | null;
  error?: { code: string; message: string } | null;
}

const TICKETS = Array.from({ length: 25 }, (_, index) => `ticket number ${index}`);

/** 25 good lines, with a line that is not JSON at 4, a blank line at 8 and a missing variable at 12. */
function inputLines(): string[] {
  const lines = TICKETS.map((ticket) => JSON.stringify({ ticket }));
  lines.splice(3, 0, '{"ticket": oops}');
  lines.splice(7, 0, '');
  lines.splice(11, 0, JSON.stringify({ other: 'no ticket here' }));
  return lines;
}

function readRecords(file: string): Record_[] {
  return fs
    .readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record_);
}

describe('opm batch', () => {
  let sandbox: WorkerSandbox;

  beforeAll(async () => {
    sandbox = await startWorkerSandbox({ 'acme/support/triage.prompty': TRIAGE_PROMPT }, [
      '--concurrency',
      '8',
    ]);
    fs.writeFileSync(path.join(sandbox.prompts.root, 'items.jsonl'), `${inputLines().join('\n')}\n`);
  });

  afterAll(() => sandbox?.dispose());

  it('writes one result per input line, in input order, and reports the bad line by number', async () => {
    const result = await runOpm(
      ['batch', 'acme/support/triage', '--input', 'items.jsonl', '--output', 'results.jsonl'],
      { cwd: sandbox.prompts.root, env: sandbox.env },
    );
    expect(result.stderr).toContain('items.jsonl:4: not valid JSON');
    const records = readRecords(path.join(sandbox.prompts.root, 'results.jsonl'));
    expect(records.map((record) => record.line)).toEqual(
      inputLines().flatMap((text, index) => (text === '' ? [] : [index + 1])),
    );
    expect(records.find((record) => record.line === 4)).toMatchObject({ status: 'invalid', jobId: null });
    expect(records.find((record) => record.line === 12)).toMatchObject({
      status: 'failed',
      error: { code: 'prompty.missing_input' },
    });
    const completed = records.filter((record) => record.status === 'completed');
    expect(completed.map((record) => record.text?.match(/ticket number \d+/)?.[0])).toEqual(TICKETS);
    expect(new Set(completed.map((record) => record.jobId)).size).toBe(TICKETS.length);
    expect(result.stderr).toContain('27 lines: 25 completed, 1 failed, 1 invalid, 0 still pending');
    expect(result.stderr).toMatch(/latency p50 \d+ ms, p95 \d+ ms/);
    // A bad line or a failed run makes the batch exit 1.
    expect(result.code, result.stderr).toBe(1);
  });

  it('prints only the job ids with --no-wait', async () => {
    const file = path.join(sandbox.prompts.root, 'good.jsonl');
    fs.writeFileSync(
      file,
      TICKETS.slice(0, 5)
        .map((ticket) => JSON.stringify({ ticket }))
        .join('\n'),
    );
    const result = await runOpm(['batch', 'acme/support/triage', '--input', file, '--no-wait'], {
      cwd: sandbox.prompts.root,
      env: sandbox.env,
    });
    expect(result.code, result.stderr).toBe(0);
    const ids = result.stdout.trim().split('\n');
    expect(ids).toHaveLength(5);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('prints the summary and the results as one JSON object with --json', async () => {
    const file = path.join(sandbox.prompts.root, 'three.jsonl');
    fs.writeFileSync(
      file,
      TICKETS.slice(0, 3)
        .map((ticket) => JSON.stringify({ ticket }))
        .join('\n'),
    );
    const result = await runOpm(['batch', 'acme/support/triage', '--input', file, '--json'], {
      cwd: sandbox.prompts.root,
      env: sandbox.env,
    });
    expect(result.code, result.stderr).toBe(0);
    const { summary, results } = JSON.parse(result.stdout) as {
      summary: Record<string, unknown>;
      results: Record_[];
    };
    expect(summary).toMatchObject({ lines: 3, completed: 3, failed: 0, invalid: 0, pending: 0 });
    expect(summary.inputTokens).toEqual(expect.any(Number));
    expect(results.map((record) => record.status)).toEqual(['completed', 'completed', 'completed']);
  });
});

describe('opm batch --local', () => {
  it('runs the batch on a worker inside the command', async () => {
    const sandbox = createQueueSandbox({ 'acme/support/triage.prompty': TRIAGE_PROMPT });
    try {
      const file = path.join(sandbox.prompts.root, 'two.jsonl');
      fs.writeFileSync(file, '{"ticket":"first"}\n{"ticket":"second"}\n');
      const result = await runOpm(
        ['batch', 'acme/support/triage', '--input', file, '--local', '--concurrency', '2'],
        { cwd: sandbox.prompts.root, env: sandbox.env },
      );
      expect(result.code, result.stderr).toBe(0);
      const records = result.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record_);
      expect(records.map((record) => [record.line, record.status])).toEqual([
        [1, 'completed'],
        [2, 'completed'],
      ]);
      expect(records[1]?.text).toContain('second');
    } finally {
      await sandbox.dispose();
    }
  });
});
