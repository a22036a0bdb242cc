/**
 * The searchable form of a block's sources, built once and reused for every claim (and every
 * re-check while the user edits the block): number tokens by canonical value, and a q-gram index
 * over the quote form of all texts.
 */
import type { Source } from '../sources/types';
import { buildGramIndex, type GramIndex } from './fuzzy';
import { normalizeForNumbers, toQuoteForm, type MappedText } from './normalize';
import { absKey, keyValue, roundKey, scanNumbers, shiftKey, type NumberUnit } from './numbers';

/** How a source number stands for a value: the same, a format variant, or the value rounded. */
export type PostingKind = 'exact' | 'fromPercent' | 'toPercent' | 'unsigned' | 'rounded' | 'groupPart';

export interface NumberPosting {
  readonly source: number;
  /** Offsets in the source's original `text`. */
  readonly start: number;
  readonly end: number;
  readonly unit: NumberUnit;
  readonly decimals: number;
  readonly kind: PostingKind;
}

export interface IndexedSource {
  readonly source: Source;
  /** Offsets of the `[page N]` markers and their page numbers, ascending. */
  readonly pageStarts: Int32Array;
  readonly pageNumbers: Int32Array;
  readonly quoteForm: MappedText;
  /** Offset of this source's quote form in the index's concatenated quote text. */
  readonly quoteOffset: number;
}

export interface GroundingIndex {
  readonly sources: readonly IndexedSource[];
  readonly numbers: ReadonlyMap<string, readonly NumberPosting[]>;
  /** Source numbers sorted by value, per unit class, for "nearest value" suggestions. */
  readonly sorted: { readonly percent: readonly SortedNumber[]; readonly none: readonly SortedNumber[] };
  readonly grams: GramIndex;
  /** Milliseconds spent building (reported by the bench). */
  readonly buildMs: number;
}

export interface SortedNumber {
  readonly value: number;
  readonly posting: NumberPosting;
}

/** Separates sources in the concatenated quote text; never a letter or digit, so no quote spans two sources. */
const SEPARATOR = '\u0001'.repeat(8);

const PAGE_MARKER = /\[page (\d+)\]/gu;

/** The page of a source offset, from the last `[page N]` marker before it (PDF sources). */
export function pageAt(source: IndexedSource, offset: number): number | undefined {
  let lo = 0;
  let hi = source.pageStarts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (source.pageStarts[mid]! <= offset) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 ? undefined : source.pageNumbers[lo - 1];
}

/**
 * Keeps the first posting per (kind, unit, rounding) of a value: the check needs one place to point
 * at, and "1" occurs thousands of times in 500 pages — scanning all of them per claim would dominate.
 */
function add(map: Map<string, NumberPosting[]>, key: string, posting: NumberPosting): void {
  const list = map.get(key);
  if (list === undefined) { map.set(key, [posting]); return; }
  for (const p of list) {
    if (p.kind === posting.kind && p.unit === posting.unit && (p.kind !== 'rounded' || p.decimals === posting.decimals)) return;
  }
  list.push(posting);
}

/** Only sources that were read: a missing or unreadable file supports nothing. */
function usable(sources: readonly Source[]): Source[] {
  return sources.filter((s) => s.status === 'ok' && s.text.length > 0);
}

export function buildGroundingIndex(sources: readonly Source[]): GroundingIndex {
  const started = performance.now();
  const numbers = new Map<string, NumberPosting[]>();
  const percent: SortedNumber[] = [];
  const none: SortedNumber[] = [];
  const indexed: IndexedSource[] = [];
  const quoteParts: string[] = [];
  let quoteOffset = 0;
  usable(sources).forEach((source, si) => {
    // Page markers ("[page 12]") are ours, not the paper's: their numbers support nothing.
    const norm = normalizeForNumbers(source.text.replace(PAGE_MARKER, (m) => ' '.repeat(m.length)));
    const orig = (i: number): number => norm.map[i] ?? source.text.length;
    for (const t of scanNumbers(norm.text, 'source')) {
      const base = { source: si, start: orig(t.start), end: orig(t.end - 1) + 1, unit: t.unit, decimals: t.decimals };
      const exact: NumberPosting = { ...base, kind: 'exact' };
      add(numbers, t.key, exact);
      (t.unit === 'percent' ? percent : none).push({ value: keyValue(t.key), posting: exact });
      if (t.negative) add(numbers, absKey(t.key), { ...base, kind: 'unsigned' });
      // "72%" in the source supports "0.72"; "0.72" (a proportion) supports "72%".
      if (t.unit === 'percent') add(numbers, shiftKey(t.key, -2), { ...base, kind: 'fromPercent' });
      else if (t.unit === 'none' && t.decimals > 0 && Math.abs(keyValue(t.key)) <= 1) add(numbers, shiftKey(t.key, 2), { ...base, kind: 'toPercent' });
      // "72.4%" supports "72%": summaries round; the note shows fewer digits than the source.
      for (let d = 0; d < t.decimals; d++) {
        const rounded = roundKey(t.key, d);
        if (rounded !== t.key) add(numbers, rounded, { ...base, kind: 'rounded', decimals: d });
      }
      // "12 345" may be one number or two table cells: index the parts too.
      if (t.spaceGrouped) {
        const raw = norm.text.slice(t.start, t.end);
        let at = 0;
        for (const part of raw.split(/[ \u2009]/u)) {
          const digits = /\d+(?:\.\d+)?/u.exec(part)?.[0];
          const idx = raw.indexOf(part, at);
          at = idx + part.length;
          if (digits === undefined) continue;
          const dot = digits.indexOf('.');
          const key = dot < 0 ? digits.replace(/^0+(?=\d)/u, '') : shiftKey(digits.replace('.', ''), -(digits.length - dot - 1));
          add(numbers, key, { ...base, start: orig(t.start + idx), end: orig(t.start + idx + part.length - 1) + 1, kind: 'groupPart' });
        }
      }
    }
    const quoteForm = toQuoteForm(norm);
    const starts: number[] = [];
    const pageNumbers: number[] = [];
    for (const m of source.text.matchAll(PAGE_MARKER)) { starts.push(m.index); pageNumbers.push(Number(m[1])); }
    indexed.push({ source, quoteForm, quoteOffset, pageStarts: Int32Array.from(starts), pageNumbers: Int32Array.from(pageNumbers) });
    quoteParts.push(quoteForm.text, SEPARATOR);
    quoteOffset += quoteForm.text.length + SEPARATOR.length;
  });
  percent.sort((a, b) => a.value - b.value);
  none.sort((a, b) => a.value - b.value);
  const grams = buildGramIndex(quoteParts.join(''));
  return { sources: indexed, numbers, sorted: { percent, none }, grams, buildMs: performance.now() - started };
}

/** The source (index into `index.sources`) that owns a position of the concatenated quote text. */
export function sourceAtQuoteOffset(index: GroundingIndex, offset: number): number {
  let lo = 0;
  let hi = index.sources.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (index.sources[mid]!.quoteOffset <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
