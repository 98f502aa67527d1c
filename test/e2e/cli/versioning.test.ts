import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import git from 'isomorphic-git';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ALICE,
  BOB,
  createTestRepo,
  promptText,
  type TestRepo,
} from '../../integration/registry/git-repo.js';
import { runOpm } from '../../support/cli.js';
import { dropSchema, postgresUrl } from '../../support/db.js';

const SLUG = 'acme/support/triage';
let repo: TestRepo;
let env: Record<string, string>;
let v1 = '';
let v2 = '';

const opm = (...args: string[]) => runOpm(['--prompts', 'prompts', ...args], { cwd: repo.dir, env });

beforeAll(async () => {
  repo = createTestRepo();
  repo.write(`${SLUG}.prompty`, promptText('Version one.'));
  v1 = (await repo.commit('first triage', ALICE, 1_700_000_000)).slice(0, 7);
  repo.write(`${SLUG}.prompty`, promptText('Version two, friendlier.'));
  v2 = (await repo.commit('friendlier triage', BOB, 1_700_000_100)).slice(0, 7);
  await git.setConfig({ fs, dir: repo.dir, path: 'user.name', value: 'Git Person' });
  await git.setConfig({ fs, dir: repo.dir, path: 'user.email', value: 'git@example.com' });
  env = {
    DATABASE_URL: await postgresUrl(),
    OPM_DATABASE_SCHEMA: `test-${randomUUID()}`,
    OPM_QUEUE_PREFIX: `test-${randomUUID()}`,
  };
}, 30_000);

afterAll(async () => {
  repo.remove();
  await dropSchema(env.DATABASE_URL ?? '', env.OPM_DATABASE_SCHEMA ?? '');
});

describe('opm publish / deploy / rollback / labels / history / diff / audit', () => {
  it('walks the prompt lifecycle end to end', async () => {
    const published = await opm('publish');
    expect(published.stderr).toBe('');
    expect(published.stdout).toContain(`published ${SLUG}@${v1}`);
    expect(published.stdout).toContain(`published ${SLUG}@${v2}`);
    expect(published.code).toBe(0);

    const again = await opm('publish', '--json');
    expect(JSON.parse(again.stdout)).toMatchObject({ published: [], unchanged: 2 });

    expect(
      (await opm('deploy', `${SLUG}@${v1}`, '--label', 'production', '--reason', 'first release')).code,
    ).toBe(0);
    const canary = await opm(
      'deploy',
      `${SLUG}@${v2}`,
      '--label',
      'production',
      '--weight',
      '10',
      '--reason',
      'canary v2',
      '--actor',
      'ops-bot',
    );
    expect(canary.stdout).toContain(`${v1} → ${v1} 90% (stable) + ${v2} 10% (canary)`);

    const labels = JSON.parse((await opm('labels', SLUG, '--json')).stdout);
    expect(labels).toMatchObject({
      latest: v2,
      labels: [
        {
          label: 'production',
          targets: [
            { version: v1, weight: 90 },
            { version: v2, weight: 10 },
          ],
          updatedBy: 'ops-bot',
        },
      ],
    });

    const history = await opm('history', SLUG);
    const lines = history.stdout.trim().split('\n');
    expect(lines[0]).toContain(v2);
    expect(lines[0]).toContain('Bob Builder <bob@example.com>  friendlier triage  [latest, production 10%]');
    expect(lines[1]).toContain('Alice Author <alice@example.com>  first triage  [production 90%]');

    const diff = await opm('diff', SLUG, v1, v2);
    expect(diff.stdout).toContain('-Version one.');
    expect(diff.stdout).toContain('+Version two, friendlier.');

    const rollback = await opm('rollback', SLUG, '--label', 'production', '--reason', 'v2 misroutes refunds');
    expect(rollback.code).toBe(0);
    expect(rollback.stdout).toContain(`→ ${v1} (rolled back)`);

    const audit = JSON.parse((await opm('audit', SLUG, '--json')).stdout) as {
      entries: { action: string; actor: string; reason: string | null }[];
    };
    expect(audit.entries.map((e) => [e.action, e.actor, e.reason])).toEqual([
      ['rollback', 'Git Person <git@example.com>', 'v2 misroutes refunds'],
      ['deploy', 'ops-bot', 'canary v2'],
      ['deploy', 'Git Person <git@example.com>', 'first release'],
      ['publish', 'Git Person <git@example.com>', null],
    ]);
    const guard = await opm('guard', '--once');
    expect(guard.stdout).toContain('No guarded canaries.');
    const human = await opm('audit', SLUG);
    expect(human.stdout).toContain(
      `rollback  ${SLUG} production  ${v1} 90% + ${v2} 10% → ${v1}  "v2 misroutes refunds"`,
    );
  }, 120_000);

  it('refuses to publish uncommitted edits, and a deploy without a reason', async () => {
    fs.writeFileSync(path.join(repo.promptsDir, `${SLUG}.prompty`), promptText('half-done edit'));
    const dirty = await opm('publish');
    expect(dirty.code).toBe(1);
    expect(dirty.stderr).toContain('Uncommitted changes');
    expect(dirty.stderr).toContain('[registry.dirty_tree]');
    const noReason = await opm('deploy', `${SLUG}@${v2}`, '--label', 'production');
    expect(noReason.code).toBe(2);
    expect(noReason.stderr).toContain('--reason');
  }, 60_000);
});
