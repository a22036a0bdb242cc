/**
 * What the library's indexer needs from the search engine: per-file records, their passages and vectors,
 * search, save. `engineChunkIndex` puts the library's own engine (LibraryIndex over a LibraryStore) behind it;
 * another engine (a search server) would implement the same few calls.
 */
import type { Logger } from '../ports/logger';
import type { LibraryStore } from '../ports/libraryStore';
import { LibraryIndex, type FileVectors } from './libraryIndex';
import type { Chunk, Embedder, FileRecord, Passage, SearchOptions } from './types';

export interface ChunkIndex {
  /** Every file the index knows, whatever its state (opens the saved index on first use). */
  records(): Promise<readonly FileRecord[]>;
  /** Replaces a file's record and passages (none for a failed or skipped file), with their vectors when known. */
  putFile(record: FileRecord, chunks: readonly Chunk[], vectors?: FileVectors): Promise<void>;
  /** Replaces a file's record only, keeping its passages (an unchanged file seen with a new mtime). */
  putRecord(record: FileRecord): Promise<void>;
  /** A file's passages, in order (to embed them after the lexical build). */
  chunksOf(uri: string): Promise<readonly Chunk[]>;
  removeFile(uri: string): Promise<void>;
  /** The model the stored vectors were computed with (undefined: lexical only). */
  vectorModel(): Promise<string | undefined>;
  /** Best passages first; hybrid when an embedder is given and vectors from its model exist, else lexical. */
  search(query: string, options: SearchOptions, embedder?: Embedder): Promise<Passage[]>;
  /** Persists what changed since the last save; `final` at the end of a build (the engine compacts then). */
  save(final?: boolean): Promise<void>;
  /** Forgets everything, saved index included. */
  clear(): Promise<void>;
}

/** The library's engine behind the indexer's calls, opened from the store on first use. */
export function engineChunkIndex(store: LibraryStore, logger: Logger): ChunkIndex {
  let opened: Promise<LibraryIndex> | undefined;
  const open = (): Promise<LibraryIndex> => {
    const index = (opened ??= LibraryIndex.open(store, logger));
    // A store that could not be read is tried again on the next call rather than kept failing.
    index.catch(() => {
      if (opened === index) opened = undefined;
    });
    return index;
  };
  return {
    records: async () => (await open()).records(),
    putFile: async (record, chunks, vectors) => (await open()).putFile(record, chunks, vectors),
    async putRecord(record) {
      const index = await open();
      const chunks = await index.passages(record.uri);
      // The engine stores a record with its passages: they are written again, their vectors computed again.
      const status = record.status.state === 'indexed' ? { ...record.status, vectors: false } : record.status;
      await index.putFile({ ...record, status }, chunks);
    },
    chunksOf: async (uri) => (await open()).passages(uri),
    removeFile: async (uri) => (await open()).removeFile(uri),
    vectorModel: async () => (await open()).model,
    search: async (query, options, embedder) => (await open()).search(query, options, embedder),
    save: async (final) => (await open()).save({ compact: final === true }),
    clear: async () => (await open()).clear(),
  };
}
