/**
 * A BM25 inverted index held in typed arrays. Passages are numbered in the order they are added (doc ids);
 * their postings collect in a small mutable buffer and are frozen into compact blocks (per term: doc-id gaps
 * and term frequencies as varints), which are merged when they pile up. Removing a passage only clears its
 * `live` flag; its postings go at the next merge or snapshot. Maps of JavaScript arrays — what the general
 * search libraries keep per term and per document — cost several times more memory for the same postings,
 * which at a library of 300,000 passages is the difference between a few hundred MB and gigabytes.
 */
import { ByteReader, ByteWriter, StoredFileError } from './persist';

const K1 = 1.2;
const B = 0.75;
/** Pending postings before they are frozen into a block. */
const FREEZE_AT = 1 << 21;

interface Block {
  /** Byte offset of each term's postings (length = vocabulary size when written + 1). */
  readonly starts: Uint32Array;
  /** Postings per term in the block (its contribution to the document frequency). */
  readonly counts: Uint32Array;
  /** Each term's last doc id in the block: a later block's postings continue from it when the two merge. */
  readonly lasts: Uint32Array;
  readonly data: Uint8Array;
}

export interface ScoredDoc {
  readonly doc: number;
  readonly score: number;
}

function grow<T extends Uint8Array | Uint16Array | Uint32Array>(array: T, size: number, make: (n: number) => T): T {
  if (size <= array.length) return array;
  const next = make(Math.max(size, array.length * 2, 1024));
  next.set(array);
  return next;
}

function writeVarint(data: Uint8Array, pos: number, n: number): number {
  while (n >= 0x80) {
    data[pos++] = (n & 0x7f) | 0x80;
    n >>>= 7;
  }
  data[pos++] = n;
  return pos;
}

/** Bytes of the varint at `pos`. */
function varintLength(data: Uint8Array, pos: number): number {
  let n = 1;
  while (data[pos++]! & 0x80) n++;
  return n;
}

function readVarint(data: Uint8Array, pos: number): number {
  let v = 0;
  let shift = 0;
  let b: number;
  do {
    b = data[pos++]!;
    v += (b & 0x7f) * 2 ** shift;
    shift += 7;
  } while (b & 0x80);
  return v;
}

/**
 * One block holding `a`'s postings then `b`'s (b's doc ids are all above a's): per term, a's bytes are
 * copied as they are, b's first gap is re-encoded from a's last doc, and the rest of b's bytes copied.
 */
function mergeBlocks(a: Block, b: Block): Block {
  const vocabulary = Math.max(a.starts.length, b.starts.length) - 1;
  const starts = new Uint32Array(vocabulary + 1);
  const counts = new Uint32Array(vocabulary);
  const lasts = new Uint32Array(vocabulary);
  const data = new Uint8Array(a.data.length + b.data.length);
  let pos = 0;
  for (let t = 0; t < vocabulary; t++) {
    starts[t] = pos;
    const inA = t < a.counts.length ? a.counts[t]! : 0;
    const inB = t < b.counts.length ? b.counts[t]! : 0;
    if (inA > 0) {
      data.set(a.data.subarray(a.starts[t]!, a.starts[t + 1]!), pos);
      pos += a.starts[t + 1]! - a.starts[t]!;
    }
    if (inB > 0) {
      const from = b.starts[t]!;
      const first = readVarint(b.data, from);
      pos = writeVarint(data, pos, inA > 0 ? first - a.lasts[t]! : first);
      const rest = from + varintLength(b.data, from);
      data.set(b.data.subarray(rest, b.starts[t + 1]!), pos);
      pos += b.starts[t + 1]! - rest;
    }
    counts[t] = inA + inB;
    lasts[t] = inB > 0 ? b.lasts[t]! : inA > 0 ? a.lasts[t]! : 0;
  }
  starts[vocabulary] = pos;
  return { starts, counts, lasts, data: data.slice(0, pos) };
}

export class LexicalIndex {
  private readonly termIds = new Map<string, number>();
  private blocks: Block[] = [];
  /** Postings not yet frozen, as parallel columns in the order they were added. */
  private pendingTerm = new Uint32Array(1024);
  private pendingDoc = new Uint32Array(1024);
  private pendingTf = new Uint16Array(1024);
  private pendingSize = 0;
  /** Per-term counter reused by `add` (zero between calls). */
  private scratch = new Uint32Array(1024);
  private lengths = new Uint16Array(1024);
  private live = new Uint8Array(1024);
  private docs = 0;
  private liveDocs = 0;
  private liveLength = 0;

  /** Doc ids handed out so far (live or removed). */
  get size(): number {
    return this.docs;
  }

  get liveCount(): number {
    return this.liveDocs;
  }

  isLive(doc: number): boolean {
    return this.live[doc] === 1;
  }

