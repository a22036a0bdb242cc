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
const COMMON_BUCKET = 4000;

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

/**
 * The best place for `pattern` in the indexed text, exact or approximate; undefined when no q-gram
 * of the pattern occurs anywhere.
 */
export function searchFuzzy(index: GramIndex, pattern: string, candidates = 3): FuzzyHit | undefined {
  const m = pattern.length;
  if (m === 0) return undefined;
  if (m < Q) {
    const exact = index.text.indexOf(pattern);
    return exact >= 0 ? { start: exact, end: exact + m, similarity: 1 } : undefined;
  }
  // Exact first, through the pattern's rarest q-gram: a handful of candidates instead of a scan of every source.
  let rarest = 0;
  let rarestSize = Infinity;
  for (let i = 0; i + Q <= m; i++) {
    const h = gramHash(pattern, i, index.bits);
    const size = index.heads[h + 1]! - index.heads[h]!;
    if (size < rarestSize) { rarest = i; rarestSize = size; }
    if (size === 0) break;
  }
  if (rarestSize > 0) {
    const h = gramHash(pattern, rarest, index.bits);
    for (let p = index.heads[h]!; p < index.heads[h + 1]!; p++) {
      const start = index.positions[p]! - rarest;
      if (start >= 0 && index.text.startsWith(pattern, start)) return { start, end: start + m, similarity: 1 };
    }
  }
  // Vote for diagonals (source position − pattern position), in bands of 8 so small shifts agree.
  const votes = new Map<number, number>();
  const grams = m - Q + 1;
  for (let i = 0; i < grams; i++) {
    const h = gramHash(pattern, i, index.bits);
    const from = index.heads[h]!;
    const to = index.heads[h + 1]!;
    if (to - from > COMMON_BUCKET) continue;
    for (let p = from; p < to; p++) {
      const band = (index.positions[p]! - i) >> 3;
      votes.set(band, (votes.get(band) ?? 0) + 1);
    }
  }
  if (votes.size === 0) return undefined;
  const top = [...votes.entries()].sort((a, b) => b[1] - a[1]).slice(0, candidates);
  const slack = Math.ceil(m * 0.15) + 16;
  let best: FuzzyHit | undefined;
  for (const [band] of top) {
    const diag = band << 3;
    const from = Math.max(0, diag - slack);
    const to = Math.min(index.text.length, diag + m + slack);
    const hit = alignIn(pattern, index.text, from, to);
    if (best === undefined || hit.similarity > best.similarity) best = hit;
  }
  return best;
}
