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
const TOP = (() => {
  let p = 1;
  for (let k = 1; k < Q; k++) p = Math.imul(p, 31);
  return p;
})();

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
  for (let i = 0; i <= m; i++) {
    prev[i] = i;
    prevStart[i] = from;
  }
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
      if (sub <= del && sub <= ins) {
        cur[i] = sub;
        curStart[i] = prevStart[i - 1]!;
      } else if (del <= ins) {
        cur[i] = del;
        curStart[i] = prevStart[i]!;
      } else {
        cur[i] = ins;
        curStart[i] = curStart[i - 1]!;
      }
    }
    if (cur[m]! < best) {
      best = cur[m]!;
      bestEnd = j + 1;
      bestStart = curStart[m]!;
    }
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
    if (size < rarestSize) {
      rarest = i;
      rarestSize = size;
    }
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
    indexes.forEach((index, part) => {
      const h = hashes[part]![i]!;
      total += index.heads[h + 1]! - index.heads[h]!;
    });
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

/** Aligns `pattern` around `diagonal` (an approximate start) in a text. */
function alignNear(text: string, pattern: string, diagonal: number): FuzzyHit {
  const m = pattern.length;
  const slack = Math.ceil(m * 0.15) + 16;
  return alignIn(pattern, text, Math.max(0, diagonal - slack), Math.min(text.length, diagonal + m + slack));
}

/** Pieces shorter than this match too many places to say where a quote is. */
const MIN_PIECE = 6;
/** Longer pieces are no faster to find, and more likely to contain the one changed character. */
const MAX_PIECE = 16;
/** Each piece is an `indexOf` over all the sources (~1 ms per 500 pages): three, as a change hits at most two. */
const PIECES = 3;
/** A piece found more often than this in all the sources together is common: it casts no vote. */
const PIECE_HITS = 64;

/** Where the pieces of a pattern are: three disjoint ones, each in the middle of a third of the pattern. */
function pieceOffsets(m: number): Array<[number, number]> {
  const third = Math.floor(m / PIECES);
  const size = Math.min(MAX_PIECE, third);
  if (size < MIN_PIECE) return [];
  // The middle of each third: an edit at a third's edge leaves its piece intact.
  return Array.from({ length: PIECES }, (_, p) => [p * third + ((third - size) >> 1), size]);
}

/**
 * Adds the occurrences of `piece` in one target to `hits`, in text order; false once there are more
 * than PIECE_HITS. With the target's q-gram index built (the index is prepared while the model
 * generates) the candidates come from the bucket of the piece's rarest q-gram; else from `indexOf`.
 * Both give every occurrence, so the result does not depend on whether the q-grams are built.
 */
function addOccurrences(target: QuoteTarget, part: number, piece: string, hits: Array<[number, number]>): boolean {
  const text = target.text;
  const grams = piece.length >= Q ? target.builtGrams : undefined;
  if (grams === undefined) {
    for (let at = text.indexOf(piece); at >= 0; at = text.indexOf(piece, at + 1)) {
      if (hits.length === PIECE_HITS) return false;
      hits.push([part, at]);
    }
    return true;
  }
  let rarest = 0;
  let rarestSize = Infinity;
  for (let i = 0; i + Q <= piece.length; i++) {
    const h = gramHash(piece, i, grams.bits);
    const size = grams.heads[h + 1]! - grams.heads[h]!;
    if (size < rarestSize) {
      rarest = i;
      rarestSize = size;
    }
  }
  const h = gramHash(piece, rarest, grams.bits);
  // Positions in a bucket are ascending (buildGramIndex fills them in text order).
  for (let p = grams.heads[h]!; p < grams.heads[h + 1]!; p++) {
    const start = grams.positions[p]! - rarest;
    if (start < 0 || !text.startsWith(piece, start)) continue;
    if (hits.length === PIECE_HITS) return false;
    hits.push([part, start]);
  }
  return true;
}

/** Occurrences of `piece` in the targets, in order; undefined when there are more than PIECE_HITS. */
function pieceHits(targets: readonly QuoteTarget[], piece: string): Array<[number, number]> | undefined {
  const hits: Array<[number, number]> = [];
  for (let part = 0; part < targets.length; part++) if (!addOccurrences(targets[part]!, part, piece, hits)) return undefined;
  return hits;
}

