import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { PromptyError } from '../../../src/prompty/errors.js';
import type { PromptyHost } from '../../../src/prompty/host.js';
import { resolveInputs } from '../../../src/prompty/inputs.js';
import { loadPrompty, loadPromptyFile } from '../../../src/prompty/load.js';
import type { Prompty } from '../../../src/prompty/model.js';
import { PROMPTY_CORPUS_DIR } from '../../support/corpus.js';
import { createMemoryHost, type MemoryFiles } from '../../support/memory-host.js';

const CORPUS = PROMPTY_CORPUS_DIR;
const FIXTURES = join(CORPUS, 'v2-spec-fixtures');

interface LoadVector {
  name: string;
  input: {
    fixture?: string;
    frontmatter?: Record<string, unknown>;
    frontmatter_raw?: string;
    env?: Record<string, string>;
    files?: Record<string, unknown>;
    agent_subdir?: string;
    inputs?: Record<string, unknown>;
  };
  expected: Record<string, unknown> & { error?: string; error_field?: string; validated_inputs?: unknown };
}

const vectors = (
  JSON.parse(readFileSync(join(CORPUS, 'v2-conformance/vectors-parse-render-load.json'), 'utf8')) as {
    vectors: { operation: string; vector: LoadVector }[];
  }
).vectors
  .filter((entry) => entry.operation === 'load')
  .map((entry) => entry.vector);

const fsHost: PromptyHost = {
  readText: (path) => readFileSync(path, 'utf8'),
  readBytes: (path) => readFileSync(path),
  realpath: (path) => realpathSync(path),
  exists: existsSync,
};

function load(vector: LoadVector): Prompty {
  const { input } = vector;
  const env = input.env ?? {};
  if (input.fixture !== undefined)
    return loadPromptyFile(join(FIXTURES, input.fixture), { host: fsHost, env });
  const base = `/vectors/${vector.name}`;
  const dir = input.agent_subdir === undefined ? base : join(base, input.agent_subdir);
  const files: MemoryFiles = {};
  for (const [relative, content] of Object.entries(input.files ?? {})) {
    files[join(dir, relative)] = JSON.stringify(content);
  }
  const text = input.frontmatter_raw ?? `---\n${stringify(input.frontmatter ?? {})}---\n`;
  return loadPrompty(text, { path: join(dir, 'prompt.prompty'), host: createMemoryHost(files), env });
}

/**
 * Vectors list only the fields they check. `null` means "not set": an absent field, an empty list,
 * or a model with neither id nor connection (opm always fills `apiType` and `options`).
 */
function expectSubset(actual: unknown, expected: unknown, path: string): void {
  if (expected === null) {
    const isEmpty =
      actual === undefined ||
      actual === null ||
      (Array.isArray(actual) && actual.length === 0) ||
      (path === 'model' && (actual as Prompty['model']).id === undefined);
    expect(isEmpty, `${path} should be unset, got ${JSON.stringify(actual)}`).toBe(true);
  } else if (Array.isArray(expected)) {
    expect(Array.isArray(actual), `${path} should be a list`).toBe(true);
    expect((actual as unknown[]).length, `${path} length`).toBe(expected.length);
    expected.forEach((item, index) => {
      expectSubset((actual as unknown[])[index], item, `${path}[${index}]`);
    });
  } else if (typeof expected === 'object') {
    expect(typeof actual, `${path} should be an object`).toBe('object');
    for (const [key, value] of Object.entries(expected)) {
      expectSubset((actual as Record<string, unknown>)[key], value, path ? `${path}.${key}` : key);
    }
  } else {
    expect(actual, path).toEqual(expected);
  }
}

function run(vector: LoadVector): unknown {
  const prompt = load(vector);
  return vector.input.inputs === undefined ? prompt : resolveInputs(prompt, vector.input.inputs);
}

describe('loadPrompty conformance vectors (v2 load)', () => {
  it('covers every load vector of the corpus', () => {
    expect(vectors.length).toBe(28);
  });

  it.each(vectors.map((vector) => [vector.name, vector] as const))('%s', (_name, vector) => {
    const { error, error_field: errorField, validated_inputs: validated, ...fields } = vector.expected;
    if (error !== undefined) {
      let thrown: unknown;
      try {
        run(vector);
      } catch (caught) {
        thrown = caught;
      }
      expect(thrown).toBeInstanceOf(PromptyError);
      expect((thrown as PromptyError).message.toLowerCase()).toContain(error.toLowerCase());
      if (errorField !== undefined) expect((thrown as PromptyError).details?.input).toBe(errorField);
      return;
    }
    const result = run(vector);
    if (validated !== undefined) expect(result).toEqual(validated);
    else expectSubset(result, fields, '');
  });
});
