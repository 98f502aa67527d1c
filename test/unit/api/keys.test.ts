import { describe, expect, it } from 'vitest';
import {
  displayPrefix,
  generateApiKey,
  hashApiKey,
  keyFromHeaders,
  keysEqual,
} from '../../../src/api/auth/keys.js';

describe('API keys', () => {
  it('generates opm_-prefixed keys with 256 random bits, never the same twice', () => {
    const keys = new Set(Array.from({ length: 200 }, generateApiKey));
    expect(keys.size).toBe(200);
    for (const key of keys) expect(key).toMatch(/^opm_[A-Za-z0-9_-]{43}$/);
  });

  it('hashes a key to 64 hex characters that do not contain it, deterministically', () => {
    const key = generateApiKey();
    const hash = hashApiKey(key);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hashApiKey(key)).toBe(hash);
    expect(hashApiKey(`${key}x`)).not.toBe(hash);
    expect(hash).not.toContain(key.slice(4, 12));
  });

  it('shows only the first 12 characters as the display prefix', () => {
    expect(displayPrefix('opm_abcdefghijklmnop')).toBe('opm_abcdefgh');
  });

  it('compares keys in constant time through their hashes', () => {
    expect(keysEqual('opm_same', 'opm_same')).toBe(true);
    expect(keysEqual('opm_same', 'opm_other-and-longer')).toBe(false);
  });

  it('reads the key from a Bearer Authorization header, else from X-Api-Key', () => {
    expect(keyFromHeaders('Bearer opm_abc', undefined)).toBe('opm_abc');
    expect(keyFromHeaders('bearer   opm_abc  ', undefined)).toBe('opm_abc');
    expect(keyFromHeaders(undefined, ' opm_def ')).toBe('opm_def');
    expect(keyFromHeaders('Basic dXNlcjpwYXNz', 'opm_def')).toBeNull();
    expect(keyFromHeaders('Bearer', undefined)).toBeNull();
    expect(keyFromHeaders(undefined, '')).toBeNull();
    expect(keyFromHeaders(undefined, undefined)).toBeNull();
  });
});
