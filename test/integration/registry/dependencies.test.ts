// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${file:}` is the .prompty reference syntax under test.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect } from 'vitest';
import {
  createStoreSource,
  deployVersion,
  publishPrompts,
  renderPrompt,
  type StoreSource,
} from '../../../src/registry/index.js';
import { type Db, findVersion, listVersions } from '../../../src/store/index.js';
import { databaseTest } from '../../support/db.js';
import { ALICE, BOB, createTestRepo, promptText, type TestRepo } from './git-repo.js';

const it = databaseTest('postgres');
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const SUMMARIZE = 'research/papers/summarize';
const CITE = 'research/papers/cite';
const LEGACY = 'legacy/kids/child';

const SUMMARIZE_TEXT = [
  '---',
  'name: summarize',
  'model: ${file:../shared/model.json}',
  'inputs:',
  '  - name: abstract',
  '    kind: string',
  '  - name: style_guide',
  '    kind: string',
  '    default: ${file:../shared/style-guide.md}',
  '---',
  'system:',
  '{{style_guide}}',
  '',
  'user:',
  '{{abstract}}',
  '',
].join('\n');

const BASE_TEXT = [
  '---',
  'name: Base',
  'model:',
  '  api: chat',
  '  configuration:',
  '    type: openai',
  '    name: gpt-4o',
  '---',
  'system:',
  'base body',
  '',
].join('\n');

const CHILD_TEXT = [
  '---',
  'name: Child',
  'authors: [lab]',
  'base: ../shared/base.prompty',
  'inputs:',
  '  topic:',
  '    type: string',
  '---',
  'system:',
  'Legacy {{topic}}',
  '',
].join('\n');

/** c1: summarize (`${file:}` JSON model + text style guide), cite (reads nothing), a v1 `base:` child. */
async function buildRepo(): Promise<{ repo: TestRepo; first: string }> {
  const repo = createTestRepo();
  cleanups.push(() => repo.remove());
  repo.write(`${SUMMARIZE}.prompty`, SUMMARIZE_TEXT);
  repo.write('research/shared/style-guide.md', 'Style one: plain words.');
  repo.write(
    'research/shared/model.json',
    '{"id": "test-model", "provider": "fake", "options": {"temperature": 0.2}}',
  );
  repo.write(`${CITE}.prompty`, promptText('List the citations.'));
  repo.write('legacy/shared/base.prompty', BASE_TEXT);
  repo.write(`${LEGACY}.prompty`, CHILD_TEXT);
  const first = await repo.commit('add research and legacy prompts', ALICE, 1_700_000_000);
  return { repo, first };
}

function storeSource(db: Db): StoreSource {
  const source = createStoreSource({ db });
  cleanups.push(() => source.close());
  return source;
}

function systemText(rendered: ReturnType<typeof renderPrompt>): unknown {
  return rendered.messages.find((message) => message.role === 'system')?.content;
}

