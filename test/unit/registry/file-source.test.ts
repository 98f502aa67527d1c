import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFileSource, type RegistryError } from '../../../src/registry/index.js';
import { createTempPrompts, simplePrompt, type TempPrompts } from '../../support/temp-prompts.js';

let temp: TempPrompts | undefined;
const cleanups: string[] = [];
afterEach(() => {
  temp?.remove();
  for (const folder of cleanups.splice(0)) fs.rmSync(folder, { recursive: true, force: true });
});

function setup() {
  temp = createTempPrompts({
    'acme/support/triage.prompty': simplePrompt({ name: 'triage', description: 'Triage tickets' }),
    'acme/support/reply.prompty': simplePrompt({ name: 'reply' }),
    'research/papers/summarize.prompty': simplePrompt({ name: 'summarize' }),
    'research/notes.md': 'not a prompt',
  });
  return { root: temp.root, source: createFileSource({ root: temp.root, revalidateAfterMs: 0 }) };
}

async function failure(promise: Promise<unknown>): Promise<RegistryError> {
  try {
    await promise;
  } catch (error) {
    return error as RegistryError;
  }
  throw new Error('expected a rejection');
}

describe('createFileSource', () => {
  it('lists every prompt by slug, sorted, with its model and version', async () => {
    const { source } = setup();
    const prompts = await source.list();
    expect(prompts.map((prompt) => prompt.slug)).toEqual([
      'acme/support/reply',
      'acme/support/triage',
      'research/papers/summarize',
    ]);
    expect(prompts[1]).toMatchObject({
      name: 'triage',
      description: 'Triage tickets',
      model: 'openai/gpt-4o-mini',
    });
    expect(prompts[1]?.version).toMatch(/^[0-9a-f]{64}$/);
  });

  it('lists a prompt that does not load with its error instead of failing the whole list', async () => {
    const { source } = setup();
    temp?.write('acme/broken.prompty', '---\nname: [oops\n---\nHi');
    const broken = (await source.list()).find((prompt) => prompt.slug === 'acme/broken');
    expect(broken?.error?.code).toBe('prompty.invalid_front_matter');
  });

  it('skips files whose paths are not valid slugs', async () => {
    const { source } = setup();
    temp?.write('Acme/Upper.prompty', simplePrompt());
    expect((await source.list()).map((prompt) => prompt.slug)).not.toContain('Acme/Upper');
  });

  it('resolves a slug to its prompt, with the content hash as the version', async () => {
    const { source } = setup();
    const resolved = await source.resolve({ slug: 'acme/support/triage' });
    expect(resolved).toMatchObject({ slug: 'acme/support/triage', label: null, variant: null });
    expect(resolved.prompt.name).toBe('triage');
    expect(resolved.version).toMatch(/^[0-9a-f]{64}$/);
  });

  it('suggests the nearest slugs for an unknown one', async () => {
    const { source } = setup();
    const error = await failure(source.resolve({ slug: 'acme/support/triag' }));
    expect(error.code).toBe('registry.slug_not_found');
    expect(error.message).toContain('Did you mean acme/support/triage?');
    expect(error.details?.suggestions).toEqual(['acme/support/triage']);
  });

  it.each([
    ['../outside'],
    ['/etc/passwd'],
    ['acme\\support\\triage'],
    ['Acme/Support/Triage'],
    ['acme/support/triage.prompty'],
  ])('refuses the slug %s before touching the file system', async (slug) => {
    const { source } = setup();
    expect((await failure(source.resolve({ slug }))).code).toBe('registry.invalid_slug');
  });

  it('refuses a slug whose file is a symlink out of the root', async () => {
    const { source, root } = setup();
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'opm-outside-'));
    cleanups.push(outside);
    fs.writeFileSync(path.join(outside, 'secret.prompty'), simplePrompt({ name: 'secret' }));
    fs.symlinkSync(path.join(outside, 'secret.prompty'), path.join(root, 'acme/secret.prompty'));
    expect((await failure(source.resolve({ slug: 'acme/secret' }))).code).toBe('registry.path_outside_root');
    expect((await source.list()).map((prompt) => prompt.slug)).not.toContain('acme/secret');
  });

  it('refuses a folder symlinked out of the root', async () => {
    const { source, root } = setup();
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'opm-outside-'));
    cleanups.push(outside);
    fs.writeFileSync(path.join(outside, 'leak.prompty'), simplePrompt());
    fs.symlinkSync(outside, path.join(root, 'linked'));
    expect((await failure(source.resolve({ slug: 'linked/leak' }))).code).toBe('registry.path_outside_root');
    expect((await source.list()).map((prompt) => prompt.slug)).not.toContain('linked/leak');
  });

  it('follows a symlink that stays inside the root', async () => {
    const { source, root } = setup();
    fs.symlinkSync(path.join(root, 'acme/support/reply.prompty'), path.join(root, 'acme/answer.prompty'));
    expect((await source.resolve({ slug: 'acme/answer' })).prompt.name).toBe('reply');
  });

  it('accepts the label latest and refuses any other label', async () => {
    const { source } = setup();
    await expect(source.resolve({ slug: 'acme/support/reply', label: 'latest' })).resolves.toBeDefined();
    const error = await failure(source.resolve({ slug: 'acme/support/reply', label: 'production' }));
    expect(error.code).toBe('registry.label_not_supported');
    expect(error.message).toContain('production');
  });

  it('accepts a version that is a prefix of the content hash and refuses any other', async () => {
    const { source } = setup();
    const { version } = await source.resolve({ slug: 'acme/support/reply' });
    await expect(
      source.resolve({ slug: 'acme/support/reply', version: version?.slice(0, 8) }),
    ).resolves.toBeDefined();
    const error = await failure(source.resolve({ slug: 'acme/support/reply', version: '0000000' }));
    expect(error.code).toBe('registry.version_not_found');
    expect(
      (await failure(source.resolve({ slug: 'acme/support/reply', version: version?.slice(0, 3) }))).code,
    ).toBe('registry.version_not_found');
  });

  it('serves the edited prompt after its file changes', async () => {
    const { source, root } = setup();
    const before = await source.resolve({ slug: 'acme/support/triage' });
    fs.writeFileSync(path.join(root, 'acme/support/triage.prompty'), simplePrompt({ name: 'triage-v2' }));
    const after = await source.resolve({ slug: 'acme/support/triage' });
    expect(after.prompt.name).toBe('triage-v2');
    expect(after.version).not.toBe(before.version);
  });

  it('serves the cached prompt within revalidateAfterMs and the edit once it has passed', async () => {
    const { root } = setup();
    let clock = 0;
    const source = createFileSource({ root, revalidateAfterMs: 1000, now: () => clock });
    await source.resolve({ slug: 'acme/support/triage' });
    fs.writeFileSync(path.join(root, 'acme/support/triage.prompty'), simplePrompt({ name: 'triage-edited' }));
    clock = 999;
    expect((await source.resolve({ slug: 'acme/support/triage' })).prompt.name).toBe('triage');
    clock = 1000;
    expect((await source.resolve({ slug: 'acme/support/triage' })).prompt.name).toBe('triage-edited');
  });

  it('notices a deleted prompt once the window has passed', async () => {
    const { root } = setup();
    let clock = 0;
    const source = createFileSource({ root, revalidateAfterMs: 1000, now: () => clock });
    await source.resolve({ slug: 'acme/support/reply' });
    fs.rmSync(path.join(root, 'acme/support/reply.prompty'));
    clock = 1000;
    expect((await failure(source.resolve({ slug: 'acme/support/reply' }))).code).toBe(
      'registry.slug_not_found',
    );
  });

  it('resolves a file path outside the root, named after the file', async () => {
    const { source } = setup();
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'opm-draft-'));
    cleanups.push(outside);
    fs.writeFileSync(path.join(outside, 'draft.prompty'), simplePrompt({ name: 'draft' }));
    const resolved = await source.resolvePath(path.join(outside, 'draft.prompty'));
    expect(resolved).toMatchObject({ slug: 'draft' });
  });

  it('fails at creation when the root is missing', () => {
    expect(() => createFileSource({ root: path.join(os.tmpdir(), 'opm-no-such-folder-xyz') })).toThrow(
      expect.objectContaining({ code: 'registry.root_not_found' }),
    );
  });
});
