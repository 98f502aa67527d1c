import { afterEach, describe, expect, it } from 'vitest';
import { RunFailedError } from '../../../src/queue/index.js';
import { countRuns, getRunByJobId } from '../../../src/store/index.js';
import { BACKENDS } from '../../support/db.js';
import { type Harness, startHarness } from './harness.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.dispose();
  harness = undefined;
});

describe.each(BACKENDS)('prompt runs stored on %s', (backend) => {
  it('stores a completed run and a failed one, each once', async () => {
    const h = await startHarness({ backend });
    harness = h;
    h.fake.setDefault({ text: 'stored' });
    await h.startWorker();
    const done = await h.client.run('acme/support/triage', { ticket: 'x' }, { timeoutMs: 20_000 });
    const failed = (await h.client.run('acme/support/triage', {}).catch((e: unknown) => e)) as RunFailedError;
    expect(failed).toBeInstanceOf(RunFailedError);
    const db = h.testDb.database.db;
    expect(await getRunByJobId(db, done.jobId)).toMatchObject({ status: 'completed', outputText: 'stored' });
    expect(await getRunByJobId(db, failed.jobId)).toMatchObject({
      status: 'failed',
      errorCode: 'prompty.missing_input',
    });
    expect(await countRuns(db)).toBe(2);
    expect(await h.client.result(done.jobId)).toMatchObject({ jobId: done.jobId, text: 'stored' });
  });
});
