import { describe, expect, it } from 'vitest';
import { stringifyValue } from '../../../../src/prompty/render/stringify.js';

describe('stringifyValue', () => {
  it.each([
    ['a string as is', 'héllo', 'héllo'],
    ['true in lowercase', true, 'true'],
    ['false in lowercase', false, 'false'],
    ['null as empty text', null, ''],
    ['undefined as empty text', undefined, ''],
    ['an integral float without a decimal part', 1.0, '1'],
    ['a float in shortest form', 0.1 + 0.2, '0.30000000000000004'],
    ['negative zero as 0', -0, '0'],
    ['a bigint in decimal', 12345678901234567890n, '12345678901234567890'],
    ['a list as compact JSON', [1, 'a', true, null], '[1,"a",true,null]'],
    ['a mapping as compact JSON', { a: 1, b: [2] }, '{"a":1,"b":[2]}'],
    ['a function as empty text', () => 1, ''],
  ])('prints %s', (_name, value, expected) => {
    expect(stringifyValue(value)).toBe(expected);
  });
});
