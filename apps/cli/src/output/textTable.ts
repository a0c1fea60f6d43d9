/** A column of a {@link renderTable}: its header and whether numbers align right. */
export interface TableColumn {
  readonly header: string;
  readonly align: 'left' | 'right';
}

/**
 * Rows as aligned text, two spaces between columns, a rule under the header. `style` decorates
 * whole cells after padding, so ANSI codes never break the alignment.
 */
export function renderTable(
  columns: readonly TableColumn[],
  rows: readonly (readonly string[])[],
  style: { header?: (s: string) => string; lastRow?: (s: string) => string } = {},
): string {
  // A loop, not Math.max(...rows): spreading one argument per row overflows the call stack past
  // ~130,000 rows (one per --by group).
  const widths = columns.map((c) => c.header.length);
  for (const r of rows)
    for (let i = 0; i < widths.length; i++) {
      const n = (r[i] ?? '').length;
      if (n > widths[i]!) widths[i] = n;
    }
  const pad = (text: string, i: number): string =>
    columns[i]!.align === 'right' ? text.padStart(widths[i]!) : text.padEnd(widths[i]!);
  const line = (cells: readonly string[]): string => cells.map(pad).join('  ').replace(/\s+$/, '');
  const header = style.header ?? ((s: string) => s);
  const out = [header(line(columns.map((c) => c.header))), widths.map((w) => '─'.repeat(w)).join('  ')];
  rows.forEach((r, i) => {
    const text = line(columns.map((_, j) => r[j] ?? ''));
    out.push(i === rows.length - 1 && style.lastRow !== undefined ? style.lastRow(text) : text);
  });
  return `${out.join('\n')}\n`;
}