  /** Adds one passage's terms (from `tokenize`); returns its doc id. */
  add(terms: readonly string[]): number {
    const doc = this.docs++;
    this.lengths = grow(this.lengths, this.docs, (n) => new Uint16Array(n));
    this.live = grow(this.live, this.docs, (n) => new Uint8Array(n));
    const length = Math.min(terms.length, 0xffff);
    this.lengths[doc] = length;
    this.live[doc] = 1;
    this.liveDocs++;
    this.liveLength += length;
    const distinct: number[] = [];
    for (const term of terms) {
      let id = this.termIds.get(term);
      if (id === undefined) {
        id = this.termIds.size;
        this.termIds.set(term, id);
        this.scratch = grow(this.scratch, id + 1, (n) => new Uint32Array(n));
      }
      if (this.scratch[id]!++ === 0) distinct.push(id);
    }
    const size = this.pendingSize + distinct.length;
    this.pendingTerm = grow(this.pendingTerm, size, (n) => new Uint32Array(n));
    this.pendingDoc = grow(this.pendingDoc, size, (n) => new Uint32Array(n));
    this.pendingTf = grow(this.pendingTf, size, (n) => new Uint16Array(n));
    for (const id of distinct) {
      const i = this.pendingSize++;
      this.pendingTerm[i] = id;
      this.pendingDoc[i] = doc;
      this.pendingTf[i] = Math.min(this.scratch[id]!, 0xffff);
      this.scratch[id] = 0;
    }
    if (this.pendingSize >= FREEZE_AT) this.freeze();
    return doc;
  }

  remove(doc: number): void {
    if (this.live[doc] !== 1) return;
    this.live[doc] = 0;
    this.liveDocs--;
    this.liveLength -= this.lengths[doc]!;
  }

  /**
   * Moves the pending postings into a compact block, then merges the newest blocks while the newer is at
   * least half the size of the one before (so each posting is copied a logarithmic number of times).
   */
  freeze(): void {
    if (this.pendingSize > 0) {
      const vocabulary = this.termIds.size;
      const n = this.pendingSize;
      // Counting sort by term; stable, so each term's doc ids stay ascending.
      const starts = new Uint32Array(vocabulary + 1);
      for (let i = 0; i < n; i++) starts[this.pendingTerm[i]! + 1]!++;
      for (let t = 0; t < vocabulary; t++) starts[t + 1]! += starts[t]!;
      const counts = new Uint32Array(vocabulary);
      const order = new Uint32Array(n);
      for (let i = 0; i < n; i++) {
        const t = this.pendingTerm[i]!;
        order[starts[t]! + counts[t]!++] = i;
      }
      const data = new Uint8Array(n * 8);
      const lasts = new Uint32Array(vocabulary);
      let pos = 0;
      for (let t = 0; t < vocabulary; t++) {
        const from = starts[t]!;
        starts[t] = pos;
        let last = 0;
        for (let k = from; k < from + counts[t]!; k++) {
          const i = order[k]!;
          const doc = this.pendingDoc[i]!;
          pos = writeVarint(data, pos, doc - last);
          pos = writeVarint(data, pos, this.pendingTf[i]!);
          last = doc;
        }
        lasts[t] = last;
      }
      starts[vocabulary] = pos;
      this.blocks.push({ starts, counts, lasts, data: data.slice(0, pos) });
      this.pendingSize = 0;
      // The columns grew to FREEZE_AT entries (tens of MB): give that back until passages arrive again.
      this.pendingTerm = new Uint32Array(1024);
      this.pendingDoc = new Uint32Array(1024);
      this.pendingTf = new Uint16Array(1024);
    }
    const size = (b: Block) => b.data.length;
    while (this.blocks.length > 1 && size(this.blocks.at(-1)!) * 2 >= size(this.blocks.at(-2)!)) {
      const b = this.blocks.pop()!;
      const a = this.blocks.pop()!;
      this.blocks.push(mergeBlocks(a, b));
    }
  }

  /** All blocks as one, without the removed passages' postings, doc ids renumbered by `remap`. */
  private compacted(remap: Int32Array): Block {
    this.freeze();
    const vocabulary = this.termIds.size;
    const starts = new Uint32Array(vocabulary + 1);
    const counts = new Uint32Array(vocabulary);
    const lasts = new Uint32Array(vocabulary);
    let data = new Uint8Array(1 << 20);
    let pos = 0;
    for (let id = 0; id < vocabulary; id++) {
      starts[id] = pos;
      let last = 0;
      let n = 0;
      this.forEachPosting(id, (doc, tf) => {
        if (this.live[doc] !== 1 || remap[doc]! < 0) return;
        const d = remap[doc]!;
        if (pos + 10 > data.length) {
          const next = new Uint8Array(data.length * 2);
          next.set(data);
          data = next;
        }
        pos = writeVarint(data, pos, d - last);
        pos = writeVarint(data, pos, tf);
        last = d;
        n++;
      });
      counts[id] = n;
      lasts[id] = last;
    }
    starts[vocabulary] = pos;
    return { starts, counts, lasts, data: data.slice(0, pos) };
  }

