/**
 * Checks the claims of a generated text against an index of its sources.
 *
 * Quotes: similarity = 1 − (character edit distance / quote length) on the quote form (letters and
 * digits only, lower case, no accents). A quote is supported when it is verbatim in that form, or
 * when the best passage has similarity ≥ 0.9 AND every word on either side is accounted for on the
 * other allowing only extraction damage (words.ts). Why 0.9: after normalisation a verbatim quote
 * differs from PDF text only by extraction damage — a dropped ligature glyph ("di erent", 1–3
 * characters per word, PDF-FACTS.md), an OCR confusion, a hyphen kept at a line break — well under 1
 * in 10 characters on quotes of the usual 40–200 characters, while a paraphrase usually changes more.
 * The threshold alone would still pass a one-word change in a long quote ("increased" ↔ "decreased",
 * a dropped "not", 0.72 ↔ 0.77), which the word check rejects; so 0.9 is only a candidate filter and
 * can stay loose enough for damaged genuine quotes. The fixtures print the similarity of every quote.
 */
import { ELLIPSIS, extractClaims, type Claim, type NumberValue } from './claims';
import { searchFuzzy } from './fuzzy';
import { normalizeForQuotes, snippetAround } from './normalize';
import { unaccounted, words } from './words';
import { pageAt, type GroundingIndex, type NumberPosting, type SortedNumber } from './sourceIndex';

export const QUOTE_SIMILARITY_THRESHOLD = 0.9;
/** Below this a quote has no "nearest match" worth opening. */
const QUOTE_NEAREST_FLOOR = 0.6;
/** A source number within this relative distance of an unsupported one is offered as the nearest match. */
const NUMBER_NEAREST_RATIO = 0.25;

/** How a supported claim was found; `undefined` for unsupported ones. */
export type MatchKind = 'exact' | 'variant' | 'rounded' | 'unitless' | 'fuzzy';

export interface SourceMatch {
  /** `Source.id` and `Source.uri` of the source holding the match. */
  readonly sourceId: string;
  readonly sourceUri: string;
  readonly sourceTitle: string;
  /** Offsets in that source's `text`. */
  readonly start: number;
  readonly end: number;
  /** The matched passage with a little context, on one line. */
  readonly snippet: string;
  /** The matched characters themselves. */
  readonly matched: string;
  /** For quotes: the similarity of the best passage (1 = verbatim after normalisation). */
  readonly similarity?: number;
  /** Page of the match in a PDF source (from its `[page N]` markers). */
  readonly page?: number;
}

export interface GroundingItem {
  readonly kind: Claim['kind'];
  /** Offsets in the checked text. */
  readonly start: number;
  readonly end: number;
  readonly text: string;
  readonly status: 'supported' | 'unsupported';
  readonly match?: MatchKind;
  /** Where it was found (supported) or the nearest candidate (unsupported), when there is one. */
  readonly nearest?: SourceMatch;
  /** For unsupported quotes: why (below threshold, or a number / negation differs). */
  readonly reason?: 'notFound' | 'lowSimilarity' | 'numberDiffers' | 'negationDiffers' | 'wordDiffers' | 'otherSource' | 'noSources';
}

export interface GroundingResult {
  readonly items: readonly GroundingItem[];
  readonly checked: number;
  readonly supported: number;
  /** For the block header, e.g. "figures checked: 11/12". */
  readonly header: string;
}

function toMatch(index: GroundingIndex, sourceIdx: number, start: number, end: number, similarity?: number): SourceMatch {
  const indexed = index.sources[sourceIdx]!;
  const s = indexed.source;
  const page = pageAt(indexed, start);
  return {
    sourceId: s.id,
    sourceUri: s.uri,
    sourceTitle: s.title,
    start,
    end,
    snippet: snippetAround(s.text, start, end),
    matched: s.text.slice(start, end),
    ...(similarity === undefined ? {} : { similarity }),
    ...(page === undefined ? {} : { page }),
  };
}

