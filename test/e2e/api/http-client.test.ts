import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BadRequestError,
  createHttpClient,
  ForbiddenError,
  NotFoundError,
  type OpmHttpClient,
  UnauthorizedError,
  UnprocessableError,
} from '../../../src/http-client/index.js';
import { type ApiStack, startApiStack } from '../../support/api-stack.js';

const SLUG = 'acme/greeting';

describe('createHttpClient (against opm serve)', () => {
  let stack: ApiStack;
  let runner: OpmHttpClient;
  let admin: OpmHttpClient;

  beforeAll(async () => {
    stack = await startApiStack();
    runner = createHttpClient({ baseUrl: stack.baseUrl, apiKey: (await stack.createKey('runner')).key });
    admin = createHttpClient({ baseUrl: stack.baseUrl, apiKey: stack.adminKey });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('runs a prompt and awaits the result', async () => {
    const result = await runner.run(SLUG, { person: 'Ada' }, { timeoutMs: 20_000, tags: ['ts'] });
    expect(result).toMatchObject({ status: 'completed', slug: SLUG });
    expect(result.text).toContain('Hello, I am Ada.');
  });

  it('enqueues, waits over server-sent events, and reads the stored run', async () => {
    const jobId = await runner.enqueue(SLUG, { person: 'Grace' }, { delayMs: 500 });
    expect(await runner.result(jobId)).toBeNull();
    const finished = await runner.waitForRun(jobId, { timeoutMs: 20_000 });
    expect(finished).toMatchObject({ jobId, status: 'completed' });
    expect((await runner.result(jobId))?.text).toContain('Grace');
  });

  it('enqueues many runs and returns their ids in order', async () => {
    const ids = await runner.enqueueMany([0, 1].map((i) => ({ slug: SLUG, vars: { person: `B${i}` } })));
    expect(ids).toHaveLength(2);
    for (const [i, id] of ids.entries()) expect((await runner.waitForRun(id)).text).toContain(`B${i}`);
  });

  it('iterates completions from the event stream until aborted', async () => {
    const controller = new AbortController();
    const iterator = admin.events({ slug: SLUG, signal: controller.signal })[Symbol.asyncIterator]();
    const first = iterator.next();
    await new Promise((resolve) => setTimeout(resolve, 500));
    const jobId = await runner.enqueue(SLUG, { person: 'Stream' });
    let seen = await first;
    while (!seen.done && seen.value.jobId !== jobId) seen = await iterator.next();
    expect(seen.done).toBe(false);
    controller.abort();
  });

  it('reads prompts, renders previews, lists runs and stats, records feedback', async () => {
    expect((await admin.listPrompts('acme')).prompts.map((prompt) => prompt.slug)).toEqual([SLUG]);
    expect((await admin.getPrompt(SLUG)).inputs[0]?.name).toBe('person');
    expect((await admin.render(SLUG, { person: 'R' })).messages.at(-1)?.content).toBe('Hello, I am R.');
    const { runs } = await admin.listRuns({ slug: SLUG, limit: 1 });
    expect(runs).toHaveLength(1);
    const feedback = await runner.feedback(runs[0]?.jobId ?? '', { score: 0 });
    expect(feedback.score).toBe(0);
    expect((await admin.stats({ slug: SLUG })).rows[0]?.count).toBeGreaterThan(0);
  });

  it('maps error answers to typed errors with the API code', async () => {
    await expect(runner.run(SLUG, {}, { timeoutMs: 20_000 })).rejects.toMatchObject({
      name: 'UnprocessableError',
      code: 'prompty.missing_input',
      details: { input: 'person' },
    });
    await expect(runner.run(SLUG, {})).rejects.toBeInstanceOf(UnprocessableError);
    const unknown = await runner.enqueue('acme/greetin', {}).catch((error: unknown) => error);
    expect(unknown).toBeInstanceOf(NotFoundError);
    expect((unknown as NotFoundError).details).toMatchObject({ suggestions: [SLUG] });
    await expect(runner.listRuns()).rejects.toBeInstanceOf(ForbiddenError);
    await expect(runner.feedback('x', { score: 9 })).rejects.toBeInstanceOf(BadRequestError);
    const stranger = createHttpClient({ baseUrl: stack.baseUrl, apiKey: 'opm_nope' });
    await expect(stranger.enqueue(SLUG, { person: 'x' })).rejects.toBeInstanceOf(UnauthorizedError);
  });
});
