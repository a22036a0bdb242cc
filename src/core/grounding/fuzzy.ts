/**
 * Approximate substring search for quotes: a q-gram index over the quote form of all sources finds
 * candidate places, then a semi-global edit-distance alignment (Sellers 1980) scores each place.
 *
 * The index is built once per set of sources; a lookup touches only the buckets of the quote's own
 * q-grams, so checking a summary does not scan 500 pages per quote.
 */

/** q-gram length: long enough to be selective in letters-only English, short enough for CJK quotes. */
const Q = 6;
/** Up to 2^20 buckets (4 MB of heads); small texts (one table cell's quote) get a small table. */
const MAX_BUCKET_BITS = 20;
/** A bucket this full is a very common q-gram ("ation"): it says little about where a quote is. */
const COMMON_BUCKET = 256;

export interface GramIndex {
  readonly text: string;
  readonly bits: number;
  /** CSR layout: positions of bucket b are `positions[heads[b] .. heads[b + 1])`. */
  readonly heads: Int32Array;
  readonly positions: Int32Array;
}

function mix(h: number, bits: number): number {
  return (h ^ (h >>> bits) ^ (h >>> 24)) & ((1 << bits) - 1);
}

function gramHash(text: string, at: number, bits: number): number {
  let h = 0;
  for (let k = 0; k < Q; k++) h = (Math.imul(h, 31) + text.charCodeAt(at + k)) | 0;
  return mix(h, bits);
}

/** 31^(Q−1) in int32 arithmetic, to drop the outgoing character of the rolling hash. */
const TOP = (() => { let p = 1; for (let k = 1; k < Q; k++) p = Math.imul(p, 31); return p; })();

export function buildGramIndex(text: string): GramIndex {
  const n = Math.max(0, text.length - Q + 1);
  const bits = Math.min(MAX_BUCKET_BITS, Math.max(8, Math.ceil(Math.log2(n + 1))));
  const BUCKETS = 1 << bits;
  const hashes = new Int32Array(n);
  const heads = new Int32Array(BUCKETS + 1);
  // Rolling form of gramHash (same value, mod 2^32): one multiply per character instead of Q.
  let raw = 0;
  for (let k = 0; k < Q - 1 && k < text.length; k++) raw = (Math.imul(raw, 31) + text.charCodeAt(k)) | 0;
  for (let i = 0; i < n; i++) {
    raw = (Math.imul(raw, 31) + text.charCodeAt(i + Q - 1)) | 0;
    const h = mix(raw, bits);
    hashes[i] = h;
    heads[h + 1]!++;
    raw = (raw - Math.imul(text.charCodeAt(i), TOP)) | 0;
  }
  for (let b = 0; b < BUCKETS; b++) heads[b + 1]! += heads[b]!;
  const fill = heads.slice(0, BUCKETS);
  const positions = new Int32Array(n);
  for (let i = 0; i < n; i++) positions[fill[hashes[i]!]!++] = i;
  return { text, bits, heads, positions };
}

export interface FuzzyHit {
  readonly start: number;
  readonly end: number;
  /** 1 − edit distance / quote length, in [0, 1]. */
  readonly similarity: number;
}

/**
 * Best alignment of `pattern` inside `text[from, to)`: minimal edit distance over all substrings,
 * with the substring's start tracked through the dynamic programme.
 */
export function alignIn(pattern: string, text: string, from: number, to: number): FuzzyHit {
  const m = pattern.length;
  let prev = new Int32Array(m + 1);
  let cur = new Int32Array(m + 1);
  let prevStart = new Int32Array(m + 1);
  let curStart = new Int32Array(m + 1);
  for (let i = 0; i <= m; i++) { prev[i] = i; prevStart[i] = from; }
  let best = m;
  let bestEnd = from;
  let bestStart = from;
  for (let j = from; j < to; j++) {
    const c = text.charCodeAt(j);
    cur[0] = 0;
    curStart[0] = j + 1;
    for (let i = 1; i <= m; i++) {
      const sub = prev[i - 1]! + (pattern.charCodeAt(i - 1) === c ? 0 : 1);
      const del = prev[i]! + 1;
      const ins = cur[i - 1]! + 1;
      if (sub <= del && sub <= ins) { cur[i] = sub; curStart[i] = prevStart[i - 1]!; }
      else if (del <= ins) { cur[i] = del; curStart[i] = prevStart[i]!; }
      else { cur[i] = ins; curStart[i] = curStart[i - 1]!; }
    }
    if (cur[m]! < best) { best = cur[m]!; bestEnd = j + 1; bestStart = curStart[m]!; }
    [prev, cur] = [cur, prev];
    [prevStart, curStart] = [curStart, prevStart];
  }
  return { start: bestStart, end: bestEnd, similarity: m === 0 ? 0 : 1 - best / m };
}

