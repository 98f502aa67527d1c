import { describe, expect, it } from 'vitest';
import { parseBatchInput } from '../../../src/cli/batch-input.js';

describe('parseBatchInput', () => {
  it('turns each JSON object line into an item numbered by its line', () => {
    const { items, bad } = parseBatchInput('{"ticket":"a"}\n{"ticket":"b","n":2}\n');
    expect(bad).toEqual([]);
    expect(items).toEqual([
      { line: 1, vars: { ticket: 'a' } },
      { line: 2, vars: { ticket: 'b', n: 2 } },
    ]);
  });

  it('skips blank lines without shifting the line numbers of the others', () => {
    const { items } = parseBatchInput('\n{"a":1}\n   \r\n{"a":2}');
    expect(items.map((item) => item.line)).toEqual([2, 4]);
  });

  it('reports every line that is not JSON or not an object, and keeps the good ones', () => {
    const { items, bad } = parseBatchInput('{"a":1}\n{oops}\n[1,2]\n"text"\nnull\n42\n{"a":2}');
    expect(items.map((item) => item.line)).toEqual([1, 7]);
    expect(bad.map((entry) => entry.line)).toEqual([2, 3, 4, 5, 6]);
    expect(bad[0]?.message).toMatch(/^not valid JSON/);
    expect(bad[1]?.message).toContain('got an array');
    expect(bad[2]?.message).toContain('got a string');
    expect(bad[3]?.message).toContain('got null');
    expect(bad[4]?.message).toContain('got a number');
  });

  it('cuts long bad lines in its message', () => {
    const { bad } = parseBatchInput(`{${'x'.repeat(500)}`);
    expect(bad[0]?.message.length).toBeLessThan(200);
  });
});
