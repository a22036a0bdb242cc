/**
 * Comparison tables (insertion/table.ts renders them): each cell's value must appear in its
 * supporting quote (the footnote `[^label]: "quote" (locator, paper)`), and the quote must appear in
 * the sources. Failing cells get a ⚠ in front of their value; cells that pass again lose it.
 *
 * Only figures in a value are checked against the quote: text values ("RCT", "single centre") are
 * the model's wording of the quote, not a copy of it, and would fail a verbatim test for no reason.
 */
import type { Source } from '../sources/types';
import { checkQuotePassage, checkText, type GroundingItem, type SourceMatch } from './check';
import { extractClaims } from './claims';
import { buildGroundingIndex, type GroundingIndex } from './sourceIndex';

export const CELL_WARNING = '⚠ ';

export interface CellCheck {
  readonly ok: boolean;
  /** Figures of the value that are not in the quote. */
  readonly missingInQuote: readonly string[];
  /** The quote's own check against the sources (absent when the cell has no quote). */
  readonly quote?: GroundingItem;
}

/** Checks one cell before or after rendering: `value` against `quote`, and `quote` against the index. */
export function checkTableCell(cell: { readonly value: string; readonly quote?: string }, index: GroundingIndex): CellCheck {
  const figures = extractClaims(cell.value).filter((c) => c.kind !== 'quote');
  const quote = cell.quote?.trim();
  if (quote === undefined || quote.length === 0) {
    // No supporting quote: the figures must at least be in the sources.
    const result = checkText(cell.value, index);
    const missing = result.items.filter((i) => i.kind !== 'quote' && i.status === 'unsupported').map((i) => i.text);
    return { ok: missing.length === 0, missingInQuote: missing };
  }
  const quoteSource: Source = {
    id: 'quote',
    uri: '',
    title: 'quote',
    kind: 'text',
    status: 'ok',
    text: quote,
    sections: [],
    tokenEstimate: 0,
  };
  const quoteIndex = buildGroundingIndex([quoteSource]);
  const missingInQuote =
    figures.length === 0
      ? []
      : checkText(figures.map((f) => f.text).join(' ; '), quoteIndex)
          .items.filter((i) => i.status === 'unsupported')
          .map((i) => i.text);
  const item = checkQuotePassage(index, quote);
  return { ok: missingInQuote.length === 0 && item.status === 'supported', missingInQuote, quote: item };
}

export interface TableCellItem extends GroundingItem {
  /** The footnote label of the supporting quote, when the cell has one. */
  readonly footnote?: string;
  readonly missingInQuote?: readonly string[];
}

export interface TableCheck {
  /** One item per checked cell, at the cell's value in the checked text. */
  readonly items: readonly TableCellItem[];
  /** Edits (offsets in the checked text) that add or remove the ⚠ marks. */
  readonly edits: ReadonlyArray<{ readonly start: number; readonly end: number; readonly text: string }>;
  /** Lines of the table and its footnotes, for callers that check the rest of the block as prose. */
  readonly tableRanges: ReadonlyArray<readonly [number, number]>;
}

interface Line {
  readonly start: number;
  readonly text: string;
}

function lines(text: string): Line[] {
  const out: Line[] = [];
  let at = 0;
  for (const l of text.split('\n')) {
    out.push({ start: at, text: l });
    at += l.length + 1;
  }
  return out;
}

/** Cells of a GFM row with their offsets in the line, splitting on pipes not escaped with `\`. */
function cells(line: string): Array<{ start: number; end: number }> {
  const bars: number[] = [];
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '\\') {
      i++;
      continue;
    }
    if (line[i] === '|') bars.push(i);
  }
  const out: Array<{ start: number; end: number }> = [];
  for (let k = 0; k + 1 < bars.length; k++) out.push({ start: bars[k]! + 1, end: bars[k + 1]! });
  return out;
}

const FOOTNOTE_DEF = /^\[\^([^\]\s]+)\]:\s*"([^"]*)"/u;
const FOOTNOTE_REF = /\[\^([^\]\s]+)\]/u;

