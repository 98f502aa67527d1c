import { Queue } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { PROMPT_RUNS_QUEUE, RunFailedError } from '../../../src/queue/index.js';
import { getRunByJobId } from '../../../src/store/index.js';
import { type Harness, REDIS_URL, startHarness } from './harness.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.dispose();
  harness = undefined;
});

async function setup(files?: Record<string, string>): Promise<Harness> {
  harness = await startHarness(files === undefined ? {} : { files });
  return harness;
}

async function jobOf(h: Harness, jobId: string) {
  const queue = new Queue(PROMPT_RUNS_QUEUE, { connection: { url: REDIS_URL }, prefix: h.prefix });
  try {
    return await queue.getJob(jobId);
  } finally {
    await queue.close();
  }
}

describe('prompt-run worker failures', () => {
  it('fails a run with a missing variable with a typed error, stores it, and makes no LLM call', async () => {
    const h = await setup();
    await h.startWorker();
    const error = await h.client.run('acme/support/triage', {}, { attempts: 3 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunFailedError);
    const failure = error as RunFailedError;
    expect(failure.runError.code).toBe('prompty.missing_input');
    expect(h.fake.requests).toHaveLength(0);
    const row = await getRunByJobId(h.testDb.database.db, failure.jobId);
    expect(row).toMatchObject({ status: 'failed', errorCode: 'prompty.missing_input' });
    // Permanent: one attempt, not three.
    expect((await jobOf(h, failure.jobId))?.attemptsMade).toBe(1);
  });

  it('fails an unknown slug permanently with the registry error', async () => {
    const h = await setup();
    await h.startWorker();
    const error = (await h.client
      .run('acme/support/nope', { ticket: 'x' })
      .catch((e: unknown) => e)) as RunFailedError;
    expect(error.runError.code).toBe('registry.slug_not_found');
  });

  it('waits out a 429 without burning an attempt, then succeeds', async () => {
    const h = await setup();
    h.fake.script({ status: 429, retryAfter: 1 });
    h.fake.setDefault({ text: 'after the limit' });
    await h.startWorker();
    const started = Date.now();
    // One attempt only: had the 429 burned it, the run would fail.
    const result = await h.client.run(
      'acme/support/triage',
      { ticket: 'x' },
      { attempts: 1, timeoutMs: 20_000 },
    );
    expect(result.text).toBe('after the limit');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(h.fake.requests).toHaveLength(2);
    // BullMQ counts the completing attempt too: one attempt made, two starts (one was the wait).
    const job = await jobOf(h, result.jobId);
    expect(job?.attemptsMade).toBe(1);
    expect(job?.attemptsStarted).toBe(2);
  });

  it('retries a transient provider failure with backoff and stores one completed row', async () => {
    const h = await setup();
    h.fake.script({ status: 503 });
    h.fake.setDefault({ text: 'second time lucky' });
    await h.startWorker();
    const result = await h.client.run(
      'acme/support/triage',
      { ticket: 'x' },
      { attempts: 2, timeoutMs: 20_000 },
    );
    expect(result.text).toBe('second time lucky');
    // The failed attempt plus the completing one.
    expect((await jobOf(h, result.jobId))?.attemptsMade).toBe(2);
    const row = await getRunByJobId(h.testDb.database.db, result.jobId);
    expect(row?.status).toBe('completed');
  });

  it('stores the failure with every attempt when the last attempt fails', async () => {
    const h = await setup();
    h.fake.setDefault({ status: 503 });
    await h.startWorker();
    const error = (await h.client
      .run('acme/support/triage', { ticket: 'x' }, { attempts: 1, timeoutMs: 20_000 })
      .catch((e: unknown) => e)) as RunFailedError;
    expect(error).toBeInstanceOf(RunFailedError);
    const row = await getRunByJobId(h.testDb.database.db, error.jobId);
    expect(row?.status).toBe('failed');
    expect(row?.errorCode).toBe(error.runError.code);
    expect(row?.attempts.length).toBeGreaterThanOrEqual(1);
    expect(row?.messages).not.toBeNull();
  });

  it('records the fallback model that answered when the primary returns 503', async () => {
    const h = await setup({ 'acme/support/triage.prompty': FALLBACK_PROMPT });
    h.fake.script({ forModel: 'primary-model', status: 503, times: Number.POSITIVE_INFINITY });
    h.fake.setDefault({ text: 'from the fallback' });
    await h.startWorker();
    const result = await h.client.run('acme/support/triage', { ticket: 'x' }, { timeoutMs: 20_000 });
    expect(result).toMatchObject({
      text: 'from the fallback',
      modelRequested: 'primary-model',
      modelUsed: 'backup-model',
    });
    const row = await getRunByJobId(h.testDb.database.db, result.jobId);
    const attempts = (row?.attempts ?? []) as { model: string; outcome: string }[];
    expect(attempts.map((a) => [a.model, a.outcome])).toEqual([
      ['primary-model', 'error'],
      ['backup-model', 'ok'],
    ]);
  });

  it('fails fast on a 400 without trying the fallback or retrying the job', async () => {
    const h = await setup({ 'acme/support/triage.prompty': FALLBACK_PROMPT });
    h.fake.script({ forModel: 'primary-model', status: 400 });
    await h.startWorker();
    const error = (await h.client
      .run('acme/support/triage', { ticket: 'x' }, { attempts: 3, timeoutMs: 20_000 })
      .catch((e: unknown) => e)) as RunFailedError;
    expect(error).toBeInstanceOf(RunFailedError);
    expect(error.runError.code).toBe('gateway.permanent');
    expect(h.fake.requestsFor('backup-model')).toHaveLength(0);
    expect(h.fake.requests).toHaveLength(1);
    expect((await jobOf(h, error.jobId))?.attemptsMade).toBe(1);
  });
});

const FALLBACK_PROMPT = [
  '---',
  'name: triage',
  'model:',
  '  id: primary-model',
  '  provider: fake',
  'metadata:',
  '  opm:',
  '    fallbacks:',
  '      - model: backup-model',
  '        provider: fake',
  'inputs:',
  '  - name: ticket',
  '    kind: string',
  '---',
  'user:',
  '{{ticket}}',
  '',
].join('\n');
