import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, expectTypeOf, it } from 'vitest';
import * as sdk from '../../../src/index.js';

describe('the SDK entry (src/index.ts)', () => {
  it('exports exactly the deliberate runtime surface', () => {
    expect(Object.keys(sdk).sort()).toEqual([
      'OpmError',
      'QueueError',
      'RunFailedError',
      'RunResultSchema',
      'RunTimeoutError',
      'SIGNATURE_HEADER',
      'createClient',
      'isOpmError',
      'verifyWebhookSignature',
    ]);
  });

  it('names nothing twice', () => {
    const source = readFileSync(fileURLToPath(new URL('../../../src/index.ts', import.meta.url)), 'utf8');
    const names = [...source.matchAll(/export (?:type )?\{([^}]*)\}/g)].flatMap((match) =>
      (match[1] ?? '')
        .split(',')
        .map((name) => name.trim().replace(/^type /, ''))
        .filter(Boolean),
    );
    expect(new Set(names).size).toBe(names.length);
  });

  it('rejects a database option that is not a postgres URL', () => {
    expect(() => sdk.createClient({ redis: 'redis://127.0.0.1:6379', database: 'mysql://x' })).toThrow(
      TypeError,
    );
  });

  it('types run() as resolving to a RunResult and errors as OpmErrors', () => {
    expectTypeOf<ReturnType<sdk.OpmClient['run']>>().toEqualTypeOf<Promise<sdk.RunResult>>();
    expectTypeOf<sdk.RunFailedError>().toExtend<sdk.OpmError>();
    expectTypeOf<sdk.RunFailedError['runError']>().toEqualTypeOf<sdk.StoredRunError>();
  });
});