describe('publishPrompts with files prompts read', () => {
  it('stores what each version read at its commit, and the store source resolves and renders it', async ({
    testDb,
  }) => {
    const db = testDb.database.db;
    const { repo, first } = await buildRepo();
    const report = await publishPrompts({ db, promptsDir: repo.promptsDir, actor: 'publisher' });
    expect(report.invalid).toEqual([]);
    // The v1 parent is a prompt in its own right.
    expect(report.published.map((v) => v.slug).sort()).toEqual(
      [LEGACY, 'legacy/shared/base', CITE, SUMMARIZE].sort(),
    );

    const [stored] = await listVersions(db, SUMMARIZE);
    expect(stored?.dependencies).toEqual({
      'research/shared/model.json':
        '{"id": "test-model", "provider": "fake", "options": {"temperature": 0.2}}',
      'research/shared/style-guide.md': 'Style one: plain words.',
    });
    expect((await listVersions(db, CITE))[0]?.dependencies).toEqual({});
    expect((await listVersions(db, LEGACY))[0]?.dependencies).toEqual({
      'legacy/shared/base.prompty': BASE_TEXT,
    });

    // The worker's view: no checkout at all.
    repo.remove();
    const source = storeSource(db);
    const summarize = await source.resolve({ slug: SUMMARIZE });
    expect(summarize.version).toBe(first.slice(0, 7));
    expect(summarize.prompt.model).toMatchObject({ id: 'test-model', provider: 'fake' });
    const rendered = renderPrompt(summarize, { abstract: 'We study tides.' });
    expect(rendered.messages).toEqual([
      { role: 'system', content: 'Style one: plain words.' },
      { role: 'user', content: 'We study tides.' },
    ]);

    const legacy = await source.resolve({ slug: LEGACY });
    expect(legacy.prompt).toMatchObject({ name: 'Child', model: { id: 'gpt-4o', provider: 'openai' } });
    expect(systemText(renderPrompt(legacy, { topic: 'tides' }))).toBe('Legacy tides');

    await deployVersion({ db, slug: SUMMARIZE, version: first.slice(0, 7), label: 'production', actor: 'a' });
    source.invalidate(SUMMARIZE);
    expect((await source.resolve({ slug: SUMMARIZE, label: 'production' })).version).toBe(first.slice(0, 7));
  });

  it('makes a new version of only the prompts that read a file when only that file changes', async ({
    testDb,
  }) => {
    const db = testDb.database.db;
    const { repo, first } = await buildRepo();
    await publishPrompts({ db, promptsDir: repo.promptsDir, actor: 'publisher' });
    repo.write('research/shared/style-guide.md', 'Style two: short sentences.');
    const second = await repo.commit('style guide: short sentences', BOB, 1_700_000_100);
    repo.write('research/shared/model.json', '{"id": "bigger-model", "provider": "fake"}');
    const third = await repo.commit('research: a bigger model', ALICE, 1_700_000_200);

    const report = await publishPrompts({ db, promptsDir: repo.promptsDir, actor: 'publisher' });
    expect(report.published).toEqual([
      { slug: SUMMARIZE, version: second.slice(0, 7), renamedFrom: null, isDraft: false },
      { slug: SUMMARIZE, version: third.slice(0, 7), renamedFrom: null, isDraft: false },
    ]);
    expect(report.unchanged).toBe(4);
    const versions = await listVersions(db, SUMMARIZE);
    expect(versions.map((v) => v.version)).toEqual([third, second, first].map((sha) => sha.slice(0, 7)));
    expect(new Set(versions.map((v) => v.contentHash)).size).toBe(1);
    expect(versions.map((v) => v.authorName)).toEqual([ALICE.name, BOB.name, ALICE.name]);

    const source = storeSource(db);
    const latest = await source.resolve({ slug: SUMMARIZE });
    expect(latest.prompt.model.id).toBe('bigger-model');
    expect(systemText(renderPrompt(latest, { abstract: 'A.' }))).toBe('Style two: short sentences.');
    const pinned = await source.resolve({ slug: SUMMARIZE, version: first.slice(0, 7) });
    expect(pinned.prompt.model.id).toBe('test-model');
    expect(systemText(renderPrompt(pinned, { abstract: 'A.' }))).toBe('Style one: plain words.');

    const again = await publishPrompts({ db, promptsDir: repo.promptsDir, actor: 'publisher' });
    expect(again.published).toEqual([]);
    expect(again.unchanged).toBe(6);
  });

  it('refuses uncommitted edits to a file a prompt reads, and drafts the prompts reading it with allowDirty', async ({
    testDb,
  }) => {
    const db = testDb.database.db;
    const { repo } = await buildRepo();
    repo.write('research/shared/style-guide.md', 'Style draft.');
    await expect(publishPrompts({ db, promptsDir: repo.promptsDir, actor: 'p' })).rejects.toMatchObject({
      code: 'registry.dirty_tree',
      details: { files: ['research/shared/style-guide.md'] },
    });

    const report = await publishPrompts({ db, promptsDir: repo.promptsDir, actor: 'p', allowDirty: true });
    const drafts = report.published.filter((v) => v.isDraft);
    expect(drafts.map((v) => v.slug)).toEqual([SUMMARIZE]);
    const draft = drafts[0]?.version ?? '';
    expect(draft).toMatch(/^draft-[0-9a-f]{12}$/);
    const source = storeSource(db);
    const resolved = await source.resolve({ slug: SUMMARIZE, version: draft });
    expect(systemText(renderPrompt(resolved, { abstract: 'A.' }))).toBe('Style draft.');
    expect(systemText(renderPrompt(await source.resolve({ slug: SUMMARIZE }), { abstract: 'A.' }))).toBe(
      'Style one: plain words.',
    );
  });

  it('refuses references leaving the prompts folder: the version is reported invalid and cannot be deployed', async ({
    testDb,
  }) => {
    const db = testDb.database.db;
    const repo = createTestRepo();
    cleanups.push(() => repo.remove());
    fs.writeFileSync(path.join(repo.dir, 'secrets.json'), '{"id": "leaked"}');
    const text = '---\nname: escape\nmodel: ${file:../../secrets.json}\n---\nsystem:\nhi\n';
    repo.write('acme/escape.prompty', text);
    const sha = (await repo.commit('escape', ALICE, 1_700_000_000)).slice(0, 7);

    const report = await publishPrompts({ db, promptsDir: repo.promptsDir, actor: 'p' });
    expect(report.invalid).toEqual([
      expect.objectContaining({ slug: 'acme/escape', version: sha, code: 'prompty.path_outside_root' }),
    ]);
    const stored = await findVersion(db, 'acme/escape', sha);
    expect(stored).toMatchObject({ dependencies: {} });
    await expect(
      deployVersion({ db, slug: 'acme/escape', version: sha, label: 'production', actor: 'a' }),
    ).rejects.toMatchObject({ code: 'registry.invalid_deploy' });
  });
});
