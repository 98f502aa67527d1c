import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect } from 'vitest';
import { deployVersion, publishPrompts, VersioningError } from '../../../src/registry/index.js';
import { latestVersion, listAudit, listVersions } from '../../../src/store/index.js';
import { databaseTest } from '../../support/db.js';
import { ALICE, BOB, createTestRepo, promptText, type TestRepo } from './git-repo.js';

const it = databaseTest('postgres');
const repos: TestRepo[] = [];
afterEach(() => {
  for (const repo of repos.splice(0)) repo.remove();
});

/**
 * c1 Alice adds support/triage and billing/refund; c2 Bob edits triage; c3 Alice renames triage to
 * support/triage-v2 (content unchanged); c4 Bob edits the renamed file; c5 Alice edits billing/refund.
 */
async function buildHistory(): Promise<{ repo: TestRepo; shas: string[] }> {
  const repo = createTestRepo();
  repos.push(repo);
  const shas: string[] = [];
  repo.write('acme/support/triage.prompty', promptText('Triage the ticket.'));
  repo.write('acme/billing/refund.prompty', promptText('Decide on the refund.'));
  shas.push(await repo.commit('add triage and refund', ALICE, 1_700_000_000));
  repo.write('acme/support/triage.prompty', promptText('Triage the ticket carefully.'));
  shas.push(await repo.commit('triage: be careful', BOB, 1_700_000_100));
  repo.rename('acme/support/triage.prompty', 'acme/support/triage-v2.prompty');
  shas.push(await repo.commit('rename triage to triage-v2', ALICE, 1_700_000_200));
  repo.write('acme/support/triage-v2.prompty', promptText('Triage the ticket carefully, in French.'));
  shas.push(await repo.commit('triage-v2: answer in French', BOB, 1_700_000_300));
  repo.write('acme/billing/refund.prompty', promptText('Decide on the refund; cite the policy.'));
  shas.push(await repo.commit('refund: cite the policy', ALICE, 1_700_000_400));
  return { repo, shas };
}

