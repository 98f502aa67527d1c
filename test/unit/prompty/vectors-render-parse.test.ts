import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type ParsedMessage, parseMessages } from '../../../src/prompty/parse/chat-parser.js';
import { expandRichInputs, substituteRichInputs } from '../../../src/prompty/parse/threads.js';
import { renderTemplate, toTemplateEngine } from '../../../src/prompty/render/render.js';
import { renderSegments } from '../../../src/prompty/render/render-segments.js';
import { PROMPTY_CORPUS_DIR } from '../../support/corpus.js';

const CORPUS = `${PROMPTY_CORPUS_DIR}/v2-conformance/vectors-parse-render-load.json`;

interface Vector {
  operation: string;
  vector: {
    name: string;
    input: Record<string, unknown> & { template?: string; engine?: string; inputs?: Record<string, unknown> };
    expected: Record<string, unknown>;
  };
}

const vectors = (JSON.parse(readFileSync(CORPUS, 'utf8')) as { vectors: Vector[] }).vectors;
const byOperation = (operation: string) =>
  vectors.filter((v) => v.operation === operation).map((v) => [v.vector.name, v.vector] as const);

/** The vectors' message shape: content as `[{kind: 'text', value}]`. */
function toVectorShape(message: ParsedMessage): Record<string, unknown> {
  const content =
    typeof message.content === 'string'
      ? [{ kind: 'text', value: message.content }]
      : message.content.map((part) => (part.type === 'text' ? { kind: 'text', value: part.text } : part));
  return { role: message.role, content, ...(message.metadata ? { metadata: message.metadata } : {}) };
}

describe('conformance vectors: parse', () => {
  it.each(byOperation('parse'))('%s', (_name, vector) => {
    const rendered = String(vector.input.rendered);
    const threads = (vector.input.thread_inputs ?? {}) as Record<string, unknown>;
    let messages: ParsedMessage[];
    if (Object.keys(threads).length > 0) {
      // The vector's rendered text already holds a placeholder; rebuild the map the renderer would keep.
      const placeholders = [...rendered.matchAll(/__PROMPTY_THREAD_[0-9a-f]{8}_(\w+?)__/g)].map((m) => ({
        placeholder: m[0],
        name: m[1] ?? '',
        kind: 'thread',
        value: threads[m[1] ?? ''],
      }));
      messages = expandRichInputs(parseMessages(rendered, { generation: 'v2' }), placeholders);
    } else messages = parseMessages(rendered, { generation: 'v2' });
    expect(messages.map(toVectorShape)).toEqual(vector.expected.messages);
  });
});

describe('conformance vectors: render', () => {
  it.each(byOperation('render'))('%s', (_name, vector) => {
    const engine = toTemplateEngine(vector.input.engine ?? 'jinja2');
    const { values } = substituteRichInputs([], vector.input.inputs ?? {});
    const rendered = renderTemplate(vector.input.template ?? '', values, { engine });
    if (typeof vector.expected.nonce_pattern === 'string') {
      expect(rendered).toMatch(new RegExp(vector.expected.nonce_pattern));
    } else expect(rendered).toBe(vector.expected.rendered);
  });
});

describe('conformance vectors: renderSegments', () => {
  it.each(byOperation('renderSegments'))('%s', (_name, vector) => {
    const strictProps = (vector.input.strict_props ?? []) as string[];
    const run = () =>
      renderSegments(vector.input.template ?? '', vector.input.inputs ?? {}, {
        engine: 'jinja2',
        strictInputs: Object.fromEntries(strictProps.map((name) => [name, true])),
      });
    if (vector.expected.error === 'StrictViolation') {
      expect(run).toThrow(
        expect.objectContaining({
          code: 'prompty.role_injection',
          details: expect.objectContaining({ input: strictProps[0] }),
        }),
      );
    } else expect(run()).toEqual(vector.expected.segments);
  });
});
