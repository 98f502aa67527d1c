import { describe, expect, it } from 'vitest';
import { formatTable } from '../../../src/cli/table.js';

describe('formatTable', () => {
  it('aligns columns under their headers, numbers to the right', () => {
    const lines = formatTable(
      [{ header: 'slug' }, { header: 'tokens', align: 'right' }],
      [
        ['acme/a', '5→1'],
        ['b', '120→33'],
      ],
    );
    expect(lines).toEqual(['slug    tokens', '──────  ──────', 'acme/a     5→1', 'b       120→33']);
  });

  it('flattens cells to one line and cuts them at maxWidth', () => {
    const [, , row] = formatTable([{ header: 'output', maxWidth: 10 }], [['line one\n\nline two is long']]);
    expect(row).toBe('line one …');
  });
});
