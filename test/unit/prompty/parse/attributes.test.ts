import { describe, expect, it } from 'vitest';
import {
  coerceAttribute,
  formatRoleAttributes,
  parseRoleAttributes,
} from '../../../../src/prompty/parse/attributes.js';

describe('parseRoleAttributes', () => {
  it('coerces unquoted booleans, integers and decimals', () => {
    expect(parseRoleAttributes('a=true, b=False, c=42, d=-1.5, e=Bob')).toEqual({
      a: true,
      b: false,
      c: 42,
      d: -1.5,
      e: 'Bob',
    });
  });

  it('keeps quoted values as strings, with spaces and commas', () => {
    expect(parseRoleAttributes('name="Ada L", note="a, b", n="7"')).toEqual({
      name: 'Ada L',
      note: 'a, b',
      n: '7',
    });
  });

  it('never coerces a nonce, even all digits with a leading zero (upstream #520)', () => {
    expect(parseRoleAttributes('nonce=0123456789012345')).toEqual({ nonce: '0123456789012345' });
  });

  it('reads a lone quoted nonce, and a nonce among or beside other attributes, the same way', () => {
    expect(parseRoleAttributes('nonce="00ab, c"')).toEqual({ nonce: '00ab, c' });
    expect(parseRoleAttributes('nonce=""')).toEqual({ nonce: '' });
    expect(parseRoleAttributes('nonce="a", name="b"')).toEqual({ nonce: 'a', name: 'b' });
    expect(parseRoleAttributes('nonce="a"b"')).toBeNull();
  });

  it('keeps integers beyond the safe range as strings', () => {
    expect(parseRoleAttributes('id=123456789012345678901')).toEqual({ id: '123456789012345678901' });
  });

  it('rejects malformed lists', () => {
    expect(parseRoleAttributes('name')).toBeNull();
    expect(parseRoleAttributes('=x')).toBeNull();
    expect(parseRoleAttributes('a="open')).toBeNull();
    expect(parseRoleAttributes('a=b"c')).toBeNull();
  });

  it('does not let a key named __proto__ change the prototype', () => {
    const parsed = parseRoleAttributes('__proto__=x') as Record<string, unknown>;
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.keys(parsed)).toEqual(['__proto__']);
  });
});

describe('coerceAttribute', () => {
  it('leaves quoted values alone', () => {
    expect(coerceAttribute('n', 'true', true)).toBe('true');
  });
});

describe('formatRoleAttributes', () => {
  it('round-trips through parseRoleAttributes', () => {
    const attributes = { name: 'Ada L', id: 7, ok: true, n: '7', flag: 'true', plain: 'Bob', nonce: '00ab' };
    expect(parseRoleAttributes(formatRoleAttributes(attributes))).toEqual(attributes);
  });
});
