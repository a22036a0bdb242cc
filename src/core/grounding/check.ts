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
import { searchQuote } from './fuzzy';
import { normalizeForQuotes, snippetAround } from './normalize';
import { unaccounted, words } from './words';
import { keyValue, roundKey, shiftKey } from './numbers';
import { pageAt, type GroundingIndex, type NumberPosting, type TextIndex } from './sourceIndex';

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
  /** Table cells: the figures of the value that its evidence quote does not contain. */
  readonly missingInQuote?: readonly string[];
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

interface Found {
  readonly source: number;
  readonly posting: NumberPosting;
  readonly match: MatchKind;
  readonly rank: number;
}

/**
 * The best way one source supports a value, by rank: 0 the same number, 1 a part of a space-grouped
 * one, 2 a percent/proportion variant ("72%" ↔ "0.72"), 3 the number with a minus sign ("decreased
 * by 0.5" for "−0.5"), 4 the value rounded to the note's precision ("72%" from "72.4%"), 5 the same
 * number in another unit (a bare "72" under a "(%)" table header), 6 rounded in another unit.
 * The variants are derived from the claim's value and looked up by key, so the index stores every
 * source number once. Ties go to the earliest place in the text.
 */
function findInSource(
  index: TextIndex,
  v: NumberValue,
  rounded: boolean,
): { posting: NumberPosting; match: MatchKind; rank: number } | undefined {
  let best: { posting: NumberPosting; match: MatchKind; rank: number } | undefined;
  const offer = (posting: NumberPosting, match: MatchKind, rank: number): void => {
    if (best === undefined || rank < best.rank || (rank === best.rank && posting.start < best.posting.start))
      best = { posting, match, rank };
  };
  for (const p of index.numbers.get(v.key) ?? []) {
    if (p.unit === v.unit) offer(p, 'exact', p.kind === 'exact' ? 0 : 1);
    else offer(p, 'unitless', 5);
  }
  if (best !== undefined && best.rank <= 1) return best;
  if (v.unit === 'none') {
    // Source "72%", note "0.72".
    for (const p of index.numbers.get(shiftKey(v.key, 2)) ?? [])
      if (p.kind === 'exact' && p.unit === 'percent') offer({ ...p, kind: 'fromPercent' }, 'variant', 2);
  } else if (v.unit === 'percent') {
    // Source "0.72" (a proportion, written with decimals), note "72%".
    const key = shiftKey(v.key, -2);
    if (Math.abs(keyValue(key)) <= 1)
      for (const p of index.numbers.get(key) ?? [])
        if (p.kind === 'exact' && p.unit === 'none' && p.decimals > 0) offer({ ...p, kind: 'toPercent' }, 'variant', 2);
  }
  if (!v.negative && v.key !== '0') {
    // Source "−0.5", note "decreased by 0.5".
    for (const p of index.numbers.get(`-${v.key}`) ?? []) if (p.kind === 'exact') offer({ ...p, kind: 'unsigned' }, 'variant', 3);
  }
  if (!rounded || (best !== undefined && best.rank <= 4)) return best;
  // Rounded: source numbers with more decimals within half a unit of the note's last digit.
  const x = keyValue(v.key);
  const half = 0.5 * 10 ** -v.decimals;
  const slack = Math.abs(x) * 1e-12 + 1e-12;
  const lowest = x - half - slack;
  const highest = x + half + slack;
  const values = index.values;
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    if (value < lowest || value > highest) continue;
    const c = index.all[i]!;
    if (c.posting.decimals <= v.decimals || c.key === v.key || roundKey(c.key, v.decimals) !== v.key) continue;
    offer({ ...c.posting, kind: 'rounded', decimals: v.decimals }, 'rounded', c.posting.unit === v.unit ? 4 : 6);
  }
  return best;
}

/** Finds one value in any source; returns the best posting and how it matched (ties: the first source). */
function findValue(index: GroundingIndex, v: NumberValue): Found | undefined {
  let best: Found | undefined;
  const pass = (rounded: boolean): void =>
    index.sources.forEach((part, source) => {
      const found = findInSource(part.index, v, rounded);
      if (found !== undefined && (best === undefined || found.rank < best.rank)) best = { source, ...found };
    });
  pass(false);
  // Rounding (rank 4, or 6 in another unit) can only win over nothing or a unit mismatch (rank 5):
  // only then scan the sources' numbers for values that round to this one.
  if (best === undefined || best.rank > 4) pass(true);
  return best;
}

