import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, insertVersions } from '../../../src/store/index.js';
import { type ApiAnswer, type CallOptions, callApi, readSse } from '../../support/api-http.js';
import { MATRIX, ROLES, type Role, SLUG } from '../../support/api-routes.js';
import { type ApiStack, GREETING_PROMPT, startApiStack } from '../../support/api-stack.js';

const ENCODED_SLUG = encodeURIComponent(SLUG);

interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

describe('opm serve (HTTP API over real processes)', () => {
  let stack: ApiStack;
  const keys = {} as Record<Role, string>;
  const call = (method: string, path: string, options: CallOptions = {}): Promise<ApiAnswer> =>
    callApi(stack.baseUrl, method, path, options);
  const enqueue = async (key: string, vars: Record<string, unknown> = { person: 'Ada' }) => {
    const answer = await call('POST', '/v1/runs', { key, body: { slug: SLUG, vars } });
    expect(answer.status).toBe(202);
    return (answer.body as { jobId: string }).jobId;
  };
  const waitForRun = async (jobId: string) => {
    for (let i = 0; i < 100; i += 1) {
      const answer = await call('GET', `/v1/runs/${jobId}`, { key: keys.admin });
      if (answer.status === 200) return answer.body as Record<string, unknown>;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`run ${jobId} did not finish`);
  };

  beforeAll(async () => {
    stack = await startApiStack();
    for (const role of ROLES) keys[role] = (await stack.createKey(role)).key;
  });

  afterAll(async () => {
    await stack?.stop();
  });

  describe('runs', () => {
    it('enqueues a run, answers 202 with its job id, and stores the finished run', async () => {
      const jobId = await enqueue(keys.runner);
      const run = await waitForRun(jobId);
      expect(run).toMatchObject({ jobId, status: 'completed', slug: SLUG, provider: 'echo' });
      expect(run.text).toContain('Hello, I am Ada.');
    });

    it('answers wait=true with the finished run in the same request', async () => {
      const answer = await call('POST', '/v1/runs?wait=true&timeoutMs=20000', {
        key: keys.runner,
        body: { slug: SLUG, vars: { person: 'Grace' }, options: { tags: ['e2e'] } },
      });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ status: 'completed', slug: SLUG });
      expect((answer.body as { text: string }).text).toContain('Grace');
    });

    it('delivers a completion on /v1/runs/{id}/events, also when subscribed before it finished', async () => {
      const created = await call('POST', '/v1/runs', {
        key: keys.runner,
        body: { slug: SLUG, vars: { person: 'Linus' }, options: { delayMs: 1500 } },
      });
      const { jobId } = created.body as { jobId: string };
      const events = await readSse(`${stack.baseUrl}/v1/runs/${jobId}/events`, keys.runner, {
        until: (event) => event.event === 'completed' || event.event === 'failed',
      });
      const last = events.at(-1);
      expect(last).toMatchObject({ event: 'completed', id: jobId });
      expect(JSON.parse(last?.data ?? '{}')).toMatchObject({ jobId, status: 'completed' });
      const again = await readSse(`${stack.baseUrl}/v1/runs/${jobId}/events`, keys.viewer, {
        until: (event) => event.event === 'completed',
      });
      expect(again.at(-1)?.id).toBe(jobId);
    });

    it('streams every completion on /v1/events, filtered by slug', async () => {
      let jobId = '';
      const received = await readSse(`${stack.baseUrl}/v1/events?slug=${ENCODED_SLUG}`, keys.viewer, {
        until: (event) => event.event === 'completed' && event.id === jobId,
        // The stream opens with `ready`; enqueue once subscribed.
        onOpen: async () => {
          await new Promise((resolve) => setTimeout(resolve, 300));
          jobId = await enqueue(keys.runner, { person: 'Barbara' });
        },
        timeoutMs: 20_000,
      });
      expect(received[0]?.event).toBe('ready');
      expect(received.at(-1)).toMatchObject({ event: 'completed', id: jobId });
      const other = await readSse(`${stack.baseUrl}/v1/events?slug=other%2F&timeoutMs=1500`, keys.viewer, {
        until: (event) => event.event === 'timeout',
        onOpen: async () => {
          await enqueue(keys.runner, { person: 'Filtered' });
        },
      });
      expect(other.map((event) => event.event)).toEqual(['ready', 'timeout']);
    });

    it('enqueues a batch and returns the job ids in input order', async () => {
      const answer = await call('POST', '/v1/runs:batch', {
        key: keys.runner,
        body: { items: [0, 1, 2].map((i) => ({ slug: SLUG, vars: { person: `P${i}` } })) },
      });
      expect(answer.status).toBe(202);
      const { jobIds } = answer.body as { jobIds: string[] };
      expect(jobIds).toHaveLength(3);
      for (const [i, jobId] of jobIds.entries()) {
        expect((await waitForRun(jobId)).text).toContain(`P${i}`);
      }
    });

    it('lists runs newest first with filters and cursor pages', async () => {
      const first = await call('GET', `/v1/runs?slug=${ENCODED_SLUG}&status=completed&limit=2`, {
        key: keys.viewer,
      });
      expect(first.status).toBe(200);
      const page1 = first.body as { runs: Array<{ jobId: string; slug: string }>; nextCursor: string | null };
      expect(page1.runs).toHaveLength(2);
      expect(page1.nextCursor).not.toBeNull();
      const second = await call('GET', `/v1/runs?slug=${ENCODED_SLUG}&limit=2&cursor=${page1.nextCursor}`, {
        key: keys.viewer,
      });
      const page2 = second.body as { runs: Array<{ jobId: string }> };
      expect(page2.runs.length).toBeGreaterThan(0);
      expect(page2.runs.map((run) => run.jobId)).not.toContain(page1.runs[0]?.jobId);
      const future = await call('GET', `/v1/runs?after=${encodeURIComponent('2999-01-01T00:00:00Z')}`, {
        key: keys.viewer,
      });
      expect((future.body as { runs: unknown[] }).runs).toEqual([]);
      const failedOnly = await call('GET', '/v1/runs?status=failed&label=none', { key: keys.viewer });
      expect((failedOnly.body as { runs: unknown[] }).runs).toEqual([]);
    });

    it('records feedback on a run with the key name as the actor', async () => {
      const jobId = await enqueue(keys.runner);
      await waitForRun(jobId);
      const answer = await call('POST', `/v1/runs/${jobId}/feedback`, {
        key: keys.runner,
        body: { score: 1, comment: 'spot on' },
      });
      expect(answer.status).toBe(201);
      expect(answer.body).toMatchObject({ jobId, score: 1, comment: 'spot on' });
      expect((answer.body as { actor: string }).actor).toMatch(/^runner-/);
      const outOfRange = await call('POST', `/v1/runs/${jobId}/feedback`, {
        key: keys.runner,
        body: { score: 2 },
      });
      expect(outOfRange.status).toBe(400);
    });

    it('lets a runner read its own runs but not the runs of another key', async () => {
      const own = await enqueue(keys.runner);
      const other = await enqueue(keys.editor);
      await waitForRun(own);
      await waitForRun(other);
      expect((await call('GET', `/v1/runs/${own}`, { key: keys.runner })).status).toBe(200);
      expect((await call('GET', `/v1/runs/${other}`, { key: keys.runner })).status).toBe(404);
      expect((await call('GET', `/v1/runs/${other}`, { key: keys.viewer })).status).toBe(200);
      const foreign = await readSse(`${stack.baseUrl}/v1/runs/${other}/events`, keys.runner, {
        until: (event) => event.event !== 'message',
      });
      expect(foreign.map((event) => event.event)).toEqual(['error']);
      expect(JSON.parse(foreign[0]?.data ?? '{}')).toMatchObject({ code: 'api.not_found' });
      const mine = await readSse(`${stack.baseUrl}/v1/runs/${own}/events`, keys.runner, {
        until: (event) => event.event === 'completed',
      });
      expect(mine.at(-1)?.id).toBe(own);
    });
  });

  describe('prompts and stats', () => {
    it('lists prompts as a tree by slug prefix', async () => {
      const root = await call('GET', '/v1/prompts', { key: keys.viewer });
      expect(root.body).toMatchObject({ prefix: '', folders: ['acme'] });
      const acme = await call('GET', '/v1/prompts?prefix=acme', { key: keys.viewer });
      expect(acme.body).toMatchObject({
        prefix: 'acme/',
        folders: [],
        prompts: [{ slug: SLUG, name: 'greeting' }],
      });
    });

    it('gets one prompt with its inputs, versions and labels', async () => {
      const answer = await call('GET', `/v1/prompts/${ENCODED_SLUG}`, { key: keys.viewer });
      expect(answer.status).toBe(200);
      const detail = answer.body as {
        inputs: unknown[];
        versions: unknown[];
        labels: unknown[];
        version: string;
      };
      expect(detail.inputs).toEqual([{ name: 'person', kind: 'string', description: null, required: true }]);
      expect(detail.versions).toEqual([{ version: detail.version, current: true }]);
      expect(detail.labels).toEqual([]);
    });

    it('renders a preview with the given variables without calling a model', async () => {
      const answer = await call('POST', `/v1/prompts/${ENCODED_SLUG}/render`, {
        key: keys.editor,
        body: { vars: { person: 'Ada' } },
      });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({
        slug: SLUG,
        messages: [
          { role: 'system', content: 'Greet the person.' },
          { role: 'user', content: 'Hello, I am Ada.' },
        ],
      });
    });

    it('reports the figures of opm stats, in total and per model', async () => {
      const answer = await call('GET', `/v1/stats?slug=${ENCODED_SLUG}`, { key: keys.viewer });
      expect(answer.status).toBe(200);
      const stats = answer.body as {
        slug: string;
        by: null;
        rows: Array<{ count: number; errorRate: number }>;
      };
      expect(stats).toMatchObject({ slug: SLUG, by: null });
      expect(stats.rows).toHaveLength(1);
      expect(stats.rows[0]?.count).toBeGreaterThan(0);
      const byModel = await call('GET', '/v1/stats?by=model', { key: keys.viewer });
      expect((byModel.body as { rows: Array<{ group: string }> }).rows.map((row) => row.group)).toContain(
        'gpt-4o-mini',
      );
    });
  });

  describe('labels and deployments', () => {
    const versionText = (n: number) =>
      GREETING_PROMPT.replace('Greet the person.', `Greet the person (v${n}).`);

    beforeAll(async () => {
      const database = await createDatabase({ url: stack.env.DATABASE_URL });
      try {
        await insertVersions(
          database.db,
          [1, 2].map((n) => ({
            slug: SLUG,
            version: `v${n}`,
            commitSha: `${n}`.repeat(40),
            contentHash: `${n}`.repeat(64),
            content: versionText(n),
            path: `${SLUG}.prompty`,
            authorName: 'Ada',
            authorEmail: 'ada@example.com',
            committedAt: new Date(Date.UTC(2026, 0, n)),
            message: `version ${n}`,
          })),
        );
      } finally {
        await database.close();
      }
    });

    it('deploys a version to a label, records the key name in the audit trail, and serves it', async () => {
      const deployed = await call('POST', `/v1/prompts/${ENCODED_SLUG}/deploy`, {
        key: keys.deployer,
        body: { label: 'production', version: 'v1', reason: 'first release' },
      });
      expect(deployed.status).toBe(200);
      expect(deployed.body).toMatchObject({
        action: 'deploy',
        changed: true,
        after: [{ version: 'v1', weight: 100 }],
      });
      const labels = await call('GET', `/v1/prompts/${ENCODED_SLUG}/labels`, { key: keys.viewer });
      expect((labels.body as { labels: Array<{ label: string }> }).labels.map((l) => l.label)).toEqual([
        'production',
      ]);
      const detail = (await call('GET', `/v1/prompts/${ENCODED_SLUG}`, { key: keys.viewer })).body as {
        versions: Array<{ version: string }>;
        labels: Array<{ label: string; targets: Array<{ version: string }> }>;
      };
      expect(detail.versions.map((v) => v.version)).toEqual(['v2', 'v1']);
      expect(detail.labels).toEqual([
        { label: 'production', targets: [expect.objectContaining({ version: 'v1' })] },
      ]);
      const run = await call('POST', '/v1/runs?wait=true&timeoutMs=20000', {
        key: keys.runner,
        body: { slug: SLUG, vars: { person: 'Label' }, options: { label: 'production' } },
      });
      expect(run.status).toBe(200);
      expect(run.body).toMatchObject({ label: 'production', version: 'v1' });
      expect((run.body as { text: string }).text).toContain('(v1)');
      const audit = await call('GET', `/v1/audit?slug=${ENCODED_SLUG}`, { key: keys.viewer });
      const entries = (
        audit.body as { entries: Array<{ actor: string; action: string; reason: string | null }> }
      ).entries;
      expect(entries[0]).toMatchObject({ action: 'deploy', reason: 'first release' });
      expect(entries[0]?.actor).toMatch(/^deployer-/);
    });

    it('rolls a label back to its previous version', async () => {
      await call('POST', `/v1/prompts/${ENCODED_SLUG}/deploy`, {
        key: keys.deployer,
        body: { label: 'production', version: 'v2' },
      });
      const rolledBack = await call('POST', `/v1/prompts/${ENCODED_SLUG}/rollback`, {
        key: keys.admin,
        body: { label: 'production', reason: 'v2 regressed' },
      });
      expect(rolledBack.status).toBe(200);
      expect(rolledBack.body).toMatchObject({ action: 'rollback', after: [{ version: 'v1' }] });
      const unknown = await call('POST', `/v1/prompts/${ENCODED_SLUG}/rollback`, {
        key: keys.deployer,
        body: { label: 'staging' },
      });
      expect(unknown.status).toBe(404);
      expect((unknown.body as ErrorBody).error.code).toBe('registry.label_not_found');
      const missing = await call('POST', `/v1/prompts/${ENCODED_SLUG}/deploy`, {
        key: keys.deployer,
        body: { label: 'production', version: 'v9' },
      });
      expect(missing.status).toBe(404);
    });
  });

  describe('health and documents', () => {
    it('answers /healthz and /readyz without a key', async () => {
      expect((await call('GET', '/healthz')).body).toEqual({ status: 'ok' });
      expect((await call('GET', '/readyz')).body).toEqual({
        status: 'ok',
        checks: { redis: 'ok', database: 'ok' },
      });
    });

    it('serves an OpenAPI 3 document that validates and lists every route', async () => {
      const document = (await call('GET', '/openapi.json')).body as {
        paths: Record<string, Record<string, unknown>>;
      };
      const validator = new Validator();
      const result = await validator.validate(document as unknown as Record<string, unknown>);
      expect(result.errors ?? []).toEqual([]);
      expect(result.valid).toBe(true);
      const operations = Object.entries(document.paths).flatMap(([path, item]) =>
        Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
      );
      expect(operations.sort()).toEqual(
        [...MATRIX.map((route) => `${route.method} ${route.path}`), 'GET /healthz', 'GET /readyz'].sort(),
      );
    });

    it('serves a docs page naming every route', async () => {
      const answer = await call('GET', '/docs');
      expect(answer.status).toBe(200);
      for (const route of MATRIX) expect(answer.text).toContain(route.path);
    });
  });

  describe('bad input', () => {
    it('answers an oversized body with 413', async () => {
      const answer = await call('POST', '/v1/runs', {
        key: keys.runner,
        rawBody: JSON.stringify({ slug: SLUG, vars: { person: 'x'.repeat(2_000_000) } }),
      });
      expect(answer.status).toBe(413);
      expect((answer.body as ErrorBody).error.code).toBe('api.body_too_large');
    });

    it('answers malformed JSON with 400 and a message', async () => {
      const answer = await call('POST', '/v1/runs', { key: keys.runner, rawBody: '{"slug":' });
      expect(answer.status).toBe(400);
      expect((answer.body as ErrorBody).error).toMatchObject({ code: 'api.malformed_json' });
      expect((answer.body as ErrorBody).error.message).toMatch(/JSON/);
    });

    it('answers a body that breaks the schema with 400 naming the field', async () => {
      const answer = await call('POST', '/v1/runs', { key: keys.runner, body: { slug: SLUG, vars: 'nope' } });
      expect(answer.status).toBe(400);
      expect((answer.body as ErrorBody).error.code).toBe('api.invalid_request');
      expect((answer.body as ErrorBody).error.message).toContain('vars');
    });

    it('answers an unknown slug with 404 and suggestions', async () => {
      const answer = await call('POST', '/v1/runs', {
        key: keys.runner,
        body: { slug: 'acme/greetin', vars: {} },
      });
      expect(answer.status).toBe(404);
      expect((answer.body as ErrorBody).error).toMatchObject({
        code: 'registry.slug_not_found',
        details: { suggestions: [SLUG] },
      });
      expect(answer.text).not.toContain(stack.prompts.root);
      const viaGet = await call('GET', `/v1/prompts/${encodeURIComponent('acme/greetin')}`, {
        key: keys.viewer,
      });
      expect(viaGet.status).toBe(404);
    });

    it('answers a missing variable with 422 naming it, in render previews and with wait=true', async () => {
      const render = await call('POST', `/v1/prompts/${ENCODED_SLUG}/render`, {
        key: keys.editor,
        body: { vars: {} },
      });
      expect(render.status).toBe(422);
      expect((render.body as ErrorBody).error).toMatchObject({
        code: 'prompty.missing_input',
        details: { input: 'person' },
      });
      const waited = await call('POST', '/v1/runs?wait=true&timeoutMs=20000', {
        key: keys.runner,
        body: { slug: SLUG, vars: {} },
      });
      expect(waited.status).toBe(422);
      expect((waited.body as ErrorBody).error).toMatchObject({
        code: 'prompty.missing_input',
        details: { input: 'person' },
      });
      expect(waited.text + render.text).not.toContain(stack.prompts.root);
      expect((waited.body as ErrorBody).error.message).toContain('person');
    });

    it('answers an unknown route with a JSON 404', async () => {
      const answer = await call('GET', '/v1/nothing-here', { key: keys.admin });
      expect(answer.status).toBe(404);
      expect((answer.body as ErrorBody).error.code).toBe('api.not_found');
    });
  });
});
