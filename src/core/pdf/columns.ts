/**
 * Reading order of one PDF page: rows of text, split into segments at wide gaps; column gutters found on the
 * page; full-width rows (titles, abstracts, wide tables and figures) split the page into bands, and each band
 * is read column by column. Pages whose text runs sideways (landscape tables) are turned upright first.
 */
import type { PdfPageItems, PdfTextItem } from './types';

export interface Line {
  text: string;
  page: number;
  /** Baseline and extent on the page. */
  y: number;
  x0: number;
  x1: number;
  size: number;
  /** 0 full width / single column / table row; 1, 2, 3… the column of a multi-column band. */
  column: number;
  /** Position in reading order on its page. */
  order: number;
}

export interface PageLayout {
  lines: Line[];
  /** Columns of the widest multi-column band (1 for single-column pages). */
  columns: number;
  /** The page's text was turned upright (it ran sideways). */
  turned: boolean;
}

interface Segment {
  items: PdfTextItem[];
  x0: number;
  x1: number;
  y: number;
  size: number;
  chars: number;
}

/**
 * Turns a page upright when most of its text runs sideways or upside down (a landscape table on a portrait
 * page): coordinates are rotated so that this text reads left to right; text in other directions stays "rotated".
 */
export function uprightPage(page: PdfPageItems): { page: PdfPageItems; turned: boolean } {
  const chars = [0, 0, 0, 0];
  for (const item of page.items) if (item.quarter !== undefined) chars[item.quarter] = (chars[item.quarter] ?? 0) + item.str.length;
  const total = chars.reduce((a, b) => a + b, 0);
  let dominant = 0;
  for (let q = 1; q < 4; q++) if ((chars[q] ?? 0) > (chars[dominant] ?? 0)) dominant = q;
  if (dominant === 0 || (chars[dominant] ?? 0) < total * 0.5) return { page, turned: false };
  const { width: w, height: h } = page;
  const turn = (x: number, y: number): [number, number] => (dominant === 1 ? [y, w - x] : dominant === 3 ? [h - y, x] : [w - x, h - y]);
  const items = page.items.map((item) => {
    const [x, y] = turn(item.x, item.y);
    return { ...item, x, y, rotated: item.quarter !== dominant, quarter: 0 as const };
  });
  const upright = dominant === 2 ? { ...page, items } : { ...page, width: h, height: w, items };
  return { page: upright, turned: true };
}

const CJK_CHAR = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u3000-\u303f\uff00-\uffef]/u;

function joinItems(items: readonly PdfTextItem[]): string {
  let text = '';
  let end = -Infinity;
  const body = Math.max(...items.map((i) => i.size));
  for (const [k, item] of items.entries()) {
    // A footnote marker in smaller type, raised above the line, between two CJK characters ("因¹此") would split
    // the word: leave it out. A number on the baseline ("表 3", a table's number in a smaller Latin font) stays.
    const baseline = items[k - 1]?.y ?? item.y;
    if (
      item.size < body * 0.8 &&
      item.y - baseline > body * 0.15 &&
      /^\d{1,3}$/.test(item.str.trim()) &&
      CJK_CHAR.test(text.at(-1) ?? '') &&
      CJK_CHAR.test(items[k + 1]?.str.charAt(0) ?? '')
    ) {
      end = Math.max(end, item.x + item.w);
      continue;
    }
    const gap = item.x - end;
    if (text !== '' && gap > item.size * 0.15 && !/\s/.test(text.at(-1) ?? '') && !/^\s/.test(item.str)) text += ' ';
    text += item.str;
    end = Math.max(end, item.x + item.w);
  }
  return text.replace(/\s+/g, ' ').trim();
}

function makeLine(items: PdfTextItem[], page: number, column: number): Line {
  items.sort((a, b) => a.x - b.x);
  let size = 0;
  let chars = 0;
  for (const i of items) {
    size += i.size * i.str.length;
    chars += i.str.length;
  }
  const first = items[0];
  let x1 = 0;
  for (const i of items) x1 = Math.max(x1, i.x + i.w);
  return {
    text: joinItems(items),
    page,
    y: first?.y ?? 0,
    x0: first?.x ?? 0,
    x1,
    size: chars > 0 ? size / chars : (first?.size ?? 0),
    column,
    order: 0,
  };
}

