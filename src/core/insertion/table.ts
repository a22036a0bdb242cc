/**
 * Comparison tables are rendered by code from extracted fields, never trusted as model-written markdown: pipes
 * escaped, line breaks as <br>, short columns aligned (long ones are not padded), supporting quotes as footnotes
 * under short labels, and a paper that failed gets one error cell instead of breaking the table.
 */
import { markdownTable } from 'markdown-table';

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
  /**
   * Footnote label prefix; unique per table so two tables in one note do not collide. Default: three characters
   * derived from the columns and papers (`[^k3x-1]`), short enough not to crowd the cells in the editor.
   */
  readonly footnotePrefix?: string;
  /** How many columns a text takes in a monospace editor ({@link loadDisplayWidth}). */
  readonly width: DisplayWidth;
}

export type DisplayWidth = (text: string) => number;

/**
 * Display width (CJK and full-width characters take two columns in a monospace editor): string-width, loaded
 * when a table is drawn. Evaluating string-width creates an `Intl.Segmenter`, and the first segmenter of a process
 * loads ICU's data (~15 ms), which every command and every activation would otherwise pay at start.
 */
export async function loadDisplayWidth(): Promise<DisplayWidth> {
  return (await import('string-width')).default;
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

/**
 * Columns are padded to align only up to this display width. Padding every cell to the widest one makes each row as
 * long as the longest answer (about a thousand characters with six prose columns), so a word-wrapped editor shows
 * one row over a dozen screen lines; short columns (sample size, design) still line up.
 */
export const MAX_PADDED_WIDTH = 20;

function paddedWidth(width: DisplayWidth): (text: string) => number {
  return (text) => Math.min(width(text), MAX_PADDED_WIDTH);
}

function quoteText(quote: string): string {
  return quote.replace(/\s+/g, ' ').trim().replace(/"/g, '\u201d');
}

/** Three base-36 characters from the table's columns and papers: short, and different for another table in the note. */
function defaultFootnotePrefix(columns: readonly string[], rows: readonly TableRow[]): string {
  let h = 0x811c9dc5;
  const text = [...columns, '\u0000', ...rows.map((r) => r.paper)].join('\u0001');
  for (let i = 0; i < text.length; i += 1) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return `${((h >>> 0) % 36 ** 3).toString(36).padStart(3, '0')}-`;
}

/** The table and its footnote definitions, as one markdown string (no trailing line break). */
export function renderTable(columns: readonly string[], rows: readonly TableRow[], options: TableOptions): string {
  const prefix = options.footnotePrefix ?? defaultFootnotePrefix(columns, rows);
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
          const label = `${prefix}${footnotes.length + 1}`;
          const where = [cell.locator?.trim(), row.paper].filter(Boolean).join(', ');
          footnotes.push(`[^${label}]: "${quoteText(cell.quote)}"${where ? ` (${where.replace(/\n/g, ' ')})` : ''}`);
          text += `[^${label}]`;
        }
        return text;
      }),
    ];
  });
  // markdown-table pads each cell to the column's widest size as measured by stringLength: capping that size caps
  // the padding, and cells wider than the cap are written as they are.
  const table = markdownTable([header, ...body], { stringLength: paddedWidth(options.width) });
  return footnotes.length > 0 ? `${table}\n\n${footnotes.join('\n')}` : table;
}