describe('publishPrompts', () => {
  it('imports the exact history: authors, messages, times, content, a rename kept under the new slug', async ({
    testDb,
  }) => {
    const { repo, shas } = await buildHistory();
    const db = testDb.database.db;
    const report = await publishPrompts({ db, promptsDir: repo.promptsDir, actor: 'Tester <t@example.com>' });
    const [c1, c2, c3, c4, c5] = shas.map((sha) => sha.slice(0, 7));
    expect(report.head).toBe(shas[4]);
    expect(report.renames).toEqual([
      { from: 'acme/support/triage', to: 'acme/support/triage-v2', commitSha: shas[2] },
    ]);
    expect(c3).toBeDefined();

    const triage = await listVersions(db, 'acme/support/triage-v2');
    expect(
      triage.map((v) => [v.version, v.authorName, v.authorEmail, v.message, v.path, v.renamedFrom]),
    ).toEqual([
      [c4, BOB.name, BOB.email, 'triage-v2: answer in French', 'acme/support/triage-v2.prompty', null],
      [c2, BOB.name, BOB.email, 'triage: be careful', 'acme/support/triage.prompty', 'acme/support/triage'],
      [
        c1,
        ALICE.name,
        ALICE.email,
        'add triage and refund',
        'acme/support/triage.prompty',
        'acme/support/triage',
      ],
    ]);
    expect(triage[0]?.committedAt.toISOString()).toBe(new Date(1_700_000_300_000).toISOString());
    expect(triage[0]?.content).toContain('in French');
    expect(triage[2]?.content).toBe(promptText('Triage the ticket.'));
    expect(triage[2]?.commitSha).toBe(shas[0]);
    expect(triage.every((v) => /^[0-9a-f]{64}$/.test(v.contentHash) && !v.isDraft)).toBe(true);

    const refund = await listVersions(db, 'acme/billing/refund');
    expect(refund.map((v) => [v.version, v.authorName])).toEqual([
      [c5, ALICE.name],
      [c1, ALICE.name],
    ]);
    expect(await listVersions(db, 'acme/support/triage')).toEqual([]);

    const audit = await listAudit(db);
    expect(audit.map((row) => [row.action, row.slug, row.actor])).toEqual(
      expect.arrayContaining([
        ['publish', 'acme/support/triage-v2', 'Tester <t@example.com>'],
        ['publish', 'acme/billing/refund', 'Tester <t@example.com>'],
      ]),
    );
    const renameAudit = audit.find((row) => row.slug === 'acme/support/triage-v2');
    expect(renameAudit?.reason).toBe('renamed from acme/support/triage; history kept');
  });

  it('changes nothing when run a second time', async ({ testDb }) => {
    const { repo } = await buildHistory();
    const db = testDb.database.db;
    const first = await publishPrompts({ db, promptsDir: repo.promptsDir, actor: 'a' });
    expect(first.published).toHaveLength(5);
    const before = { versions: await listVersions(db, 'acme/support/triage-v2'), audit: await listAudit(db) };
    const second = await publishPrompts({ db, promptsDir: repo.promptsDir, actor: 'a' });
    expect(second.published).toEqual([]);
    expect(second.unchanged).toBe(5);
    expect(await listVersions(db, 'acme/support/triage-v2')).toEqual(before.versions);
    expect(await listAudit(db)).toEqual(before.audit);
  });

  it('publishes only the new commit after an edit', async ({ testDb }) => {
    const { repo } = await buildHistory();
    const db = testDb.database.db;
    await publishPrompts({ db, promptsDir: repo.promptsDir, actor: 'a' });
    repo.write('acme/billing/refund.prompty', promptText('Refunds over $100 need approval.'));
    const sha = await repo.commit('refund: approval threshold', BOB, 1_700_000_500);
    const report = await publishPrompts({ db, promptsDir: repo.promptsDir, actor: 'a' });
    expect(report.published).toEqual([
      { slug: 'acme/billing/refund', version: sha.slice(0, 7), renamedFrom: null, isDraft: false },
    ]);
  });

  it('refuses uncommitted prompt edits, naming the files', async ({ testDb }) => {
    const { repo } = await buildHistory();
    repo.write('acme/billing/refund.prompty', promptText('work in progress'));
    repo.write('acme/new.prompty', promptText('brand new'));
    const error = await publishPrompts({
      db: testDb.database.db,
      promptsDir: repo.promptsDir,
      actor: 'a',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VersioningError);
    expect((error as VersioningError).code).toBe('registry.dirty_tree');
    expect((error as VersioningError).message).toContain('acme/billing/refund.prompty');
    expect((error as VersioningError).message).toContain('acme/new.prompty');
    expect(await listVersions(testDb.database.db, 'acme/billing/refund')).toEqual([]);
  });

  it('publishes uncommitted edits as drafts with allowDirty, which latest never serves', async ({
    testDb,
  }) => {
    const { repo } = await buildHistory();
    const db = testDb.database.db;
    repo.write('acme/billing/refund.prompty', promptText('work in progress'));
    const report = await publishPrompts({
      db,
      promptsDir: repo.promptsDir,
      actor: 'Dana <d@example.com>',
      allowDirty: true,
    });
    const draft = report.published.find((v) => v.isDraft);
    expect(draft?.version).toMatch(/^draft-[0-9a-f]{12}$/);
    const [newest] = await listVersions(db, 'acme/billing/refund');
    expect(newest).toMatchObject({
      isDraft: true,
      authorName: 'Dana',
      authorEmail: 'd@example.com',
      commitSha: null,
    });
    expect((await latestVersion(db, 'acme/billing/refund'))?.message).toBe('refund: cite the policy');
  });

  it('refuses a folder outside any git repository', async ({ testDb }) => {
    const folder = fs.mkdtempSync(path.join('/tmp', 'opm-nogit-'));
    try {
      const error = await publishPrompts({ db: testDb.database.db, promptsDir: folder, actor: 'a' }).catch(
        (e: unknown) => e,
      );
      expect((error as VersioningError).code).toBe('registry.git_unavailable');
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });

  it('reports versions that do not load, and deploy refuses them', async ({ testDb }) => {
    const { repo } = await buildHistory();
    const db = testDb.database.db;
    repo.write('acme/billing/refund.prompty', '---\nname: [unclosed\n---\nuser:\nhi\n');
    const broken = (await repo.commit('refund: oops', BOB, 1_700_000_600)).slice(0, 7);
    const report = await publishPrompts({ db, promptsDir: repo.promptsDir, actor: 'a' });
    expect(report.invalid).toEqual([
      expect.objectContaining({
        slug: 'acme/billing/refund',
        version: broken,
        code: 'prompty.invalid_front_matter',
      }),
    ]);
    await expect(
      deployVersion({ db, slug: 'acme/billing/refund', version: broken, label: 'production', actor: 'a' }),
    ).rejects.toMatchObject({ code: 'registry.invalid_deploy' });
  });

  it('credits a merged pull request to the commit that made the change, not to the merge', async ({
    testDb,
  }) => {
    const repo = createTestRepo();
    repos.push(repo);
    const db = testDb.database.db;
    repo.write('acme/support/triage.prompty', promptText('One.'));
    const c1 = await repo.commit('add triage', ALICE, 1_700_000_000);
    repo.write('acme/support/triage.prompty', promptText('Two, from a branch.'));
    const c2 = await repo.commit('triage: branch edit', BOB, 1_700_000_100, {
      ref: 'refs/heads/feature',
      parents: [c1],
    });
    repo.write('acme/support/triage.prompty', promptText('One.'));
    repo.write('acme/other.prompty', promptText('Other.'));
    const c3 = await repo.commit('add other', ALICE, 1_700_000_200);
    repo.write('acme/support/triage.prompty', promptText('Two, from a branch.'));
    await repo.commit('Merge pull request #1 from feature', ALICE, 1_700_000_300, { parents: [c3, c2] });
    await publishPrompts({ db, promptsDir: repo.promptsDir, actor: 'a' });
    expect(
      (await listVersions(db, 'acme/support/triage')).map((v) => [v.version, v.authorName, v.message]),
    ).toEqual([
      [c2.slice(0, 7), BOB.name, 'triage: branch edit'],
      [c1.slice(0, 7), ALICE.name, 'add triage'],
    ]);
    expect((await listVersions(db, 'acme/other')).map((v) => v.version)).toEqual([c3.slice(0, 7)]);
  });
});
