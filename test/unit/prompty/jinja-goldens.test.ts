import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderTemplate } from '../../../src/prompty/render/render.js';
import { renderSegments } from '../../../src/prompty/render/render-segments.js';
import { PROMPTY_CORPUS_DIR } from '../../support/corpus.js';

const DIR = `${PROMPTY_CORPUS_DIR}/v2-conformance`;
const read = <T>(name: string): T => JSON.parse(readFileSync(`${DIR}/${name}`, 'utf8')) as T;

interface Case {
  name: string;
  template: string;
  inputs: Record<string, unknown>;
  strict_props?: string[];
  expect_throw?: boolean;
}

const corpus = read<{ cases: Case[] }>('jinja-subset-corpus.json').cases;
const renderGolden = read<Array<Case & { rendered: string }>>('jinja-subset-render_golden.json');
const segmentsGolden = read<Array<Case & { segments?: unknown[]; throws?: string }>>(
  'jinja-subset-segments_golden.json',
);

const strictOf = (c: Case) => Object.fromEntries((c.strict_props ?? []).map((name) => [name, true]));

describe('jinja subset render goldens', () => {
  // Cases that must throw carry no rendered golden; they are checked below.
  const rendered = renderGolden.filter((c) => typeof c.rendered === 'string');

  it.each(rendered.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expect(renderTemplate(c.template, c.inputs, { engine: 'jinja2' })).toBe(c.rendered);
  });
});

describe('jinja subset corpus expect_throw cases', () => {
  const throwing = corpus.filter((c) => c.expect_throw);

  it('has throwing cases to check', () => {
    expect(throwing.length).toBeGreaterThan(0);
  });

  it.each(throwing.map((c) => [c.name, c] as const))('%s throws a role injection error', (_name, c) => {
    expect(() =>
      renderSegments(c.template, c.inputs, { engine: 'jinja2', strictInputs: strictOf(c) }),
    ).toThrow(expect.objectContaining({ code: 'prompty.role_injection' }));
  });
});

describe('jinja subset segments goldens', () => {
  it.each(segmentsGolden.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const run = () => renderSegments(c.template, c.inputs, { engine: 'jinja2', strictInputs: strictOf(c) });
    if (c.throws) expect(run).toThrow(expect.objectContaining({ code: 'prompty.role_injection' }));
    else expect(run()).toEqual(c.segments);
  });
});
