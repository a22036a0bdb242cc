/**
 * A BM25 inverted index held in typed arrays. Passages are numbered in the order they are added (doc ids);
 * their postings collect in a small mutable buffer and are frozen into compact blocks (per term: doc-id gaps
 * and term frequencies as varints), which are merged when they pile up. Removing a passage only clears its
 * `live` flag; its postings go at the next merge or snapshot. Maps of JavaScript arrays — what the general
 * search libraries keep per term and per document — cost several times more memory for the same postings,
 * which at a library of 300,000 passages is the difference between a few hundred MB and gigabytes.
 */
import { ByteReader, ByteWriter } from './persist';

const K1 = 1.2;
const B = 0.75;
/** Pending postings (doc, tf pairs) before they are frozen into a block. */
const FREEZE_AT = 1 << 21;
const MAX_BLOCKS = 6;

interface Block {
  /** Byte offset of each term's postings (length = vocabulary size when frozen + 1). */
  readonly starts: Uint32Array;
  /** Postings per term in the block (its contribution to the document frequency). */
  readonly counts: Uint32Array;
  readonly data: Uint8Array;
}

export interface ScoredDoc {
  readonly doc: number;
  readonly score: number;
}

function grow<T extends Uint8Array | Uint16Array>(array: T, size: number, make: (n: number) => T): T {
  if (size <= array.length) return array;
  const next = make(Math.max(size, array.length * 2, 1024));
  next.set(array);
  return next;
}

function putVarint(out: number[], n: number): void {
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
}

export class LexicalIndex {
  private readonly termIds = new Map<string, number>();
  private blocks: Block[] = [];
  /** termId → [doc, tf, doc, tf, …] not yet frozen. */
  private pending = new Map<number, number[]>();
  private pendingSize = 0;
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
    const tf = new Map<number, number>();
    for (const term of terms) {
      let id = this.termIds.get(term);
      if (id === undefined) {
        id = this.termIds.size;
        this.termIds.set(term, id);
      }
      tf.set(id, (tf.get(id) ?? 0) + 1);
    }
    for (const [id, n] of tf) {
      let list = this.pending.get(id);
      if (!list) this.pending.set(id, (list = []));
      list.push(doc, n);
    }
    this.pendingSize += tf.size;
    if (this.pendingSize >= FREEZE_AT) this.freeze();
    return doc;
  }

  remove(doc: number): void {
    if (this.live[doc] !== 1) return;
    this.live[doc] = 0;
    this.liveDocs--;
    this.liveLength -= this.lengths[doc]!;
  }

  /** Moves the pending postings into a compact block (merging blocks when there are too many). */
  freeze(): void {
    if (this.pendingSize > 0) {
      const vocabulary = this.termIds.size;
      const starts = new Uint32Array(vocabulary + 1);
      const counts = new Uint32Array(vocabulary);
      const bytes: number[] = [];
      for (let id = 0; id < vocabulary; id++) {
        starts[id] = bytes.length;
        const list = this.pending.get(id);
        if (!list) continue;
        counts[id] = list.length / 2;
        let last = 0;
        for (let i = 0; i < list.length; i += 2) {
          putVarint(bytes, list[i]! - last);
          putVarint(bytes, list[i + 1]!);
          last = list[i]!;
        }
      }
      starts[vocabulary] = bytes.length;
      this.blocks.push({ starts, counts, data: Uint8Array.from(bytes) });
      this.pending = new Map();
      this.pendingSize = 0;
    }
    if (this.blocks.length > MAX_BLOCKS) this.blocks = [this.merged()];
  }

  /** All blocks as one, without the removed passages' postings; `remap` renumbers the doc ids. */
  private merged(remap?: Int32Array): Block {
    const vocabulary = this.termIds.size;
    const starts = new Uint32Array(vocabulary + 1);
    const counts = new Uint32Array(vocabulary);
    let data = new Uint8Array(1 << 20);
    let pos = 0;
    for (let id = 0; id < vocabulary; id++) {
      starts[id] = pos;
      let last = 0;
      let n = 0;
      this.forEachPosting(id, (doc, tf) => {
        if (this.live[doc] !== 1) return;
        const d = remap ? remap[doc]! : doc;
        if (pos + 10 > data.length) {
          const next = new Uint8Array(data.length * 2);
          next.set(data);
          data = next;
        }
        for (let v = d - last; ; v >>>= 7) {
          if (v < 0x80) {
            data[pos++] = v;
            break;
          }
          data[pos++] = (v & 0x7f) | 0x80;
        }
        for (let v = tf; ; v >>>= 7) {
          if (v < 0x80) {
            data[pos++] = v;
            break;
          }
          data[pos++] = (v & 0x7f) | 0x80;
        }
        last = d;
        n++;
      });
      counts[id] = n;
    }
    starts[vocabulary] = pos;
    return { starts, counts, data: data.slice(0, pos) };
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
    const list = this.pending.get(id);
    if (list) for (let i = 0; i < list.length; i += 2) visit(list[i]!, list[i + 1]!);
  }

  private documentFrequency(id: number): number {
    let n = (this.pending.get(id)?.length ?? 0) / 2;
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
    this.freeze();
    const block = this.merged(remap);
    const lengths = new Uint16Array(docCount);
    for (let doc = 0; doc < this.docs; doc++) if (this.live[doc] === 1 && remap[doc]! >= 0) lengths[remap[doc]!] = this.lengths[doc]!;
    const w = new ByteWriter();
    w.string([...this.termIds.keys()].join('\n'));
    w.typed(block.starts).typed(block.counts).bytes(block.data).typed(lengths);
    return w.finish();
  }

  static deserialize(bytes: Uint8Array): LexicalIndex {
    const r = new ByteReader(bytes);
    const index = new LexicalIndex();
    const text = r.string();
    if (text.length > 0) text.split('\n').forEach((term, id) => index.termIds.set(term, id));
    const starts = r.u32s();
    const counts = r.u32s();
    const data = r.bytes();
    const lengths = r.u16s();
    index.blocks = [{ starts, counts, data }];
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
    let n = this.lengths.byteLength + this.live.byteLength + this.pendingSize * 16;
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
