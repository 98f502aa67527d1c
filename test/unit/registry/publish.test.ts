import { describe, expect, it } from 'vitest';
import { versionId } from '../../../src/registry/publish.js';

describe('versionId', () => {
  it('is the 7-character short sha of the commit', () => {
    expect(versionId('a1b2c3d4e5f6a7b8c9d0', ['a1b2c3d4e5f6a7b8c9d0', 'ffffffffffffffffffff'])).toBe(
      'a1b2c3d',
    );
  });

  it('widens to 12 characters when another commit of the prompt shares the first 7', () => {
    const siblings = ['a1b2c3d4e5f6a7b8c9d0', 'a1b2c3dffff6a7b8c9d0'];
    expect(versionId('a1b2c3d4e5f6a7b8c9d0', siblings)).toBe('a1b2c3d4e5f6');
    expect(versionId('a1b2c3dffff6a7b8c9d0', siblings)).toBe('a1b2c3dffff6');
  });
});