/** Checks every cell of the comparison tables in `text` (a comparison block's content). */
export function checkTables(text: string, index: GroundingIndex): TableCheck {
  const all = lines(text);
  const quotes = new Map<string, string>();
  const tableRanges: Array<readonly [number, number]> = [];
  for (const l of all) {
    const m = FOOTNOTE_DEF.exec(l.text);
    if (m) {
      quotes.set(m[1] ?? '', (m[2] ?? '').replace(/\u201d/gu, '"'));
      tableRanges.push([l.start, l.start + l.text.length]);
    }
  }
  const items: TableCellItem[] = [];
  const edits: Array<{ start: number; end: number; text: string }> = [];
  let inTable = false;
  for (let li = 0; li < all.length; li++) {
    const l = all[li]!;
    const isRow = /^\s*\|.*\|\s*$/u.test(l.text);
    if (!isRow) {
      inTable = false;
      continue;
    }
    tableRanges.push([l.start, l.start + l.text.length]);
    // The header row is the one followed by the rule (GFM: one hyphen per column is enough); rows start after it.
    if (/^\s*\|(?:\s*:?-+:?\s*\|)+\s*$/u.test(l.text)) {
      inTable = true;
      continue;
    }
    if (!inTable) continue;
    // First cell is the paper (its link as written in the note, or its title); the rest are values.
    const rowCells = cells(l.text);
    const paperCell = rowCells[0]
      ? l.text
          .slice(rowCells[0].start, rowCells[0].end)
          .trim()
          .replace(/\\([|\\])/gu, '$1')
      : '';
    const rowSource = index.sources.find(
      (s) => s.source.link?.raw.replace(/^!/u, '') === paperCell || s.source.title === paperCell,
    )?.source;
    for (const c of rowCells.slice(1)) {
      const raw = l.text.slice(c.start, c.end);
      const lead = raw.length - raw.trimStart().length;
      let valueStart = c.start + lead;
      let value = raw.trim();
      const marked = value.startsWith(CELL_WARNING.trim());
      if (marked) {
        const after = value.slice(1);
        valueStart += 1 + (after.length - after.trimStart().length);
        value = after.trim();
      }
      const ref = FOOTNOTE_REF.exec(value);
      // The renderer's own error cell ("⚠ extraction failed: …") has a ⚠ and no quote: not a value.
      if (marked && !ref) continue;
      const shown = (ref ? value.slice(0, ref.index) : value).trim();
      const hasFigures = extractClaims(shown).some((x) => x.kind !== 'quote');
      // A cell without a quote and without figures (text, or the renderer's own ⚠ error cell) has nothing to check.
      if (shown.length === 0 || (!ref && !hasFigures)) continue;
      const label = ref?.[1];
      const quote = label === undefined ? undefined : quotes.get(label);
      let check = checkTableCell({ value: shown, ...(quote === undefined ? {} : { quote }) }, index);
      // The quote must be in this row's paper, not in another paper of the table.
      if (check.ok && check.quote?.nearest && rowSource && check.quote.nearest.sourceId !== rowSource.id) {
        check = { ...check, ok: false, quote: { ...check.quote, status: 'unsupported', reason: 'otherSource' } };
      }
      const start = l.start + valueStart;
      const end = start + shown.length;
      const nearest: SourceMatch | undefined = check.quote?.nearest;
      items.push({
        kind: 'cell',
        start,
        end,
        text: shown,
        status: check.ok ? 'supported' : 'unsupported',
        ...(check.ok
          ? { match: check.quote?.match ?? 'exact' }
          : { reason: check.quote?.status === 'unsupported' ? (check.quote.reason ?? 'notFound') : 'numberDiffers' }),
        ...(nearest === undefined ? {} : { nearest }),
        ...(label === undefined ? {} : { footnote: label }),
        ...(check.missingInQuote.length > 0 ? { missingInQuote: check.missingInQuote } : {}),
      });
      const markAt = l.start + c.start + lead;
      // Only cells with a quote get the ⚠ (a quote-less cell's ⚠ would read as the renderer's error cell).
      if (!check.ok && !marked && ref) edits.push({ start: markAt, end: markAt, text: CELL_WARNING });
      if (check.ok && marked) edits.push({ start: markAt, end: start, text: '' });
    }
  }
  return { items, edits, tableRanges };
}
