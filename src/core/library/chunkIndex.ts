/**
 * What the library's indexer needs from the storage and search engine: per-file records, their passages and
 * vectors, search, save. The engine (persisted, BM25 + vectors) sits behind this; `MemoryChunkIndex` is a small
 * in-memory one for tests and hosts without storage.
 */
import { throwIfAborted } from '../errors';
import type { Chunk, Embedder, FileRecord, Passage, SearchOptions } from './types';

/** Vectors of a file's passages, in passage order, with the model that computed them. */
export interface ChunkVectors {
  readonly model: string;
  readonly vectors: readonly Float32Array[];
}

export interface ChunkIndex {
  /** Every file the index knows, whatever its state (loads the saved index on first use). */
  records(): Promise<readonly FileRecord[]>;
  /** Replaces a file's record and passages (none for a failed or skipped file), with their vectors when known. */
  putFile(record: FileRecord, chunks: readonly Chunk[], vectors?: ChunkVectors): Promise<void>;
  /** Replaces a file's record only, keeping its passages (an unchanged file seen with a new mtime). */
  putRecord(record: FileRecord): Promise<void>;
  /** A file's passages, in order (to embed them later). */
  chunksOf(uri: string): Promise<readonly Chunk[]>;
  removeFile(uri: string): Promise<void>;
  /** The model the stored vectors were computed with (undefined: lexical only). */
  vectorModel(): Promise<string | undefined>;
  /** Best passages first; hybrid when an embedder is given and vectors exist, else lexical. */
  search(query: string, options: SearchOptions, embedder?: Embedder): Promise<Passage[]>;
  /** Persists what changed since the last save (crash-safe in a persisted engine). */
  save(): Promise<void>;
  /** Forgets everything, saved index included. */
  clear(): Promise<void>;
}

const WORDS = /[\p{L}\p{N}]+/gu;
const HAN = /\p{Script=Han}/u;
const segmenter = typeof Intl !== 'undefined' && 'Segmenter' in Intl ? new Intl.Segmenter('zh', { granularity: 'word' }) : undefined;

/**
 * Terms of a text: lower-cased Latin words; Chinese cut into words by the runtime's segmenter, plus its single
 * characters so a query worded differently from the text still meets it.
 */
export function terms(text: string): string[] {
  const out: string[] = [];
  for (const match of text.toLowerCase().matchAll(WORDS)) {
    const word = match[0];
    if (!HAN.test(word)) {
      if (word.length > 1 || /\d/.test(word)) out.push(word);
      continue;
    }
    if (segmenter) for (const s of segmenter.segment(word)) if (s.isWordLike && s.segment.length > 1) out.push(s.segment);
    for (const ch of word) out.push(ch);
  }
  return out;
}

interface Entry {
  record: FileRecord;
  chunks: readonly Chunk[];
  vectors?: ChunkVectors;
  /** Per passage: term frequencies and length. */
  postings: Array<{ tf: Map<string, number>; length: number }>;
}

/** Everything in memory, searched by BM25; vectors ranked by cosine and fused by reciprocal rank. */
export class MemoryChunkIndex implements ChunkIndex {
  private readonly files = new Map<string, Entry>();
  saves = 0;

  records(): Promise<readonly FileRecord[]> {
    return Promise.resolve([...this.files.values()].map((e) => e.record));
  }

  putFile(record: FileRecord, chunks: readonly Chunk[], vectors?: ChunkVectors): Promise<void> {
    const postings = chunks.map((c) => {
      const tf = new Map<string, number>();
      const list = terms(c.text);
      for (const t of list) tf.set(t, (tf.get(t) ?? 0) + 1);
      return { tf, length: list.length };
    });
    this.files.set(record.uri, { record, chunks, postings, ...(vectors ? { vectors } : {}) });
    return Promise.resolve();
  }

  putRecord(record: FileRecord): Promise<void> {
    const entry = this.files.get(record.uri);
    if (entry) entry.record = record;
    else this.files.set(record.uri, { record, chunks: [], postings: [] });
    return Promise.resolve();
  }

  chunksOf(uri: string): Promise<readonly Chunk[]> {
    return Promise.resolve(this.files.get(uri)?.chunks ?? []);
  }

  removeFile(uri: string): Promise<void> {
    this.files.delete(uri);
    return Promise.resolve();
  }

  vectorModel(): Promise<string | undefined> {
    for (const e of this.files.values()) if (e.vectors) return Promise.resolve(e.vectors.model);
    return Promise.resolve(undefined);
  }

  async search(query: string, options: SearchOptions, embedder?: Embedder): Promise<Passage[]> {
    throwIfAborted(options.signal);
    const limit = options.limit ?? 8;
    const wanted = options.uris ? new Set(options.uris) : undefined;
    const entries = [...this.files.values()].filter((e) => !wanted || wanted.has(e.record.uri));
    const lexical = this.bm25(terms(query), entries);
    const model = embedder && options.mode !== 'lexical' ? await this.vectorModel() : undefined;
    if (!embedder || model !== embedder.model) return lexical.slice(0, limit);
    const [q] = await embedder.embed([query], options.signal);
    if (!q) return lexical.slice(0, limit);
    const dense: Passage[] = [];
    for (const e of entries)
      e.vectors?.vectors.forEach((v, i) => {
        const chunk = e.chunks[i];
        if (chunk) dense.push({ ...chunk, score: cosine(q, v) });
      });
    dense.sort((a, b) => b.score - a.score);
    return fuse([lexical, dense]).slice(0, limit);
  }

  save(): Promise<void> {
    this.saves++;
    return Promise.resolve();
  }

  clear(): Promise<void> {
    this.files.clear();
    return Promise.resolve();
  }

  private bm25(query: readonly string[], entries: readonly Entry[]): Passage[] {
    const k1 = 1.2;
    const b = 0.75;
    let count = 0;
    let total = 0;
    const df = new Map<string, number>();
    const unique = [...new Set(query)];
    for (const e of entries)
      for (const p of e.postings) {
        count++;
        total += p.length;
        for (const t of unique) if (p.tf.has(t)) df.set(t, (df.get(t) ?? 0) + 1);
      }
    const avg = total / Math.max(1, count);
    const hits: Passage[] = [];
    for (const e of entries)
      e.postings.forEach((p, i) => {
        let score = 0;
        for (const t of unique) {
          const f = p.tf.get(t);
          if (!f) continue;
          const n = df.get(t) ?? 0;
          const idf = Math.log(1 + (count - n + 0.5) / (n + 0.5));
          score += (idf * f * (k1 + 1)) / (f + k1 * (1 - b + (b * p.length) / avg));
        }
        const chunk = e.chunks[i];
        if (score > 0 && chunk) hits.push({ ...chunk, score });
      });
    return hits.sort((x, y) => y.score - x.score);
  }
}

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

/** Reciprocal rank fusion: a passage ranked well by either list ranks well. */
function fuse(lists: ReadonlyArray<readonly Passage[]>): Passage[] {
  const scores = new Map<string, { passage: Passage; score: number }>();
  for (const list of lists)
    list.forEach((p, rank) => {
      const known = scores.get(p.id);
      const add = 1 / (60 + rank + 1);
      if (known) known.score += add;
      else scores.set(p.id, { passage: p, score: add });
    });
  return [...scores.values()].sort((a, b) => b.score - a.score).map(({ passage, score }) => ({ ...passage, score }));
}