/** A row's items split where the gap is wider than a word space can be (column gutters, table cells). */
function segmentsOf(row: PdfTextItem[]): Segment[] {
  row.sort((a, b) => a.x - b.x);
  const out: Segment[] = [];
  let current: Segment | undefined;
  for (const item of row) {
    if (current && item.x - current.x1 <= Math.max(current.size, item.size) * 0.9) {
      current.items.push(item);
      current.x1 = Math.max(current.x1, item.x + item.w);
      current.chars += item.str.trim().length;
      continue;
    }
    current = { items: [item], x0: item.x, x1: item.x + item.w, y: item.y, size: item.size, chars: item.str.trim().length };
    out.push(current);
  }
  // Blank runs (spaces) carry no text: they neither make a segment nor bridge a gutter on their own.
  return out.filter((s) => s.chars > 0);
}

const BIN = 2; // points per histogram bin for gutter detection

/**
 * The x of every vertical gutter between text columns on the page (none for single-column pages). A gutter is
 * where many rows have a gap between two segments, and few of the page's other segments cross it: titles
 * and full-width abstracts (over 60 % of the page) may, table columns inside one text column may not.
 */
function findGutters(rows: readonly Segment[][], width: number): number[] {
  const gaps = new Array<number>(Math.ceil(width / BIN) + 1).fill(0);
  for (const row of rows) {
    for (let i = 1; i < row.length; i++) {
      const from = Math.ceil((row[i - 1]?.x1 ?? 0) / BIN);
      const to = Math.floor((row[i]?.x0 ?? 0) / BIN);
      for (let b = from; b <= to; b++) gaps[b] = (gaps[b] ?? 0) + 1;
    }
  }
  const lo = Math.floor((width * 0.12) / BIN);
  const hi = Math.ceil((width * 0.88) / BIN);
  // Candidates: every plateau of the gap count higher than its neighbours (a row with an empty middle column
  // bridges two gutters, so one stretch of gaps can hold several peaks).
  const candidates: number[] = [];
  for (let b = lo; b <= hi; b++) {
    const v = gaps[b] ?? 0;
    if (v < 4) continue;
    let e = b;
    while (e + 1 <= hi && gaps[e + 1] === v) e++;
    if ((gaps[b - 1] ?? 0) < v && (gaps[e + 1] ?? 0) < v) candidates.push(((b + e + 1) / 2) * BIN);
    b = e;
  }
  return candidates.filter((g) => {
    let bordered = 0;
    let crossing = 0;
    let left = 0;
    let right = 0;
    for (const row of rows) {
      let endsBefore = false;
      let startsAfter = false;
      for (const s of row) {
        if (s.x1 <= g + 1) left += s.chars;
        else if (s.x0 >= g - 1) right += s.chars;
        else if (s.x1 - s.x0 <= width * 0.6) crossing++;
        if (s.x1 <= g + 1) endsBefore = true;
        if (s.x0 >= g - 1) startsAfter = true;
      }
      if (endsBefore && startsAfter) bordered++;
    }
    const total = left + right;
    return bordered >= 4 && crossing < bordered * 3 && left > total * 0.12 && right > total * 0.12;
  });
}

function quantile(values: number[], q: number): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * q))] ?? 0;
}

/** Column of a segment: the gutters left of its start (a segment spanning some gutters belongs to its first column). */
function columnOf(s: Segment, gutters: readonly number[]): number {
  let c = 0;
  for (const g of gutters) if (s.x0 + 1 >= g) c++;
  return c;
}

