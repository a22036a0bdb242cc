/**
 * The searchable form of a block's sources, built once per source and reused for every claim (and
 * every re-check while the user edits the block): number tokens by canonical value, and a q-gram
 * index over the quote form of each text.
 */
import type { Source } from '../sources/types';
import { buildGramIndex, type GramIndex } from './fuzzy';
import { normalizeForNumbers, toQuoteForm, type MappedText } from './normalize';
import { absKey, canonicalKey, keyValue, roundKey, scanNumbers, shiftKey, type NumberUnit } from './numbers';

/** How a source number stands for a value: the same, a format variant, or the value rounded. */
export type PostingKind = 'exact' | 'fromPercent' | 'toPercent' | 'unsigned' | 'rounded' | 'groupPart';

export interface NumberPosting {
  /** Offsets in the source's original `text`. */
  readonly start: number;
  readonly end: number;
  readonly unit: NumberUnit;
  readonly decimals: number;
  readonly kind: PostingKind;
}

export interface SortedNumber {
  readonly value: number;
  readonly posting: NumberPosting;
}

/**
 * One source, indexed: number tokens by canonical value, sorted values for "nearest" suggestions,
 * and a q-gram index over its quote form. Built once per Source object (they are immutable) and
 * shared by every block that cites the source.
 */
export interface IndexedSource {
  readonly source: Source;
  readonly numbers: ReadonlyMap<string, readonly NumberPosting[]>;
  /** Source numbers sorted by value, per unit class. */
  readonly sorted: { readonly percent: readonly SortedNumber[]; readonly none: readonly SortedNumber[] };
  readonly quoteForm: MappedText;
  readonly grams: GramIndex;
  /** Offsets of the `[page N]` markers and their page numbers, ascending. */
  readonly pageStarts: Int32Array;
  readonly pageNumbers: Int32Array;
}

export interface GroundingIndex {
  readonly sources: readonly IndexedSource[];
  /** Milliseconds spent building (or reusing) the parts (reported by the bench). */
  readonly buildMs: number;
}

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

function posting(start: number, end: number, unit: NumberUnit, decimals: number, kind: PostingKind): NumberPosting {
  return { start, end, unit, decimals, kind };
}

/** Indexes one source (see IndexedSource). */
export function indexSource(source: Source): IndexedSource {
  const numbers = new Map<string, NumberPosting[]>();
  const percent: SortedNumber[] = [];
  const none: SortedNumber[] = [];
  // Page markers ("[page 12]") are ours, not the paper's: their numbers support nothing.
  const norm = normalizeForNumbers(source.text.replace(PAGE_MARKER, (m) => ' '.repeat(m.length)));
  const orig = (i: number): number => norm.map[i] ?? source.text.length;
  for (const t of scanNumbers(norm.text, 'source')) {
    const start = orig(t.start);
    const end = orig(t.end - 1) + 1;
    const exact = posting(start, end, t.unit, t.decimals, 'exact');
    add(numbers, t.key, exact);
    (t.unit === 'percent' ? percent : none).push({ value: keyValue(t.key), posting: exact });
    if (t.negative) add(numbers, absKey(t.key), posting(start, end, t.unit, t.decimals, 'unsigned'));
    // "72%" in the source supports "0.72"; "0.72" (a proportion) supports "72%".
    if (t.unit === 'percent') add(numbers, shiftKey(t.key, -2), posting(start, end, t.unit, t.decimals, 'fromPercent'));
    else if (t.unit === 'none' && t.decimals > 0 && Math.abs(keyValue(t.key)) <= 1) add(numbers, shiftKey(t.key, 2), posting(start, end, t.unit, t.decimals, 'toPercent'));
    // "72.4%" supports "72%": summaries round; the note shows fewer digits than the source.
    for (let d = 0; d < t.decimals; d++) {
      const rounded = roundKey(t.key, d);
      if (rounded !== t.key) add(numbers, rounded, posting(start, end, t.unit, d, 'rounded'));
    }
    // "12 345" may be one number or two table cells: index the parts too.
    if (t.spaceGrouped) {
      const raw = norm.text.slice(t.start, t.end);
      let at = 0;
      for (const part of raw.split(/[ \u2009]/u)) {
        const idx = raw.indexOf(part, at);
        at = idx + part.length;
        const digits = /\d+(?:\.\d+)?/u.exec(part)?.[0];
        if (digits === undefined) continue;
        const dot = digits.indexOf('.');
        const key = canonicalKey(dot < 0 ? digits : digits.slice(0, dot), dot < 0 ? '' : digits.slice(dot + 1), 0, false);
        add(numbers, key, posting(orig(t.start + idx), orig(t.start + idx + part.length - 1) + 1, 'none', 0, 'groupPart'));
      }
    }
  }
  percent.sort((a, b) => a.value - b.value);
  none.sort((a, b) => a.value - b.value);
  const quoteForm = toQuoteForm(norm);
  const pageStarts: number[] = [];
  const pageNumbers: number[] = [];
  for (const m of source.text.matchAll(PAGE_MARKER)) { pageStarts.push(m.index); pageNumbers.push(Number(m[1])); }
  return {
    source,
    numbers,
    sorted: { percent, none },
    quoteForm,
    grams: buildGramIndex(quoteForm.text),
    pageStarts: Int32Array.from(pageStarts),
    pageNumbers: Int32Array.from(pageNumbers),
  };
}

/** Sources are immutable: an indexed source is reused for as long as its Source object lives. */
const parts = new WeakMap<Source, IndexedSource>();

/** Only sources that were read: a missing or unreadable file supports nothing. */
function usable(sources: readonly Source[]): Source[] {
  return sources.filter((s) => s.status === 'ok' && s.text.length > 0);
}

/** The index of a block's sources; parts already built for the same Source objects are reused. */
export function buildGroundingIndex(sources: readonly Source[]): GroundingIndex {
  const started = performance.now();
  const indexed = usable(sources).map((source) => {
    let part = parts.get(source);
    if (part === undefined) { part = indexSource(source); parts.set(source, part); }
    return part;
  });
  return { sources: indexed, buildMs: performance.now() - started };
}
