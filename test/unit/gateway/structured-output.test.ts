import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../src/gateway/errors.js';
import { buildResponseFormat, parseStructuredOutput } from '../../../src/gateway/structured-output.js';
import type { OutputProperty } from '../../../src/gateway/types.js';

const outputs: OutputProperty[] = [
  { name: 'category', kind: 'string', required: true, enumValues: ['billing', 'bug', 'other'] },
  { name: 'confidence', kind: 'float', required: true },
  { name: 'priority', kind: 'integer' },
  {
    name: 'tags',
    kind: 'array',
    required: true,
    items: { name: 'tag', kind: 'object', properties: [{ name: 'label', kind: 'string', required: true }] },
  },
];

describe('buildResponseFormat', () => {
  it('builds a strict json_schema named structured_output', () => {
    const format = buildResponseFormat(outputs);
    expect(format.type).toBe('json_schema');
    expect(format.json_schema).toMatchObject({ name: 'structured_output', strict: true });
    expect(format.json_schema.schema).toEqual({
      type: 'object',
      properties: {
        category: { type: 'string', enum: ['billing', 'bug', 'other'] },
        confidence: { type: 'number' },
        priority: { type: ['integer', 'null'] },
        tags: {
          type: 'array',
          items: {
            type: 'object',
            properties: { label: { type: 'string' } },
            required: ['label'],
            additionalProperties: false,
          },
        },
      },
      required: ['category', 'confidence', 'priority', 'tags'],
      additionalProperties: false,
    });
  });

  it('makes nullable enums accept null', () => {
    const format = buildResponseFormat([
      { name: 'mood', kind: 'string', required: true, nullable: true, enumValues: ['up'] },
    ]);
    expect(format.json_schema.schema.properties?.mood).toEqual({
      type: ['string', 'null'],
      enum: ['up', null],
    });
  });

  it('turns strict off when a part cannot be expressed strictly', () => {
    expect(buildResponseFormat([{ name: 'list', kind: 'array', required: true }]).json_schema.strict).toBe(
      false,
    );
    expect(buildResponseFormat([{ name: 'blob', kind: 'object', required: true }]).json_schema.strict).toBe(
      false,
    );
  });

  it('rejects output kinds that have no JSON type', () => {
    expect(() => buildResponseFormat([{ name: 'picture', kind: 'image' }])).toThrow(GatewayError);
  });
});

describe('parseStructuredOutput', () => {
  const format = buildResponseFormat(outputs);
  const valid = { category: 'bug', confidence: 0.9, priority: null, tags: [{ label: 'ui' }] };

  it('returns the parsed value when it matches the schema', () => {
    expect(parseStructuredOutput(JSON.stringify(valid), format)).toEqual(valid);
  });

  it('tolerates a markdown code fence', () => {
    expect(parseStructuredOutput(`\`\`\`json\n${JSON.stringify(valid)}\n\`\`\``, format)).toEqual(valid);
  });

  it('raises a retryable invalid_output for text that is not JSON', () => {
    const error = catchError(() => parseStructuredOutput('Sure! Here it is: {', format));
    expect(error).toMatchObject({ code: 'gateway.invalid_output', retryable: true });
  });

  it('lists every schema mismatch', () => {
    const error = catchError(() =>
      parseStructuredOutput(
        JSON.stringify({ category: 'spam', confidence: '0.9', tags: [{}], extra: 1 }),
        format,
      ),
    );
    expect(error.code).toBe('gateway.invalid_output');
    const paths = ((error.details?.issues ?? []) as Array<{ path: string }>).map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining(['$.category', '$.confidence', '$.priority', '$.tags[0].label', '$.extra']),
    );
  });
});

function catchError(fn: () => unknown): GatewayError {
  try {
    fn();
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a GatewayError');
}