const KIND_RANK: Record<NumberPosting['kind'], number> = { exact: 0, groupPart: 1, fromPercent: 2, toPercent: 2, unsigned: 3, rounded: 4 };

interface Found {
  readonly source: number;
  readonly posting: NumberPosting;
  readonly match: MatchKind;
  readonly rank: number;
}

/** Finds one value in any source; returns the best posting and how it matched. */
function findValue(index: GroundingIndex, v: NumberValue): Found | undefined {
  let best: Found | undefined;
  index.sources.forEach((part, source) => {
    for (const p of part.numbers.get(v.key) ?? []) {
      let match: MatchKind;
      let rank: number;
      switch (p.kind) {
        case 'exact':
        case 'groupPart':
          // Same value; a unit mismatch ("72%" vs a bare "72" under a "(%)" table header) is weaker.
          if (p.unit === v.unit) { match = 'exact'; rank = KIND_RANK[p.kind]; }
          else { match = 'unitless'; rank = 5; }
          break;
        case 'fromPercent':
          // Source "72%", note "0.72".
          if (v.unit !== 'none') continue;
          match = 'variant'; rank = 2;
          break;
        case 'toPercent':
          // Source "0.72", note "72%".
          if (v.unit !== 'percent') continue;
          match = 'variant'; rank = 2;
          break;
        case 'unsigned':
          // Source "−0.5", note "decreased by 0.5".
          if (v.negative) continue;
          match = 'variant'; rank = 3;
          break;
        case 'rounded':
          // Only when the note shows exactly the rounded precision: "72%" from "72.4%".
          if (p.decimals !== v.decimals) continue;
          match = 'rounded'; rank = p.unit === v.unit ? 4 : 6;
          break;
      }
      if (best === undefined || rank < best.rank) best = { source, posting: p, match, rank };
    }
  });
  return best;
}

function nearestNumber(index: GroundingIndex, v: NumberValue): { source: number; posting: NumberPosting } | undefined {
  const x = Number(v.key);
  let best: { source: number; value: number; posting: NumberPosting } | undefined;
  index.sources.forEach((part, source) => {
    const list: readonly SortedNumber[] = v.unit === 'percent' ? part.sorted.percent : part.sorted.none;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]!.value < x) lo = mid + 1;
      else hi = mid;
    }
    for (const c of [list[lo - 1], list[lo]]) {
      if (c === undefined) continue;
      if (best === undefined || Math.abs(c.value - x) < Math.abs(best.value - x)) best = { source, value: c.value, posting: c.posting };
    }
  });
  if (best === undefined) return undefined;
  const scale = Math.max(Math.abs(x), Math.abs(best.value));
  return scale === 0 || Math.abs(best.value - x) <= NUMBER_NEAREST_RATIO * scale ? best : undefined;
}

function checkFigure(index: GroundingIndex, claim: Claim): GroundingItem {
  const base = { kind: claim.kind, start: claim.start, end: claim.end, text: claim.text };
  let weakest: MatchKind = 'exact';
  const order: MatchKind[] = ['exact', 'variant', 'rounded', 'unitless', 'fuzzy'];
  let first: Found | undefined;
  for (const v of claim.values) {
    const found = findValue(index, v);
    if (found === undefined) {
      const near = nearestNumber(index, v);
      return { ...base, status: 'unsupported', reason: 'notFound', ...(near === undefined ? {} : { nearest: toMatch(index, near.source, near.posting.start, near.posting.end) }) };
    }
    first ??= found;
    if (order.indexOf(found.match) > order.indexOf(weakest)) weakest = found.match;
  }
  if (first === undefined) return { ...base, status: 'unsupported', reason: 'notFound' };
  return { ...base, status: 'supported', match: weakest, nearest: toMatch(index, first.source, first.posting.start, first.posting.end) };
}

const NEGATION_WORDS = new Set(['not', 'no', 'never', 'neither', 'nor', 'without', 'none', 'cannot', 't', '不', '未', '没', '无', '非', '否']);