/** Where `pattern` occurs verbatim, found through its rarest q-gram (a handful of candidates, not a scan). */
export function searchExact(index: GramIndex, pattern: string): FuzzyHit | undefined {
  const m = pattern.length;
  if (m === 0) return undefined;
  if (m < Q) {
    const exact = index.text.indexOf(pattern);
    return exact >= 0 ? { start: exact, end: exact + m, similarity: 1 } : undefined;
  }
  let rarest = 0;
  let rarestSize = Infinity;
  for (let i = 0; i + Q <= m; i++) {
    const h = gramHash(pattern, i, index.bits);
    const size = index.heads[h + 1]! - index.heads[h]!;
    if (size < rarestSize) { rarest = i; rarestSize = size; }
    if (size === 0) return undefined;
  }
  const h = gramHash(pattern, rarest, index.bits);
  for (let p = index.heads[h]!; p < index.heads[h + 1]!; p++) {
    const start = index.positions[p]! - rarest;
    if (start >= 0 && index.text.startsWith(pattern, start)) return { start, end: start + m, similarity: 1 };
  }
  return undefined;
}

export interface Candidate {
  /** Which of the searched indexes. */
  readonly part: number;
  /** Approximate start of the pattern there. */
  readonly diagonal: number;
  readonly votes: number;
}

/** Places where many of the pattern's q-grams line up (diagonal = text position − pattern position, in bands of 8). */
export function candidates(indexes: readonly GramIndex[], pattern: string, limit = 3): Candidate[] {
  const m = pattern.length;
  if (m < Q) return [];
  const grams = m - Q + 1;
  // A q-gram common across all the sources together says little about where the quote is: skip it
  // (judged on the total, so splitting the same text into more sources does not make it count).
  const hashes = indexes.map((index) => Int32Array.from({ length: grams }, (_, i) => gramHash(pattern, i, index.bits)));
  const common = new Uint8Array(grams);
  for (let i = 0; i < grams; i++) {
    let total = 0;
    indexes.forEach((index, part) => { const h = hashes[part]![i]!; total += index.heads[h + 1]! - index.heads[h]!; });
    if (total > COMMON_BUCKET) common[i] = 1;
  }
  const all: Candidate[] = [];
  indexes.forEach((index, part) => {
    const votes = new Map<number, number>();
    for (let i = 0; i < grams; i++) {
      if (common[i]) continue;
      const h = hashes[part]![i]!;
      for (let p = index.heads[h]!; p < index.heads[h + 1]!; p++) {
        const band = (index.positions[p]! - i) >> 3;
        votes.set(band, (votes.get(band) ?? 0) + 1);
      }
    }
    for (const [band, n] of votes) all.push({ part, diagonal: band << 3, votes: n });
  });
  return all.sort((a, b) => b.votes - a.votes).slice(0, limit);
}

/** Aligns `pattern` around a candidate place. */
export function alignAt(index: GramIndex, pattern: string, diagonal: number): FuzzyHit {
  const m = pattern.length;
  const slack = Math.ceil(m * 0.15) + 16;
  return alignIn(pattern, index.text, Math.max(0, diagonal - slack), Math.min(index.text.length, diagonal + m + slack));
}

/**
 * The best place for `pattern` in any of `indexes`: verbatim when it is there, else the best
 * alignment among the candidates with most q-gram votes; undefined when nothing resembles it.
 */
export function searchFuzzy(indexes: readonly GramIndex[], pattern: string): { part: number; hit: FuzzyHit } | undefined {
  for (let part = 0; part < indexes.length; part++) {
    const hit = searchExact(indexes[part]!, pattern);
    if (hit !== undefined) return { part, hit };
  }
  let best: { part: number; hit: FuzzyHit } | undefined;
  for (const c of candidates(indexes, pattern)) {
    const hit = alignAt(indexes[c.part]!, pattern, c.diagonal);
    if (best === undefined || hit.similarity > best.hit.similarity) best = { part: c.part, hit };
  }
  return best;
}
