import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPromptyFile } from '../../../src/prompty/load.js';
import { type Generation, PromptySchema } from '../../../src/prompty/model.js';
import { PROMPTY_CORPUS_DIR } from '../../support/corpus.js';
import { createMemoryHost, type MemoryFiles } from '../../support/memory-host.js';

const CORPUS = PROMPTY_CORPUS_DIR;
const MOUNT = '/corpus';

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

const files: MemoryFiles = Object.fromEntries(
  walk(CORPUS).map((path) => [join(MOUNT, relative(CORPUS, path)), readFileSync(path, 'utf8')]),
);
// promptflow's reference-file test points at data files the corpus did not copy; supply small ones.
files[join(MOUNT, 'datas/prompty_configuration.json')] = JSON.stringify({
  type: 'azure_openai',
  azure_deployment: 'gpt-35-turbo',
  connection: 'azure_open_ai_connection',
});
files[join(MOUNT, 'datas/prompty_tools.json')] = JSON.stringify([
  { type: 'function', function: { name: 'f' } },
]);
files[join(MOUNT, 'datas/prompty_sample.json')] = JSON.stringify({ question: 'what is 1+1?' });
const host = createMemoryHost(files);

const AZURE_V1 = { AZURE_OPENAI_ENDPOINT: 'https://v1.example.com', AZURE_OPENAI_KEY: 'v1-key' };
const OPENAI = { OPENAI_API_KEY: 'sk-test' };

/** The environment each file needs; every other file loads with none. */
function envFor(file: string): Record<string, string> {
  if (file.startsWith('v1-python-0.1.50/') || file === 'v1-docs/shakespeare.prompty') return AZURE_V1;
  if (/^v2-spec-fixtures\/(basic|embedding|image)\.prompty$/.test(file)) return OPENAI;
  return {};
}

const GENERATION_BY_FOLDER: Record<string, Generation> = {
  promptflow: 'promptflow',
  'v1-docs': 'v1',
  'v1-promptyjs': 'v1',
  'v1-python-0.1.50': 'v1',
  'v1.0-beta-python': 'v1.0-beta',
  'v2-python-tests': 'v2',
  'v2-spec-fixtures': 'v2',
  'v2-ts-tests': 'v2',
};

const prompts = walk(CORPUS)
  .filter((path) => path.endsWith('.prompty'))
  .map((path) => relative(CORPUS, path))
  .sort();

describe('loadPromptyFile on the prompty corpus', () => {
  it('finds the whole corpus', () => {
    expect(prompts.length).toBe(44);
  });

  it.each(prompts)('loads %s', (file) => {
    const prompt = loadPromptyFile(join(MOUNT, file), { host, root: MOUNT, env: envFor(file) });
    expect(PromptySchema.safeParse(prompt).error).toBeUndefined();
    expect(prompt.kind).toBe('prompt');
    expect(prompt.generation).toBe(GENERATION_BY_FOLDER[file.split('/')[0] ?? '']);
    expect(prompt.instructions.length).toBeGreaterThan(0);
    expect(prompt.source.contentHash).toMatch(/^[0-9a-f]{64}$/);
    const unknown = prompt.warnings.filter((warning) => warning.code === 'prompty.unknown_field');
    expect(unknown.map((warning) => warning.path)).toEqual(
      file === 'v2-ts-tests/vscode-test-sample.prompty' ? ['inputSchema'] : [],
    );
  });

  it.each(prompts.filter((file) => Object.keys(envFor(file)).length > 0))(
    'refuses %s when the environment it needs is missing',
    (file) => {
      expect(() => loadPromptyFile(join(MOUNT, file), { host, root: MOUNT, env: {} })).toThrow(
        expect.objectContaining({ code: 'prompty.env_not_set' }),
      );
    },
  );
});