/**
 * The source number closest in value (same unit class: percentages with percentages), offered as the
 * nearest match of an unsupported figure when it is within 25% of it. Per source: the largest value
 * below (its last occurrence) and the smallest at or above (its first); the one below wins a tie.
 */
function nearestNumber(index: GroundingIndex, v: NumberValue): { source: number; posting: NumberPosting } | undefined {
  const x = Number(v.key);
  const unit: NumberValue['unit'] = v.unit === 'percent' ? 'percent' : 'none';
  let best: { source: number; value: number; posting: NumberPosting } | undefined;
  index.sources.forEach((part, source) => {
    const { all, values } = part.index;
    let below = -1;
    let above = -1;
    for (let i = 0; i < values.length; i++) {
      const value = values[i]!;
      if (all[i]!.posting.unit !== unit) continue;
      if (value < x) {
        if (below < 0 || value >= values[below]!) below = i;
      } else if (above < 0 || value < values[above]!) above = i;
    }
    for (const i of [below, above]) {
      if (i < 0) continue;
      const value = values[i]!;
      if (best === undefined || Math.abs(value - x) < Math.abs(best.value - x)) best = { source, value, posting: all[i]!.posting };
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
      return {
        ...base,
        status: 'unsupported',
        reason: 'notFound',
        ...(near === undefined ? {} : { nearest: toMatch(index, near.source, near.posting.start, near.posting.end) }),
      };
    }
    first ??= found;
    if (order.indexOf(found.match) > order.indexOf(weakest)) weakest = found.match;
  }
  if (first === undefined) return { ...base, status: 'unsupported', reason: 'notFound' };
  return { ...base, status: 'supported', match: weakest, nearest: toMatch(index, first.source, first.posting.start, first.posting.end) };
}

const NEGATION_WORDS = new Set([
  'not',
  'no',
  'never',
  'neither',
  'nor',
  'without',
  'none',
  'cannot',
  't',
  '不',
  '未',
  '没',
  '无',
  '非',
  '否',
]);

function checkQuotePiece(index: GroundingIndex, piece: string): { ok: boolean; reason?: GroundingItem['reason']; match?: SourceMatch } {
  const form = normalizeForQuotes(piece).text;
  const found = searchQuote(
    index.sources.map((s) => s.index),
    form,
    QUOTE_SIMILARITY_THRESHOLD,
  );
  if (found === undefined) return { ok: false, reason: 'notFound' };
  const { hit, part: si } = found;
  const src = index.sources[si]!;
  const local = (q: number): number => src.index.quoteForm.map[q] ?? src.source.text.length;
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
      const reason = missing.some((w) => /^\p{N}+$/u.test(w))
        ? 'numberDiffers'
        : missing.some((w) => NEGATION_WORDS.has(w))
          ? 'negationDiffers'
          : 'wordDiffers';
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
    if (!r.ok)
      return { ...base, status: 'unsupported', reason: r.reason ?? 'notFound', ...(r.match === undefined ? {} : { nearest: r.match }) };
    first ??= r.match;
    if ((r.match?.similarity ?? 1) < 1) fuzzy = true;
  }
  return { ...base, status: 'supported', match: fuzzy ? 'fuzzy' : 'exact', ...(first === undefined ? {} : { nearest: first }) };
}

/** Checks a passage as a quotation (the supporting quote of a table cell), ellipses allowed. */
export function checkQuotePassage(index: GroundingIndex, passage: string): GroundingItem {
  const pieces = passage
    .split(ELLIPSIS)
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  const claim: Claim = {
    kind: 'quote',
    start: 0,
    end: passage.length,
    text: passage,
    values: [],
    quotePieces: pieces.length > 0 ? pieces : [passage],
  };
  if (index.sources.length === 0)
    return { kind: 'quote', start: 0, end: passage.length, text: passage, status: 'unsupported', reason: 'noSources' };
  return checkQuote(index, claim);
}

export function formatHeader(supported: number, checked: number): string {
  return `figures checked: ${supported}/${checked}`;
}

/** Checks every claim of `text` (a block body, a paragraph, a cell) against the index. */
export function checkText(text: string, index: GroundingIndex): GroundingResult {
  const claims = extractClaims(text);
  const items = claims.map((c): GroundingItem => {
    if (index.sources.length === 0)
      return { kind: c.kind, start: c.start, end: c.end, text: c.text, status: 'unsupported', reason: 'noSources' };
    return c.kind === 'quote' ? checkQuote(index, c) : checkFigure(index, c);
  });
  const supported = items.filter((i) => i.status === 'supported').length;
  return { items, checked: items.length, supported, header: formatHeader(supported, items.length) };
}