function checkQuotePiece(index: GroundingIndex, piece: string): { ok: boolean; reason?: GroundingItem['reason']; match?: SourceMatch } {
  const form = normalizeForQuotes(piece).text;
  const found = searchFuzzy(index.sources.map((s) => s.grams), form);
  if (found === undefined) return { ok: false, reason: 'notFound' };
  const { hit, part: si } = found;
  const src = index.sources[si]!;
  const local = (q: number): number => src.quoteForm.map[q] ?? src.source.text.length;
  const start = local(hit.start);
  const end = hit.end > hit.start ? local(hit.end - 1) + 1 : start;
  const match = toMatch(index, si, start, end, hit.similarity);
  if (hit.similarity < QUOTE_SIMILARITY_THRESHOLD) {
    return hit.similarity >= QUOTE_NEAREST_FLOOR ? { ok: false, reason: 'lowSimilarity', match } : { ok: false, reason: 'notFound' };
  }
  if (hit.similarity < 1) {
    // Near-verbatim: every word must be accounted for on both sides, allowing only extraction damage.
    // The alignment may stop inside a word ("0.7" of "0.72"): compare whole words.
    const text = src.source.text;
    let from = start;
    let to = end;
    while (from > 0 && /[\p{L}\p{N}]/u.test(text[from - 1] ?? '')) from--;
    while (to < text.length && /[\p{L}\p{N}]/u.test(text[to] ?? '')) to++;
    const passage = text.slice(from, to);
    const q = words(piece);
    const p = words(passage);
    const missing = [...unaccounted(q, p), ...unaccounted(p, q, true)];
    if (missing.length > 0) {
      const reason = missing.some((w) => /^\p{N}+$/u.test(w)) ? 'numberDiffers' : missing.some((w) => NEGATION_WORDS.has(w)) ? 'negationDiffers' : 'wordDiffers';
      return { ok: false, reason, match };
    }
  }
  return { ok: true, match };
}

function checkQuote(index: GroundingIndex, claim: Claim): GroundingItem {
  const base = { kind: claim.kind, start: claim.start, end: claim.end, text: claim.text };
  let first: SourceMatch | undefined;
  let fuzzy = false;
  for (const piece of claim.quotePieces ?? [claim.text]) {
    const r = checkQuotePiece(index, piece);
    if (!r.ok) return { ...base, status: 'unsupported', reason: r.reason ?? 'notFound', ...(r.match === undefined ? {} : { nearest: r.match }) };
    first ??= r.match;
    if ((r.match?.similarity ?? 1) < 1) fuzzy = true;
  }
  return { ...base, status: 'supported', match: fuzzy ? 'fuzzy' : 'exact', ...(first === undefined ? {} : { nearest: first }) };
}

/** Checks a passage as a quotation (the supporting quote of a table cell), ellipses allowed. */
export function checkQuotePassage(index: GroundingIndex, passage: string): GroundingItem {
  const pieces = passage.split(ELLIPSIS).map((p) => p.trim()).filter((p) => p.length > 0);
  const claim: Claim = { kind: 'quote', start: 0, end: passage.length, text: passage, values: [], quotePieces: pieces.length > 0 ? pieces : [passage] };
  if (index.sources.length === 0) return { kind: 'quote', start: 0, end: passage.length, text: passage, status: 'unsupported', reason: 'noSources' };
  return checkQuote(index, claim);
}

export function formatHeader(supported: number, checked: number): string {
  return `figures checked: ${supported}/${checked}`;
}

/** Checks every claim of `text` (a block body, a paragraph, a cell) against the index. */
export function checkText(text: string, index: GroundingIndex): GroundingResult {
  const claims = extractClaims(text);
  const items = claims.map((c): GroundingItem => {
    if (index.sources.length === 0) return { kind: c.kind, start: c.start, end: c.end, text: c.text, status: 'unsupported', reason: 'noSources' };
    return c.kind === 'quote' ? checkQuote(index, c) : checkFigure(index, c);
  });
  const supported = items.filter((i) => i.status === 'supported').length;
  return { items, checked: items.length, supported, header: formatHeader(supported, items.length) };
}