  private forEachPosting(id: number, visit: (doc: number, tf: number) => void): void {
    for (const block of this.blocks) {
      if (id + 1 >= block.starts.length) continue;
      const data = block.data;
      let pos = block.starts[id]!;
      const end = block.starts[id + 1]!;
      let doc = 0;
      while (pos < end) {
        let v = 0;
        let shift = 0;
        let b: number;
        do {
          b = data[pos++]!;
          v |= (b & 0x7f) << shift;
          shift += 7;
        } while (b & 0x80);
        doc += v;
        let tf = 0;
        shift = 0;
        do {
          b = data[pos++]!;
          tf |= (b & 0x7f) << shift;
          shift += 7;
        } while (b & 0x80);
        visit(doc, tf);
      }
    }
  }

  private documentFrequency(id: number): number {
    let n = 0;
    for (const block of this.blocks) if (id < block.counts.length) n += block.counts[id]!;
    return n;
  }

  /**
   * The `limit` best passages for the query terms by BM25 (Okapi, k1 1.2, b 0.75), best first. `allow`
   * restricts the candidates (e.g. to some files). Removed passages never come back; their postings still
   * count in the document frequency until the next merge, which shifts scores slightly, never membership.
   */
  search(queryTerms: readonly string[], limit: number, allow?: (doc: number) => boolean): ScoredDoc[] {
    if (this.liveDocs === 0 || limit <= 0) return [];
    this.freeze();
    const unique = [...new Set(queryTerms)];
    const scores = new Float32Array(this.docs);
    const touched: number[] = [];
    const averageLength = this.liveLength / this.liveDocs || 1;
    for (const term of unique) {
      const id = this.termIds.get(term);
      if (id === undefined) continue;
      const df = this.documentFrequency(id);
      const idf = Math.log(1 + (this.liveDocs - df + 0.5) / (df + 0.5));
      const lengths = this.lengths;
      const live = this.live;
      this.forEachPosting(id, (doc, tf) => {
        if (live[doc] !== 1) return;
        const norm = K1 * (1 - B + (B * lengths[doc]!) / averageLength);
        if (scores[doc] === 0) touched.push(doc);
        scores[doc]! += (idf * tf * (K1 + 1)) / (tf + norm);
      });
    }
    return topK(touched, scores, limit, allow);
  }

  /** The index with removed passages dropped and the rest renumbered by `remap` (−1 = dropped). */
  serialize(remap: Int32Array, docCount: number): Uint8Array {
    const block = this.compacted(remap);
    const lengths = new Uint16Array(docCount);
    for (let doc = 0; doc < this.docs; doc++) if (this.live[doc] === 1 && remap[doc]! >= 0) lengths[remap[doc]!] = this.lengths[doc]!;
    const w = new ByteWriter();
    w.string([...this.termIds.keys()].join('\n'));
    w.typed(block.starts).typed(block.counts).typed(block.lasts).bytes(block.data).typed(lengths);
    return w.finish();
  }

  static deserialize(bytes: Uint8Array): LexicalIndex {
    const r = new ByteReader(bytes);
    const index = new LexicalIndex();
    const text = r.string();
    if (text.length > 0) text.split('\n').forEach((term, id) => index.termIds.set(term, id));
    const starts = r.u32s();
    const counts = r.u32s();
    const lasts = r.u32s();
    const data = r.bytesView();
    const lengths = r.u16s();
    if (starts.length !== index.termIds.size + 1 || counts.length !== index.termIds.size || lasts.length !== counts.length)
      throw new StoredFileError('lexical index tables do not match its vocabulary');
    index.blocks = [{ starts, counts, lasts, data }];
    index.scratch = new Uint32Array(Math.max(1024, index.termIds.size));
    index.docs = lengths.length;
    index.lengths = new Uint16Array(Math.max(lengths.length, 1024));
    index.lengths.set(lengths);
    index.live = new Uint8Array(index.lengths.length);
    index.live.fill(1, 0, index.docs);
    index.liveDocs = index.docs;
    for (const n of lengths) index.liveLength += n;
    return index;
  }

  /** Bytes held by the postings and per-passage tables (for the status and the bench). */
  get bytes(): number {
    let n = this.lengths.byteLength + this.live.byteLength + this.pendingSize * 10 + this.scratch.byteLength;
    for (const b of this.blocks) n += b.data.byteLength + b.starts.byteLength + b.counts.byteLength;
    return n;
  }
}

/** The `limit` highest-scoring of `candidates`, best first (ties: lower doc id first, so results are stable). */
export function topK(candidates: readonly number[], scores: Float32Array, limit: number, allow?: (doc: number) => boolean): ScoredDoc[] {
  const best: ScoredDoc[] = [];
  let floor = -Infinity;
  for (const doc of candidates) {
    const score = scores[doc]!;
    if (best.length >= limit && score <= floor) continue;
    if (allow && !allow(doc)) continue;
    best.push({ doc, score });
    if (best.length > limit * 4) {
      best.sort(byScore);
      best.length = limit;
      floor = best[limit - 1]!.score;
    }
  }
  best.sort(byScore);
  if (best.length > limit) best.length = limit;
  return best;
}

const byScore = (a: ScoredDoc, b: ScoredDoc): number => b.score - a.score || a.doc - b.doc;
