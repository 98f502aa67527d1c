import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiAnswer, type CallOptions, callApi } from '../../support/api-http.js';
import { concretePath, MATRIX, ROLES, type Role } from '../../support/api-routes.js';
import { type ApiStack, startApiStack } from '../../support/api-stack.js';

const PROVIDER_SECRET = 'sk-test-provider-secret-0123456789abcdef';

interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

describe('API authentication and roles (opm serve)', () => {
  let stack: ApiStack;
  const keys = {} as Record<Role, string>;
  let revokedKey: string;
  const call = (method: string, path: string, options: CallOptions = {}): Promise<ApiAnswer> =>
    callApi(stack.baseUrl, method, path, options);

  beforeAll(async () => {
    stack = await startApiStack(undefined, { OPENAI_API_KEY: PROVIDER_SECRET });
    for (const role of ROLES) keys[role] = (await stack.createKey(role)).key;
    const revoked = await stack.createKey('admin', 'soon-revoked');
    revokedKey = revoked.key;
    expect((await call('DELETE', `/v1/keys/${revoked.id}`, { key: stack.adminKey })).status).toBe(200);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  describe('every route × {no key, revoked key, each role}', () => {
    for (const route of MATRIX) {
      describe(`${route.method} ${route.path}`, () => {
        const request = () => ({ path: concretePath(route), body: route.body });

        it('answers 401 without a key and with a revoked key', async () => {
          const { path, body } = request();
          const none = await call(route.method, path, { body });
          expect(none.status).toBe(401);
          expect((none.body as ErrorBody).error.code).toBe('api.unauthorized');
          const revoked = await call(route.method, path, { key: revokedKey, body });
          expect(revoked.status).toBe(401);
        });

        for (const role of ROLES) {
          const allowed = route.roles.includes(role);
          it(`${allowed ? 'lets' : 'forbids (403)'} ${role}`, async () => {
            const { path, body } = request();
            const answer = await call(route.method, path, { key: keys[role], body });
            if (allowed) expect([401, 403]).not.toContain(answer.status);
            else {
              expect(answer.status).toBe(403);
              expect((answer.body as ErrorBody).error.code).toBe('api.forbidden');
            }
          });
        }
      });
    }
  });

  describe('secrets', () => {
    it('never writes keys, provider secrets or Authorization headers to logs, runs or errors', async () => {
      const bad = await call('GET', '/v1/runs', { key: `${keys.admin}x` });
      expect(bad.text).not.toContain(keys.admin);
      let stored = '';
      // The matrix enqueued runs; wait until the worker has stored some.
      for (let i = 0; i < 100 && !stored.includes('"jobId"'); i += 1) {
        stored = (await call('GET', '/v1/runs?limit=500', { key: keys.admin })).text;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(stored).toContain('"jobId"');
      const output = stack.output();
      for (const secret of [...Object.values(keys), revokedKey, stack.adminKey, PROVIDER_SECRET]) {
        expect(output).not.toContain(secret);
        expect(stored).not.toContain(secret);
      }
      expect(output).not.toMatch(/bearer/i);
      expect(output).not.toMatch(/authorization/i);
    });
  });
});
