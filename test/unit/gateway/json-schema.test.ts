import { describe, expect, it } from 'vitest';
import { type JsonSchema, sampleFromSchema, validateJsonSchema } from '../../../src/gateway/json-schema.js';

describe('validateJsonSchema', () => {
  it('distinguishes integers from numbers', () => {
    expect(validateJsonSchema(1.5, { type: 'integer' })).toHaveLength(1);
    expect(validateJsonSchema(2, { type: 'integer' })).toEqual([]);
    expect(validateJsonSchema(1.5, { type: 'number' })).toEqual([]);
  });

  it('accepts any of several types', () => {
    expect(validateJsonSchema(null, { type: ['string', 'null'] })).toEqual([]);
    expect(validateJsonSchema(3, { type: ['string', 'null'] })).toEqual([
      { path: '$', message: 'expected string | null, got number' },
    ]);
  });

  it('does not treat arrays or null as objects', () => {
    expect(validateJsonSchema([], { type: 'object' })).toHaveLength(1);
    expect(validateJsonSchema(null, { type: 'object' })).toHaveLength(1);
  });
});

describe('sampleFromSchema', () => {
  it('produces a value its own validator accepts', () => {
    const schema: JsonSchema = {
      type: 'object',
      properties: {
        a: { type: 'string', enum: ['x', 'y'] },
        b: { type: ['integer', 'null'] },
        c: { type: 'array', items: { type: 'boolean' } },
      },
      required: ['a', 'b', 'c'],
      additionalProperties: false,
    };
    const sample = sampleFromSchema(schema);
    expect(sample).toEqual({ a: 'x', b: 0, c: [] });
    expect(validateJsonSchema(sample, schema)).toEqual([]);
  });
});
