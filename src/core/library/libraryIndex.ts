/**
 * The library's search engine: passages of every indexed file, a BM25 lexical index, optional vectors, and
 * their persistence in a LibraryStore. The indexer feeds it file by file; hosts search it.
 *
 *   const index = await LibraryIndex.open(store, logger);   then putFile / removeFile per file, save() after a batch
 *   ({ compact: true } at the end of a build), and search('attention heads', { limit: 8, signal }, embedder).
 *
 * Opening reads only the manifest (every file's record), so comparing records with the workspace is
 * immediate; the search structures load on the first search (one snapshot file plus the few files changed
 * since it was written). Each put writes that file's segment under a new name and each save writes the
 * manifest that names them, so a process killed at any moment leaves the last saved state; puts since the
 * last save are redone by the indexer (their records were not saved either). A stored file that is
 * truncated, corrupt or of another format version is never trusted: the manifest → an empty index (the
 * indexer rebuilds it); a file's segment or vectors → that file leaves the index (and is re-indexed); the
 * snapshot → rebuilt from the segments. Each with one log line.
 */
import type { Logger } from '../ports/logger';
import type { LibraryStore } from '../ports/libraryStore';
import { reciprocalRankFusion } from './hybrid';
import { LexicalIndex, type ScoredDoc } from './lexical';
import { tokenize } from './lexicalTokenize';
import { Lru, StoredFileError } from './persist';
import * as seg from './segment';
import type { Entry, FileVectors, Loaded, SaveOptions } from './indexEntry';
import type { Chunk, Embedder, FileRecord, Passage, SearchOptions } from './types';
import { cosine, normalize, quantize, VectorCodes, type QuantizedVector } from './vectors';

export type { FileVectors, SaveOptions } from './indexEntry';

/** Stale passages (not in the snapshot) above this share of the library rewrite the snapshot at a save. */
const STALE_SHARE = 0.25;
const STALE_MIN = 5_000;
const CACHED_FILES = 32;

