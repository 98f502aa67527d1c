/** One column of {@link formatTable}. */
export interface TableColumn {
  header: string;
  /** Numbers read best right-aligned. @default 'left' */
  align?: 'left' | 'right';
  /** Longer cells are cut with `…`. @default 60 */
  maxWidth?: number;
}

function fitCell(text: string, width: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > width ? `${flat.slice(0, Math.max(0, width - 1))}…` : flat;
}

/**
 * Lays rows out as a plain-text table: a header, a rule, then one line per row. Cells are
 * flattened to one line and cut to their column's `maxWidth`.
 */
export function formatTable(columns: readonly TableColumn[], rows: readonly (readonly string[])[]): string[] {
  const cells = rows.map((row) =>
    columns.map((column, index) => fitCell(row[index] ?? '', column.maxWidth ?? 60)),
  );
  const widths = columns.map((column, index) =>
    Math.max(column.header.length, ...cells.map((row) => row[index]?.length ?? 0)),
  );
  const line = (values: readonly string[]): string =>
    columns
      .map((column, index) => {
        const width = widths[index] ?? 0;
        const value = values[index] ?? '';
        return column.align === 'right' ? value.padStart(width) : value.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  return [
    line(columns.map((column) => column.header)),
    widths.map((width) => '─'.repeat(width)).join('  '),
    ...cells.map(line),
  ];
}
