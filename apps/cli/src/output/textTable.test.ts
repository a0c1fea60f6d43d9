import { describe, expect, it } from 'vitest';
import { renderTable } from './textTable.js';

describe('renderTable', () => {
  it('pads every column to its widest cell, right-aligned numbers', () => {
    const text = renderTable(
      [
        { header: 'key', align: 'left' },
        { header: 'loss', align: 'right' },
      ],
      [
        ['a', '1.5'],
        ['longer', '10.25'],
      ],
    );
    expect(text.split('\n')).toEqual([
      'key      loss',
      '──────  ─────',
      'a         1.5',
      'longer  10.25',
      '',
    ]);
  });

  it('renders 200,000 rows (one per --by group) without overflowing the call stack', () => {
    const rows = Array.from({ length: 200_000 }, (_, i) => [String(i), '0.5']);
    const text = renderTable(
      [
        { header: 'key', align: 'left' },
        { header: 'loss', align: 'right' },
      ],
      rows,
    );
    const lines = text.split('\n');
    expect(lines).toHaveLength(200_003);
    expect(lines[1]).toBe(`${'─'.repeat(6)}  ${'─'.repeat(4)}`);
    expect(lines[200_001]).toBe('199999   0.5');
  });
});