/** Lines of one page in reading order: bands top to bottom, columns left to right within a band. */
export function pageLines(input: PdfPageItems): PageLayout {
  const { page, turned } = uprightPage(input);
  const items = page.items.filter((i) => !i.rotated && i.str !== '');
  // Rows: items sharing a baseline (within 40 % of the font size), top of the page first.
  const sorted = [...items].sort((a, b) => b.y - a.y || a.x - b.x);
  const rowItems: PdfTextItem[][] = [];
  for (const item of sorted) {
    const row = rowItems[rowItems.length - 1];
    const ref = row?.[0];
    // In CJK text a footnote marker (smaller type raised above the baseline) belongs to its line: on a row of
    // its own it would split the word it sits in. (Latin text keeps its markers apart, as before.)
    const small = ref ? Math.min(ref.size, item.size) : 0;
    const large = ref ? Math.max(ref.size, item.size) : 0;
    const cjkMarker = small < large * 0.8 && (CJK_CHAR.test(ref?.str ?? '') || CJK_CHAR.test(item.str));
    const tolerance = cjkMarker ? large * 0.5 : small * 0.4;
    if (row && ref && Math.abs(ref.y - item.y) <= Math.max(1, tolerance)) row.push(item);
    else rowItems.push([item]);
  }
  const rows = rowItems.map(segmentsOf).filter((r) => r.length > 0);
  const gutters = findGutters(rows, page.width);
  const lines: Line[] = [];
  let columns = 1;
  let band: Segment[][] = [];
  const flushBand = (): void => {
    if (band.length === 0) return;
    const perColumn = gutters.length > 0 ? readAsColumns(band, gutters) : undefined;
    if (perColumn) {
      columns = Math.max(columns, perColumn.filter((c) => c.length > 0).length);
      perColumn.forEach((col, c) => {
        for (const row of col) lines.push(makeLine(row, page.page, c + 1));
      });
    } else {
      for (const row of band)
        lines.push(
          makeLine(
            row.flatMap((s) => s.items),
            page.page,
            0,
          ),
        );
    }
    band = [];
  };
  for (const row of rows) {
    // A row crossing every gutter (title, abstract, full-width table or figure caption) ends the band above it.
    const spanning = gutters.length > 0 && row.some((s) => gutters.every((g) => s.x0 < g - 1 && s.x1 > g + 1));
    if (spanning) {
      flushBand();
      lines.push(
        makeLine(
          row.flatMap((s) => s.items),
          page.page,
          0,
        ),
      );
    } else band.push(row);
  }
  flushBand();
  const kept = lines.filter((l) => l.text !== '');
  kept.forEach((l, i) => (l.order = i));
  return { lines: kept, columns, turned };
}

/**
 * A band's rows split into its columns (each column's rows top to bottom), or undefined when the band is a
 * table rather than columns of text. Columns of prose fill their width, table cells are short: a gutter beside
 * a column that is not prose is a table's (inside a text column, or a table across the page) and is dropped.
 */
function readAsColumns(band: readonly Segment[][], pageGutters: readonly number[]): PdfTextItem[][][] | undefined {
  let gutters = [...pageGutters];
  while (gutters.length > 0) {
    const { perColumn, notProse } = splitColumns(band, gutters);
    if (notProse === undefined) return perColumn;
    // Merge the column that is not prose with its left neighbour (or the right one for the first column).
    const drop = notProse > 0 ? notProse - 1 : 0;
    gutters = gutters.filter((_, i) => i !== drop);
  }
  return undefined;
}

function splitColumns(band: readonly Segment[][], gutters: readonly number[]): { perColumn: PdfTextItem[][][]; notProse?: number } {
  const perColumn: PdfTextItem[][][] = [...gutters, 0].map(() => []);
  const widths: number[][] = perColumn.map(() => []);
  for (const row of band) {
    const byColumn = new Map<number, Segment[]>();
    for (const s of row) {
      const c = columnOf(s, gutters);
      byColumn.set(c, [...(byColumn.get(c) ?? []), s]);
    }
    for (const [c, segs] of byColumn) {
      perColumn[c]?.push(segs.flatMap((s) => s.items));
      widths[c]?.push(Math.max(...segs.map((s) => s.x1)) - Math.min(...segs.map((s) => s.x0)));
    }
  }
  const bounds = [0, ...gutters, Infinity];
  for (const [c, w] of widths.entries()) {
    if (w.length < 3) continue;
    const span = Math.min(quantile(w, 0.9), (bounds[c + 1] ?? Infinity) - (bounds[c] ?? 0));
    if (quantile(w, 0.5) < span * 0.6) return { perColumn, notProse: c };
  }
  return { perColumn };
}
