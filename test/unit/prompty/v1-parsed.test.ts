import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadPrompty } from '../../../src/prompty/load.js';
import { preparePrompt } from '../../../src/prompty/prepare.js';
import { PROMPTY_CORPUS_DIR } from '../../support/corpus.js';

const DIR = `${PROMPTY_CORPUS_DIR}/v1-promptyjs`;
const read = (name: string) => readFileSync(`${DIR}/${name}`, 'utf8');

/**
 * promptyjs v1's own expectations. Its nunjucks ran with autoescape on and mustache.js escapes `'`,
 * so the files contain `&#39;`; the reference Python runtime prints `'` (no HTML escaping for jinja2,
 * chevron escapes only `& " < >`). opm follows the reference, so the apostrophe is un-escaped here.
 */
const followReference = (messages: Array<{ role: string; content: string }>) =>
  messages.map((m) => ({ ...m, content: m.content.replaceAll('&#39;', "'") }));

describe('v1 promptyjs *.parsed.json expectations', () => {
  it.each([
    ["basic.prompty (jinja2; reference prints it's where promptyjs HTML-escaped it)", 'basic.prompty'],
    [
      'basic.mustache.prompty (mustache; chevron-style escaping leaves the apostrophe)',
      'basic.mustache.prompty',
    ],
  ])('%s', (_name, file) => {
    const prompt = loadPrompty(read(file), { path: `/prompts/${file}` });
    const expected = JSON.parse(read(`${file}.parsed.json`)) as Array<{ role: string; content: string }>;
    const { messages } = preparePrompt(prompt, {}, { useSample: true });
    expect(messages).toEqual(followReference(expected));
  });
});
