import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { loadPrompty } from '../../../src/prompty/index.js';
import { createPromptFileCache, sha256Hex } from '../../../src/registry/cache.js';
import { createTempPrompts, simplePrompt, type TempPrompts } from '../../support/temp-prompts.js';

let temp: TempPrompts | undefined;
afterEach(() => temp?.remove());

function setup(revalidateAfterMs = 0, now?: () => number) {
  temp = createTempPrompts();
  const file = temp.write('hello.prompty', simplePrompt());
  const cache = createPromptFileCache({
    load: (text, path) => loadPrompty(text, { path }),
    revalidateAfterMs,
    ...(now ? { now } : {}),
  });
  return { file, cache };
}

describe('createPromptFileCache', () => {
  it('parses a file once and serves later reads from the cache', () => {
    const { file, cache } = setup();
    const first = cache.get(file);
    const second = cache.get(file);
    expect(second.prompt).toBe(first.prompt);
    expect(cache.loads).toBe(1);
    expect(first.contentHash).toBe(sha256Hex(fs.readFileSync(file, 'utf8')));
  });

  it('reloads a file whose content changed', () => {
    const { file, cache } = setup();
    expect(cache.get(file).prompt.description).toBe('Says hello');
    fs.writeFileSync(file, simplePrompt({ description: 'Says hello, edited and longer' }));
    const reloaded = cache.get(file);
    expect(reloaded.prompt.description).toBe('Says hello, edited and longer');
    expect(cache.loads).toBe(2);
  });

  it('reloads an edit that keeps the size, seen through the mtime', () => {
    const { file, cache } = setup();
    cache.get(file);
    fs.writeFileSync(file, simplePrompt({ description: 'Says HELLO' }));
    const later = new Date(Date.now() + 5_000);
    fs.utimesSync(file, later, later);
    expect(cache.get(file).prompt.description).toBe('Says HELLO');
  });

  it('does not parse again when a file is touched but its content is the same', () => {
    const { file, cache } = setup();
    const first = cache.get(file);
    const later = new Date(Date.now() + 5_000);
    fs.utimesSync(file, later, later);
    expect(cache.get(file).prompt).toBe(first.prompt);
    expect(cache.loads).toBe(1);
  });

  it('trusts a checked file for revalidateAfterMs, then sees the edit', () => {
    let clock = 1_000;
    const { file, cache } = setup(500, () => clock);
    cache.get(file);
    fs.writeFileSync(file, simplePrompt({ description: 'Changed within the window' }));
    clock += 100;
    expect(cache.get(file).prompt.description).toBe('Says hello');
    clock += 500;
    expect(cache.get(file).prompt.description).toBe('Changed within the window');
  });

  it('fails, rather than serving the old prompt, when an edit breaks the file', () => {
    const { file, cache } = setup();
    cache.get(file);
    fs.writeFileSync(file, '---\nname: [unclosed\n---\nbody');
    expect(() => cache.get(file)).toThrow(expect.objectContaining({ code: 'prompty.invalid_front_matter' }));
  });

  it('forgets the least recently used file beyond maxEntries', () => {
    temp = createTempPrompts();
    const files = ['a', 'b', 'c'].map((name) => temp?.write(`${name}.prompty`, simplePrompt()) ?? '');
    const cache = createPromptFileCache({ load: (text, path) => loadPrompty(text, { path }), maxEntries: 2 });
    for (const file of files) cache.get(file);
    expect(cache.size).toBe(2);
    cache.get(files[0] ?? '');
    expect(cache.loads).toBe(4);
  });

  it('rejects nonsensical options when created', () => {
    expect(() => createPromptFileCache({ load: () => ({}) as never, maxEntries: 0 })).toThrow(RangeError);
    expect(() => createPromptFileCache({ load: () => ({}) as never, revalidateAfterMs: -1 })).toThrow(
      RangeError,
    );
  });
});
