import { describe, expect, it } from 'vitest';
import { type CliIo, EXIT, formatValue, redactSecrets, reportError } from '../../../src/cli/output.js';
import { OpmError } from '../../../src/errors/index.js';

function bufferIo(): CliIo & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    stdout: { write: (text: string) => (io.out += text) },
    stderr: { write: (text: string) => (io.err += text) },
  };
  return io;
}

describe('reportError', () => {
  it('writes the message and code to stderr and nothing to stdout without --json', () => {
    const io = bufferIo();
    const code = reportError(io, new OpmError('registry.slug_not_found', 'Prompt "x" not found.'), {
      json: false,
    });
    expect(code).toBe(EXIT.failure);
    expect(io.err).toBe('opm: Prompt "x" not found. [registry.slug_not_found]\n');
    expect(io.out).toBe('');
  });

  it('also writes exactly one {"error":{code,message}} object to stdout with --json', () => {
    const io = bufferIo();
    reportError(
      io,
      new OpmError('prompty.missing_input', 'Input "ticket" is required.', { details: { a: 1 } }),
      {
        json: true,
      },
    );
    expect(JSON.parse(io.out)).toEqual({
      error: { code: 'prompty.missing_input', message: 'Input "ticket" is required.' },
    });
  });

  it('reports an unexpected error with the internal code', () => {
    const io = bufferIo();
    reportError(io, new TypeError('boom'), { json: true });
    expect(JSON.parse(io.out).error.code).toBe('internal.unexpected');
  });
});

describe('redactSecrets', () => {
  it('hides credential-looking string fields at any depth', () => {
    expect(
      redactSecrets({
        connection: { kind: 'key', apiKey: 'sk-123', endpoint: 'https://x' },
        list: [{ token: 't' }],
      }),
    ).toEqual({
      connection: { kind: 'key', apiKey: '***', endpoint: 'https://x' },
      list: [{ token: '***' }],
    });
  });
});

describe('formatValue', () => {
  it('quotes strings and shortens long values', () => {
    expect(formatValue('hi')).toBe('"hi"');
    expect(formatValue('x'.repeat(100), 10)).toHaveLength(10);
    expect(formatValue([1, 2])).toBe('[1,2]');
  });
});
