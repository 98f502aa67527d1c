import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiAnswer, type CallOptions, callApi } from '../../support/api-http.js';
import { type ApiStack, startApiStack } from '../../support/api-stack.js';

interface KeyView {
  id: string;
  name: string;
  role: string;
  prefix: string;
  revokedAt: string | null;
}

describe('API key routes (opm serve)', () => {
  let stack: ApiStack;
  const call = (method: string, path: string, options: CallOptions = {}): Promise<ApiAnswer> =>
    callApi(stack.baseUrl, method, path, options);

  beforeAll(async () => {
    stack = await startApiStack();
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('creates a key shown once, lists it without the key, and revokes it by id', async () => {
    const created = await call('POST', '/v1/keys', {
      key: stack.adminKey,
      body: { name: 'reporting', role: 'viewer' },
    });
    expect(created.status).toBe(201);
    const { key, apiKey } = created.body as { key: string; apiKey: KeyView };
    expect(apiKey).toMatchObject({ name: 'reporting', role: 'viewer', revokedAt: null });
    expect(key.startsWith(apiKey.prefix)).toBe(true);

    expect((await call('GET', '/v1/prompts', { key })).status).toBe(200);

    const listed = await call('GET', '/v1/keys', { key: stack.adminKey });
    expect(listed.status).toBe(200);
    const keys = (listed.body as { keys: KeyView[] }).keys;
    expect(keys.find((view) => view.id === apiKey.id)).toMatchObject({ name: 'reporting', role: 'viewer' });
    expect(listed.text).not.toContain(key);

    const revoked = await call('DELETE', `/v1/keys/${apiKey.id}`, { key: stack.adminKey });
    expect(revoked.status).toBe(200);
    expect((revoked.body as KeyView).revokedAt).toEqual(expect.any(String));
    expect((await call('GET', '/v1/prompts', { key })).status).toBe(401);
  });

  it('answers revoking an unknown key with 404', async () => {
    const answer = await call('DELETE', '/v1/keys/00000000-0000-0000-0000-000000000000', {
      key: stack.adminKey,
    });
    expect(answer.status).toBe(404);
    expect((answer.body as { error: { code: string } }).error.code).toBe('api.not_found');
  });

  it('refuses a key with an unknown role with 400', async () => {
    const answer = await call('POST', '/v1/keys', {
      key: stack.adminKey,
      body: { name: 'bad', role: 'superuser' },
    });
    expect(answer.status).toBe(400);
    expect((answer.body as { error: { code: string } }).error.code).toBe('api.invalid_request');
  });
});
