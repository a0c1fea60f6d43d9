import { describe, expect, it } from 'vitest';
import { styleFor } from '../output/ansi.js';
import { progressLine } from './progressLine.js';
import { ProgressReporter } from './progressReporter.js';

const plain = styleFor(false);

describe('progressLine', () => {
  it('shows the bar, rows, MB of total, MB/s and the ETA from the file size, within 80 columns', () => {
    const line = progressLine(
      { label: 'reading', rows: 500_000, bytes: 200e6, totalBytes: 400e6, elapsedMs: 1000 },
      200,
      plain,
    );
    expect(line.length).toBeLessThan(80);
    expect(line).toBe('reading  ██████░░░░░░  50%  500,000 rows  200.0/400.0 MB  200.0 MB/s  ETA 1.0 s');
  });

  it('measures by rows when only their total is known', () => {
    const line = progressLine(
      { label: 'generating', rows: 250, bytes: 0, totalBytes: 0, totalRows: 1000, elapsedMs: 3000 },
      200,
      plain,
    );
    expect(line).toContain('25%');
    expect(line).toContain('250 / 1,000 rows');
    expect(line).toContain('ETA 9.0 s');
  });

  it('fits the terminal width without cutting colour codes', () => {
    const colored = styleFor(true);
    const line = progressLine(
      { label: 'reading', rows: 1, bytes: 1, totalBytes: 10, elapsedMs: 10 },
      12,
      colored,
    );
    const ESC = String.fromCharCode(27);
    const escapes = line.split(ESC).slice(1);
    for (const e of escapes) expect(e).toMatch(/^\[\d+m/);
    const visible = escapes.reduce((text, e) => text.replace(`${ESC}${/^\[\d+m/.exec(e)![0]}`, ''), line);
    expect(visible.length).toBe(12);
  });
});

describe('ProgressReporter', () => {
  it('draws in place, at most every 100 ms, and erases its line when done', () => {
    let now = 0;
    const writes: string[] = [];
    const r = new ProgressReporter(
      { write: (s) => writes.push(s), isTTY: true, columns: 80 },
      true,
      plain,
      () => now,
    );
    r.update({ label: 'reading', rows: 1, bytes: 1, totalBytes: 2 });
    now = 50;
    r.update({ label: 'reading', rows: 2, bytes: 1, totalBytes: 2 });
    now = 150;
    r.update({ label: 'reading', rows: 3, bytes: 2, totalBytes: 2 });
    r.done();
    expect(writes).toHaveLength(3);
    expect(writes[0]!.startsWith('\r')).toBe(true);
    expect(writes[1]).toContain('3 rows');
    expect(writes[2]).toBe('\r\u001b[K');
  });

  it('writes nothing when disabled', () => {
    const writes: string[] = [];
    const r = new ProgressReporter({ write: (s) => writes.push(s) }, false, plain);
    r.update({ label: 'reading', rows: 1, bytes: 1, totalBytes: 2 });
    r.done();
    expect(writes).toEqual([]);
  });
});
