import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOpm } from '../../support/cli.js';
import { createScratchDatabase, postgresUrl, type ScratchDatabase } from '../../support/db.js';

describe('opm keys and opm serve start-up', () => {
  let database: ScratchDatabase;
  let env: Record<string, string | undefined>;

  beforeAll(async () => {
    database = await createScratchDatabase(await postgresUrl());
    env = { DATABASE_URL: database.url, OPM_ADMIN_KEY: undefined, OPM_PROMPTS_DIR: undefined };
  });

  afterAll(() => database?.drop());

  it('refuses to serve while no key could authenticate', async () => {
    const result = await runOpm(['serve', '--port', '0'], { env });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('api.no_keys');
    expect(result.stderr).toContain('OPM_ADMIN_KEY');
  });

  it('creates a key shown once, lists it without the key, and revokes it by prefix', async () => {
    const created = await runOpm(['keys', 'create', '--role', 'runner', '--name', 'checkout', '--json'], {
      env,
    });
    expect(created.code, created.stderr).toBe(0);
    const { key, apiKey } = JSON.parse(created.stdout) as {
      key: string;
      apiKey: { id: string; prefix: string };
    };
    expect(key).toMatch(/^opm_/);
    expect(apiKey).toMatchObject({
      role: 'runner',
      name: 'checkout',
      prefix: key.slice(0, 12),
      revokedAt: null,
    });

    const listed = await runOpm(['keys', 'list'], { env });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(apiKey.prefix);
    expect(listed.stdout).toContain('checkout');
    expect(listed.stdout).not.toContain(key);

    const revoked = await runOpm(['keys', 'revoke', apiKey.prefix, '--json'], { env });
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(JSON.parse(revoked.stdout)).toMatchObject({ id: apiKey.id, revokedAt: expect.any(String) });
    const listedJson = JSON.parse((await runOpm(['keys', 'list', '--json'], { env })).stdout) as {
      keys: Array<{ id: string; revokedAt: string | null }>;
    };
    expect(listedJson.keys.find((row) => row.id === apiKey.id)?.revokedAt).not.toBeNull();
  });

  it('refuses an unknown role and an unknown key', async () => {
    const badRole = await runOpm(['keys', 'create', '--role', 'root', '--name', 'x'], { env });
    expect(badRole.code).toBe(1);
    expect(badRole.stderr).toContain('viewer, runner, editor, deployer, admin');
    const unknown = await runOpm(['keys', 'revoke', 'opm_nothing'], { env });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('api.not_found');
  });
});
