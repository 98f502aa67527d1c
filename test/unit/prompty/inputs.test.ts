import { describe, expect, it } from 'vitest';
import { listDeclaredInputs, resolveInputs } from '../../../src/prompty/inputs.js';
import { loadPrompty } from '../../../src/prompty/load.js';

const code = (c: string, details: Record<string, unknown> = {}) =>
  expect.objectContaining({ code: c, details: expect.objectContaining(details) });

const v2 = loadPrompty(`---
name: v2
model: gpt-4
inputs:
  - name: city
    kind: string
    required: true
  - name: unit
    kind: string
    default: celsius
    enumValues: [celsius, fahrenheit]
  - name: count
    kind: integer
    example: 3
  - name: ratio
    kind: float
  - name: flags
    kind: array
  - name: options
    kind: object
  - name: on
    kind: boolean
  - name: history
    kind: thread
---
user:
{{city}}`);

const v1 = loadPrompty(`---
name: v1
authors: [me]
inputs:
  firstName:
    type: string
  lastName:
    type: string
    default: Doe
sample:
  firstName: Jane
  question: What?
---
{{firstName}}`);

const promptflow = loadPrompty(`---
model:
  api: chat
  connection: conn
inputs:
  question:
    type: string
  tone:
    type: string
    default: polite
sample:
  question: Sampled?
---
{{question}}`);

const beta = loadPrompty(`---
id: beta
model:
  api: chat
inputs:
  firstName:
    type: string
    sample: Jane
  nickname:
    type: string
    required: false
  lastName: Doe
---
{{firstName}}`);

describe('resolveInputs (v2)', () => {
  it('fills declared defaults and passes undeclared keys through', () => {
    expect(resolveInputs(v2, { city: 'Paris', extra: 1 })).toEqual({
      city: 'Paris',
      unit: 'celsius',
      extra: 1,
    });
  });

  it('keeps a "__proto__" key as plain data without touching the prototype', () => {
    const values = JSON.parse('{"city": "Paris", "__proto__": {"polluted": true}}') as Record<
      string,
      unknown
    >;
    const resolved = resolveInputs(v2, values);
    expect(Object.getPrototypeOf(resolved)).toBe(Object.prototype);
    expect(Object.hasOwn(resolved, '__proto__')).toBe(true);
    expect((resolved as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it('drops undefined values so declared defaults still apply', () => {
    expect(resolveInputs(v2, { city: 'Paris', unit: undefined })).toEqual({ city: 'Paris', unit: 'celsius' });
  });

  it('refuses a missing required input, naming it', () => {
    expect(() => resolveInputs(v2, {})).toThrow(code('prompty.missing_input', { input: 'city' }));
  });

  it('never uses an example unless sample data is asked for', () => {
    expect(resolveInputs(v2, { city: 'x' })).not.toHaveProperty('count');
    expect(resolveInputs(v2, { city: 'x' }, { useSample: true })).toMatchObject({ count: 3 });
  });

  it.each([
    ['city', 42, 'string', 'integer'],
    ['count', 1.5, 'integer', 'float'],
    ['ratio', '0.5', 'float', 'string'],
    ['flags', 'a,b', 'array', 'string'],
    ['options', [1], 'object', 'array'],
    ['on', 'true', 'boolean', 'string'],
    ['history', [{ text: 'no role' }], 'thread', 'array'],
  ])('refuses %s = %j (expects %s, got %s)', (input, value, expected, actual) => {
    expect(() => resolveInputs(v2, { city: 'x', [input]: value })).toThrow(
      code('prompty.invalid_input', { input, expected, actual }),
    );
  });

  it('accepts values of the declared kinds, integers for floats and message lists for threads', () => {
    const values = {
      city: 'x',
      count: 2,
      ratio: 1,
      flags: [],
      options: {},
      on: false,
      history: [{ role: 'user', content: 'hi' }],
    };
    expect(resolveInputs(v2, values)).toEqual({ ...values, unit: 'celsius' });
  });

  it('refuses a value outside enumValues', () => {
    expect(() => resolveInputs(v2, { city: 'x', unit: 'kelvin' })).toThrow(
      code('prompty.invalid_input', { input: 'unit' }),
    );
  });

  it('treats null as no value for nullable-by-default inputs', () => {
    expect(resolveInputs(v2, { city: 'x', ratio: null })).toMatchObject({ ratio: null });
  });
});

describe('resolveInputs (v1)', () => {
  it('merges sample data under the caller values only with useSample', () => {
    expect(resolveInputs(v1, { question: 'Mine?' }, { useSample: true })).toEqual({
      firstName: 'Jane',
      lastName: 'Doe',
      question: 'Mine?',
    });
    expect(resolveInputs(v1, {})).toEqual({ lastName: 'Doe' });
  });

  it('applies declared defaults although 0.1.x did not, and requires nothing', () => {
    expect(resolveInputs(v1, { firstName: 'Ann' })).toEqual({ firstName: 'Ann', lastName: 'Doe' });
  });
});

describe('resolveInputs (promptflow)', () => {
  it('requires every input without a default', () => {
    expect(() => resolveInputs(promptflow, {})).toThrow(code('prompty.missing_input', { input: 'question' }));
  });

  it('fills defaults and takes the sample with useSample', () => {
    expect(resolveInputs(promptflow, {}, { useSample: true })).toEqual({
      question: 'Sampled?',
      tone: 'polite',
    });
  });
});

describe('resolveInputs (1.0 beta)', () => {
  it('requires inputs without a default unless required is false', () => {
    expect(() => resolveInputs(beta, {})).toThrow(code('prompty.missing_input', { input: 'firstName' }));
    expect(resolveInputs(beta, { firstName: 'A' })).toEqual({ firstName: 'A', lastName: 'Doe' });
  });

  it('uses the per-input sample with useSample', () => {
    expect(resolveInputs(beta, {}, { useSample: true })).toEqual({ firstName: 'Jane', lastName: 'Doe' });
  });
});

describe('listDeclaredInputs', () => {
  it('reports each input with its effective requiredness', () => {
    expect(listDeclaredInputs(promptflow)).toEqual([
      { name: 'question', kind: 'string', isRequired: true, hasDefault: false },
      { name: 'tone', kind: 'string', isRequired: false, hasDefault: true },
    ]);
    expect(listDeclaredInputs(v1).every((input) => !input.isRequired)).toBe(true);
  });
});
