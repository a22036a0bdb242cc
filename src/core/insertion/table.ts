/**
 * Comparison tables are rendered by code from extracted fields, never trusted as model-written
 * markdown (PRODUCT.md §1.5): pipes escaped, line breaks as <br>, columns aligned, supporting
 * quotes as footnotes, and a paper that failed gets one error cell instead of breaking the table.
 */

export interface TableCell {
  readonly value: string;
  /** Verbatim supporting quote from the paper. */
  readonly quote?: string;
  /** Where the quote is, e.g. "p. 4" or "§ Methods". */
  readonly locator?: string;
}

export interface TableRow {
  /** First column: how the note refers to the paper (its link or title). */
  readonly paper: string;
  /** Cells by column name; missing columns render empty. */
  readonly cells?: Readonly<Record<string, TableCell>>;
  /** Set when extraction failed for this paper: rendered as one error cell. */
  readonly error?: string;
}

export interface TableOptions {
  /** Header of the first column ("Paper", "论文"). */
  readonly paperHeader: string;
  /** Text of the error cell, e.g. "extraction failed". */
  readonly failedLabel: string;
  /** Footnote label prefix; unique per table so two tables in one note do not collide. */
  readonly footnotePrefix: string;
}

/** Escapes text for one GFM table cell. */
export function escapeCell(text: string): string {
  return (
    text
      .replace(/\r\n?/g, '\n')
      .trim()
      .replace(/\\/g, '\\\\')
      .replace(/\|/g, '\\|')
      .replace(/\n+/g, '<br>')
      // A leading/trailing footnote-like or heading-like token cannot break a cell, but `[^` from the model could fake a footnote.
      .replace(/\[\^/g, '[\\^')
  );
}

/** Display width: CJK and full-width characters take two columns in a monospace editor. */
export function displayWidth(text: string): number {
  let w = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0) ?? 0;
    w +=
      (c >= 0x1100 && c <= 0x115f) ||
      (c >= 0x2e80 && c <= 0xa4cf) ||
      (c >= 0xac00 && c <= 0xd7a3) ||
      (c >= 0xf900 && c <= 0xfaff) ||
      (c >= 0xfe30 && c <= 0xfe4f) ||
      (c >= 0xff00 && c <= 0xff60) ||
      (c >= 0xffe0 && c <= 0xffe6) ||
      (c >= 0x20000 && c <= 0x3fffd)
        ? 2
        : 1;
  }
  return w;
}

function pad(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}

function quoteText(quote: string): string {
  return quote.replace(/\s+/g, ' ').trim().replace(/"/g, '\u201d');
}

/** The table and its footnote definitions, as one markdown string (no trailing line break). */
export function renderTable(columns: readonly string[], rows: readonly TableRow[], options: TableOptions): string {
  const footnotes: string[] = [];
  const header = [options.paperHeader, ...columns].map(escapeCell);
  const body = rows.map((row) => {
    const first = escapeCell(row.paper);
    if (row.error !== undefined) {
      const reason = row.error.trim() ? `${options.failedLabel}: ${row.error}` : options.failedLabel;
      return [first, escapeCell(`⚠ ${reason}`), ...columns.slice(1).map(() => '')];
    }
    return [
      first,
      ...columns.map((col) => {
        const cell = row.cells?.[col];
        if (!cell) return '';
        let text = escapeCell(cell.value);
        if (cell.quote && cell.quote.trim()) {
          const label = `${options.footnotePrefix}${footnotes.length + 1}`;
          const where = [cell.locator?.trim(), row.paper].filter(Boolean).join(', ');
          footnotes.push(`[^${label}]: "${quoteText(cell.quote)}"${where ? ` (${where.replace(/\n/g, ' ')})` : ''}`);
          text += `[^${label}]`;
        }
        return text;
      }),
    ];
  });
  const widths = header.map((h, i) => Math.max(3, displayWidth(h), ...body.map((r) => displayWidth(r[i] ?? ''))));
  const line = (cells: readonly string[]): string => `| ${cells.map((c, i) => pad(c, widths[i] ?? 3)).join(' | ')} |`;
  const rule = `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`;
  const table = [line(header), rule, ...body.map(line)].join('\n');
  return footnotes.length > 0 ? `${table}\n\n${footnotes.join('\n')}` : table;
}