/**
 * Candidate places from exact pieces of the pattern, found with `indexOf` (no index needed): a passage
 * within two edits of the pattern contains at least one of three disjoint pieces verbatim (a changed
 * number, a dropped "not", a repaired hyphen). Each occurrence votes for its diagonal (text position −
 * piece offset, in bands of 8); a piece found in too many places casts no vote. Passages further away
 * are left to the q-gram votes.
 */
export function pieceCandidates(
  targets: readonly QuoteTarget[],
  pattern: string,
  limit = 2,
  known?: { readonly piece: number; readonly hits: ReadonlyArray<[number, number]> | undefined },
): Candidate[] {
  const votes = targets.map(() => new Map<number, number>());
  pieceOffsets(pattern.length).forEach(([offset, size], p) => {
    const hits = known?.piece === p ? known.hits : pieceHits(targets, pattern.slice(offset, offset + size));
    for (const [part, at] of hits ?? []) {
      const band = (at - offset) >> 3;
      const v = votes[part]!;
      v.set(band, (v.get(band) ?? 0) + 1);
    }
  });
  const all: Candidate[] = [];
  votes.forEach((v, part) => {
    for (const [band, n] of v) all.push({ part, diagonal: band << 3, votes: n });
  });
  return all.sort((a, b) => b.votes - a.votes).slice(0, limit);
}

/** A source's quote-form text; its q-gram index is built only when a quote needs the wide search. */
export interface QuoteTarget {
  readonly text: string;
  grams(): GramIndex;
  /** The q-gram index when it is built already (exact look-ups then use it instead of scanning the text). */
  readonly builtGrams: GramIndex | undefined;
}

/**
 * The best place for `pattern` (quote form) in any of `targets`, cheapest step first: verbatim
 * (`indexOf`), then alignments where exact pieces of it occur, and only when none of those reaches
 * `accept` similarity, the q-gram votes (which also find passages sharing only scattered q-grams, for
 * the "nearest match" of a misquote). Undefined when nothing resembles it.
 */
export function searchQuote(targets: readonly QuoteTarget[], pattern: string, accept: number): { part: number; hit: FuzzyHit } | undefined {
  const m = pattern.length;
  if (m === 0) return undefined;
  const texts = targets.map((t) => t.text);
  // Verbatim: where the first piece occurs and the whole pattern follows (one look-up whose hits
  // also vote below), or, for short patterns and common first pieces, the pattern itself.
  const first = pieceOffsets(m)[0];
  const firstHits = first === undefined ? undefined : pieceHits(targets, pattern.slice(first[0], first[0] + first[1]));
  if (first !== undefined && firstHits !== undefined) {
    for (const [part, at] of firstHits) {
      const start = at - first[0];
      if (start >= 0 && texts[part]!.startsWith(pattern, start)) return { part, hit: { start, end: start + m, similarity: 1 } };
    }
  } else {
    for (let part = 0; part < targets.length; part++) {
      // The first occurrence: from the q-gram index when built, else indexOf (the same answer).
      const grams = targets[part]!.builtGrams;
      const at = grams !== undefined ? (searchExact(grams, pattern)?.start ?? -1) : texts[part]!.indexOf(pattern);
      if (at >= 0) return { part, hit: { start: at, end: at + m, similarity: 1 } };
    }
  }
  let best: { part: number; hit: FuzzyHit } | undefined;
  const consider = (part: number, diagonal: number): void => {
    const hit = alignNear(texts[part]!, pattern, diagonal);
    if (best === undefined || hit.similarity > best.hit.similarity) best = { part, hit };
  };
  for (const c of pieceCandidates(targets, pattern, 2, { piece: 0, hits: firstHits })) consider(c.part, c.diagonal);
  if (best !== undefined && best.hit.similarity >= accept) return best;
  if (m < Q) return best;
  for (const c of candidates(
    targets.map((t) => t.grams()),
    pattern,
  ))
    consider(c.part, c.diagonal);
  return best;
}