export class LibraryIndex {
  private files = new Map<string, Entry>();
  private generation = 0;
  private embeddingModel?: string;
  private dimensions?: number;
  private snapshot?: string;
  private loaded?: Loaded;
  private staleDocs = 0;
  private dirty = false;
  /** Names the saved manifest still refers to, deleted once the next manifest no longer does. */
  private obsolete: string[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private readonly segments = new Lru<seg.StoredSegment>(CACHED_FILES);
  private readonly vectorRows = new Lru<seg.StoredVectors>(CACHED_FILES * 4);

  private constructor(
    private readonly store: LibraryStore,
    private readonly logger: Logger,
  ) {}

  /** Reads the manifest; never throws for what is stored (an unreadable index opens empty, with a log line). */
  static async open(store: LibraryStore, logger: Logger): Promise<LibraryIndex> {
    const index = new LibraryIndex(store, logger);
    await index.readManifest();
    return index;
  }

  private async readManifest(): Promise<void> {
    let manifest: seg.Manifest | undefined;
    const bytes = await this.store.read(seg.MANIFEST);
    if (bytes) {
      try {
        manifest = seg.decodeManifest(bytes);
      } catch (error) {
        if (!(error instanceof StoredFileError)) throw error;
        this.logger.warn(`Library index: the saved index is unreadable (${error.reason}); rebuilding it.`);
      }
    }
    const present = new Set(await this.store.list());
    this.generation = manifest?.generation ?? 0;
    this.embeddingModel = manifest?.embeddingModel;
    this.dimensions = manifest?.dimensions;
    this.snapshot = manifest?.snapshot !== undefined && present.has(manifest.snapshot) ? manifest.snapshot : undefined;
    for (const file of manifest?.files ?? []) {
      const missing = [file.segment, file.vectors].find((name) => name !== undefined && !present.has(name));
      if (missing) {
        this.logger.warn(`Library index: ${file.record.path} lost its stored ${missing}; it will be indexed again.`);
        this.dirty = true;
        continue;
      }
      this.files.set(file.record.uri, { ...file, docStart: -1 });
    }
    // Nothing stored to load: puts go straight into the search structures.
    if (this.files.size === 0 && !this.snapshot) this.loaded = { lexical: new LexicalIndex(), owners: [] };
    // Files no manifest names: written by a process killed before its save, or replaced since.
    const keep = new Set([seg.MANIFEST, this.snapshot, ...[...this.files.values()].flatMap((e) => [e.segment, e.vectors])]);
    for (const name of present) if (!keep.has(name)) await this.store.delete(name);
  }

  /** Runs one operation at a time, in call order (puts, saves and searches from several callers interleave). */
  private exclusive<T>(operation: () => Promise<T>): Promise<T> {
    const next = this.queue.then(operation, operation);
    this.queue = next.catch(() => undefined);
    return next;
  }

  records(): FileRecord[] {
    return [...this.files.values()].map((e) => e.record);
  }

  record(uri: string): FileRecord | undefined {
    return this.files.get(uri)?.record;
  }

  /** A file's stored passages, in order (the indexer embeds them after the lexical build); none when unknown. */
  chunksOfFile(uri: string): Promise<readonly Chunk[]> {
    return this.exclusive(async () => {
      const entry = this.files.get(uri);
      const stored = entry && entry.chunks > 0 ? await this.segmentOf(entry) : undefined;
      return (entry && stored && this.guarded(entry, 'passages', () => stored.all())) || [];
    });
  }

  /** The model the stored vectors come from (undefined: lexical only). */
  get model(): string | undefined {
    return this.embeddingModel;
  }

  get chunkCount(): number {
    let n = 0;
    for (const e of this.files.values()) n += e.chunks;
    return n;
  }

  /** Adds or replaces one file's passages (and their vectors). A record without chunks is kept as a record only. */
  putFile(record: FileRecord, chunks: readonly Chunk[], vectors?: FileVectors): Promise<void> {
    return this.exclusive(async () => {
      if (vectors && vectors.vectors.length !== chunks.length)
        throw new Error(`${vectors.vectors.length} vectors for ${chunks.length} passages of ${record.path}`);
      let rows: QuantizedVector[] | undefined;
      if (vectors && chunks.length > 0) {
        const dimensions = vectors.vectors[0]!.length;
        if (vectors.model !== this.embeddingModel || dimensions !== this.dimensions) this.dropAllVectors(vectors.model, dimensions);
        rows = vectors.vectors.map((v) => {
          if (v.length !== dimensions) throw new Error(`vectors of different lengths for ${record.path}`);
          return quantize(v);
        });
      }
      const old = this.files.get(record.uri);
      const entry: Entry = { record, chunks: chunks.length, docStart: -1 };
      if (chunks.length > 0) {
        const generation = ++this.generation;
        entry.segment = seg.segmentName(generation);
        await this.store.write(entry.segment, seg.encodeSegment(record.uri, chunks));
        if (rows) {
          entry.vectors = seg.vectorsName(generation);
          await this.store.write(entry.vectors, seg.encodeVectors(seg.packRows(rows, this.dimensions!)));
        }
      }
      if (old) this.retire(old);
      this.files.set(record.uri, entry);
      if (this.loaded) this.addDocs(entry, chunks, rows);
      this.staleDocs += chunks.length;
      this.dirty = true;
    });
  }

  removeFile(uri: string): Promise<void> {
    return this.exclusive(async () => {
      const entry = this.files.get(uri);
      if (!entry) return;
      this.retire(entry);
      this.files.delete(uri);
      this.dirty = true;
    });
  }

  /** Writes the manifest (and the snapshot when many passages are not in it), then drops replaced files. */
  save(options: SaveOptions = {}): Promise<void> {
    return this.exclusive(async () => {
      const wantSnapshot = options.compact ? this.staleDocs > 0 : this.staleDocs > Math.max(STALE_MIN, STALE_SHARE * this.chunkCount);
      if (!this.dirty && !wantSnapshot) return;
      if (wantSnapshot) {
        await this.load();
        const name = seg.snapshotName(++this.generation);
        await this.store.write(name, seg.snapshotOf(this.files.values(), this.loaded!.lexical, this.loaded!.codes));
        if (this.snapshot) this.obsolete.push(this.snapshot);
        this.snapshot = name;
        this.staleDocs = 0;
      }
      const manifest: seg.Manifest = {
        generation: this.generation,
        embeddingModel: this.embeddingModel,
        dimensions: this.dimensions,
        snapshot: this.snapshot,
        files: [...this.files.values()].map(({ record, segment, vectors, chunks }) => ({ record, segment, vectors, chunks })),
      };
      await this.store.write(seg.MANIFEST, seg.encodeManifest(manifest));
      this.dirty = false;
      const obsolete = this.obsolete;
      this.obsolete = [];
      for (const name of obsolete) await this.store.delete(name);
    });
  }

  /** Deletes everything stored; the index is empty afterwards. */
  clear(): Promise<void> {
    return this.exclusive(async () => {
      await this.store.clear();
      this.files = new Map();
      this.generation = 0;
      this.embeddingModel = this.dimensions = this.snapshot = undefined;
      this.loaded = { lexical: new LexicalIndex(), owners: [] };
      this.staleDocs = 0;
      this.dirty = false;
      this.obsolete = [];
      this.segments.clear();
      this.vectorRows.clear();
    });
  }

  /**
   * The best passages for a query, best first. Hybrid (lexical and vector rankings fused) when the embedder's
   * model is the one the vectors were computed with and `mode` is not `lexical`; lexical otherwise.
   */
  search(query: string, options: SearchOptions, embedder?: Embedder): Promise<Passage[]> {
    return this.exclusive(async () => {
      options.signal.throwIfAborted();
      const { lexical, codes, owners } = await this.load();
      const limit = options.limit ?? 8;
      const only = options.uris ? new Set(options.uris.map((u) => this.files.get(u))) : undefined;
      const allow = (doc: number): boolean => owners[doc] !== undefined && (!only || only.has(owners[doc]));
      const hybrid = options.mode !== 'lexical' && embedder !== undefined && codes !== undefined && embedder.model === this.embeddingModel;
      const pool = hybrid ? Math.max(limit * 4, 40) : limit;
      const lexicalHits = lexical.search(tokenize(query), pool, allow);
      let ranked: ScoredDoc[] = lexicalHits;
      if (hybrid) {
        const [vector] = await embedder.embed([query], options.signal);
        options.signal.throwIfAborted();
        if (vector && vector.length === codes.dimensions) {
          const q = normalize(vector);
          const candidates = codes.nearest(q, Math.max(limit * 8, 64), owners.length, allow);
          const vectorHits = (await this.rescore(q, candidates)).slice(0, pool);
          ranked = reciprocalRankFusion([lexicalHits.map((h) => h.doc), vectorHits.map((h) => h.doc)], limit);
        }
      }
      const passages: Passage[] = [];
      for (const { doc, score } of ranked.slice(0, limit)) {
        const entry = owners[doc];
        const stored = entry && (await this.segmentOf(entry));
        const chunk = stored && this.guarded(entry!, 'passages', () => stored.chunk(doc - entry!.docStart));
        if (chunk) passages.push({ ...chunk, score });
      }
      return passages;
    });
  }

  // ---- search structures -------------------------------------------------------------------------------

  private async load(): Promise<Loaded> {
    if (this.loaded) return this.loaded;
    let lexical = new LexicalIndex();
    let codes: VectorCodes | undefined;
    let covered: readonly seg.SnapshotFile[] = [];
    if (this.snapshot) {
      try {
        const bytes = await this.store.read(this.snapshot);
        if (!bytes) throw new StoredFileError('missing');
        const snapshot = seg.decodeSnapshot(bytes);
        lexical = LexicalIndex.deserialize(snapshot.lexical);
        if (lexical.size !== snapshot.docs) throw new StoredFileError('passage count mismatch');
        if (snapshot.codes && snapshot.codes.dimensions === this.dimensions)
          codes = VectorCodes.import(snapshot.codes.dimensions, snapshot.codes.present, snapshot.codes.bits);
        covered = snapshot.files;
      } catch (error) {
        if (!(error instanceof StoredFileError)) throw error;
        this.logger.warn(`Library index: the search snapshot is unreadable (${error.reason}); rebuilding it from the stored passages.`);
        lexical = new LexicalIndex();
        covered = [];
        // The next save names no snapshot (or a new one) and deletes this one: one log line, not one per open.
        this.obsolete.push(this.snapshot);
        this.snapshot = undefined;
        this.dirty = true;
      }
    }
    const loaded: Loaded = { lexical, codes, owners: new Array<Entry | undefined>(lexical.size) };
    const bySegment = new Map<string, Entry>();
    for (const entry of this.files.values()) if (entry.segment) bySegment.set(entry.segment, entry);
    const done = new Set<Entry>();
    let removed = 0;
    for (const file of covered) {
      const entry = bySegment.get(file.segment);
      if (entry && entry.chunks === file.count) {
        entry.docStart = file.docStart;
        loaded.owners.fill(entry, file.docStart, file.docStart + file.count);
        done.add(entry);
      } else {
        for (let doc = file.docStart; doc < file.docStart + file.count; doc++) lexical.remove(doc);
        removed += file.count;
      }
    }
    this.loaded = loaded;
    // Passages the snapshot holds needlessly or lacks: they decide when the next save rewrites it.
    this.staleDocs = removed;
    for (const entry of [...this.files.values()]) {
      if (!entry.segment) continue;
      if (done.has(entry)) {
        if (entry.vectors && !loaded.codes?.has(entry.docStart)) await this.loadVectors(entry);
        continue;
      }
      const stored = await this.segmentOf(entry);
      const chunks = stored && this.guarded(entry, 'passages', () => stored.all());
      if (chunks) this.addDocs(entry, chunks);
      if (chunks && entry.vectors) await this.loadVectors(entry);
      this.staleDocs += entry.chunks;
    }
    lexical.freeze();
    return loaded;
  }

  private addDocs(entry: Entry, chunks: readonly Chunk[], rows?: readonly QuantizedVector[]): void {
    const loaded = this.loaded!;
    entry.docStart = loaded.lexical.size;
    for (const chunk of chunks) {
      const doc = loaded.lexical.add(tokenize(`${chunk.section ?? ''} ${chunk.text}`));
      loaded.owners[doc] = entry;
    }
    if (rows) rows.forEach((r, i) => this.codes(r.row.length).set(entry.docStart + i, r.row));
  }

  private codes(dimensions: number): VectorCodes {
    const loaded = this.loaded!;
    if (loaded.codes?.dimensions !== dimensions) loaded.codes = new VectorCodes(dimensions);
    return loaded.codes;
  }

  private async loadVectors(entry: Entry): Promise<void> {
    const stored = await this.vectorsOf(entry);
    if (!stored) return;
    for (let i = 0; i < entry.chunks; i++)
      this.codes(stored.dimensions).set(entry.docStart + i, stored.rows.subarray(i * stored.dimensions, (i + 1) * stored.dimensions));
  }

  /** Takes a file's passages out of the search structures; its stored files go at the next save. */
  private retire(entry: Entry): void {
    if (this.loaded && entry.docStart >= 0) {
      for (let doc = entry.docStart; doc < entry.docStart + entry.chunks; doc++) {
        this.loaded.lexical.remove(doc);
        this.loaded.codes?.delete(doc);
        this.loaded.owners[doc] = undefined;
      }
      this.staleDocs += entry.chunks;
    }
    for (const name of [entry.segment, entry.vectors]) if (name) this.obsolete.push(name);
  }

  /** A file whose stored part cannot be read leaves the index (the indexer then reads it again). */
  private drop(entry: Entry, what: string, reason: string): void {
    this.logger.warn(`Library index: the stored ${what} of ${entry.record.path} is unreadable (${reason}); it will be indexed again.`);
    this.retire(entry);
    if (this.files.get(entry.record.uri) === entry) this.files.delete(entry.record.uri);
    this.dirty = true;
  }

  private dropAllVectors(model: string, dimensions: number): void {
    if (this.embeddingModel !== undefined)
      this.logger.info(`Library index: vectors now come from ${model}; the ${this.embeddingModel} vectors are dropped.`);
    for (const entry of this.files.values()) {
      if (entry.vectors) this.obsolete.push(entry.vectors);
      entry.vectors = undefined;
    }
    if (this.loaded) this.loaded.codes = undefined;
    this.embeddingModel = model;
    this.dimensions = dimensions;
    this.vectorRows.clear();
  }

  private async segmentOf(entry: Entry): Promise<seg.StoredSegment | undefined> {
    const cached = entry.segment && this.segments.get(entry.segment);
    if (cached) return cached;
    try {
      const bytes = entry.segment && (await this.store.read(entry.segment));
      if (!bytes) throw new StoredFileError('missing');
      const stored = seg.StoredSegment.decode(bytes, entry.record.uri);
      if (stored.count !== entry.chunks) throw new StoredFileError(`${stored.count} passages, expected ${entry.chunks}`);
      this.segments.set(entry.segment!, stored);
      return stored;
    } catch (error) {
      if (!(error instanceof StoredFileError)) throw error;
      this.drop(entry, 'passages', error.reason);
      return undefined;
    }
  }

  /** Runs `read`; a stored part found unreadable drops its file (one log line) and gives undefined. */
  private guarded<T>(entry: Entry, what: string, read: () => T): T | undefined {
    try {
      return read();
    } catch (error) {
      if (!(error instanceof StoredFileError)) throw error;
      this.drop(entry, what, error.reason);
      return undefined;
    }
  }

  private async vectorsOf(entry: Entry): Promise<seg.StoredVectors | undefined> {
    const cached = entry.vectors && this.vectorRows.get(entry.vectors);
    if (cached) return cached;
    try {
      const bytes = entry.vectors && (await this.store.read(entry.vectors));
      if (!bytes) throw new StoredFileError('missing');
      const stored = seg.decodeVectors(bytes);
      if (stored.scales.length !== entry.chunks || stored.dimensions !== this.dimensions)
        throw new StoredFileError('vectors do not match the passages');
      this.vectorRows.set(entry.vectors!, stored);
      return stored;
    } catch (error) {
      if (!(error instanceof StoredFileError)) throw error;
      this.drop(entry, 'vectors', error.reason);
      return undefined;
    }
  }

  /** Exact cosine of the candidates (from the binary pre-selection), best first. */
  private async rescore(query: Float32Array, candidates: readonly number[]): Promise<ScoredDoc[]> {
    const owners = this.loaded!.owners;
    // The candidates' files are read at once: one after another, their reads were most of a hybrid search.
    const files = [...new Set(candidates.map((doc) => owners[doc]).filter((e): e is Entry => e !== undefined))];
    const vectors = new Map(await Promise.all(files.map(async (entry) => [entry, await this.vectorsOf(entry)] as const)));
    const out: ScoredDoc[] = [];
    for (const doc of candidates) {
      const entry = owners[doc];
      const stored = entry && vectors.get(entry);
      if (!stored) continue;
      const [i, d] = [doc - entry!.docStart, stored.dimensions];
      out.push({ doc, score: cosine(query, stored.rows.subarray(i * d, (i + 1) * d), stored.scales[i]!) });
    }
    return out.sort((a, b) => b.score - a.score || a.doc - b.doc);
  }

  /** Memory held by the search structures, in bytes (for the bench and the status). */
  get searchBytes(): number {
    return (this.loaded?.lexical.bytes ?? 0) + (this.loaded?.codes?.bytes ?? 0) + (this.loaded?.owners.length ?? 0) * 8;
  }
}
