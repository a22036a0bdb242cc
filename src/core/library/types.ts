/**
 * The library: every paper and note under the workspace folders, cut into passages and indexed so that a
 * question finds the pages that answer it. These types are shared by the index (lexical and vector), the
 * indexer that keeps it current, the embedder, and the hosts (commands, CLI, status bar).
 */

/** One indexed passage: a few hundred tokens of one file, within one page and one section. */
export interface Chunk {
  /** Stable within the library: `${fileKey}#${ordinal}`. */
  readonly id: string;
  /** The file's URI (`file:///…`). */
  readonly uri: string;
  /** Workspace-relative path, shown to the user and used in citations. */
  readonly path: string;
  /** 1-based page for PDFs. */
  readonly page?: number;
  /** The heading or detected section the passage sits in. */
  readonly section?: string;
  /** Offsets in the source's normalised text. */
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** A search hit: a passage and its score (higher is better; comparable only within one result list). */
export interface Passage extends Chunk {
  readonly score: number;
}

/** What became of one file. */
export type FileState =
  | { readonly state: 'indexed'; readonly chunks: number; readonly vectors: boolean }
  | { readonly state: 'failed'; readonly reason: string; readonly attempts: number }
  | { readonly state: 'skipped'; readonly reason: string };

export interface FileRecord {
  readonly uri: string;
  readonly path: string;
  /** Content hash of the bytes indexed (unchanged hash ⇒ not re-read). */
  readonly hash: string;
  readonly size: number;
  readonly mtime: number;
  readonly status: FileState;
}

export interface LibraryStatus {
  readonly files: readonly FileRecord[];
  readonly indexed: number;
  readonly failed: number;
  readonly skipped: number;
  /** Files found but not processed yet (a build in progress or cancelled). */
  readonly pending: number;
  readonly chunks: number;
  /** The embedding model the vectors were computed with; undefined when the index is lexical only. */
  readonly embeddingModel?: string;
  /** Vectors being computed in the background right now: with which model, passages done of those to do. */
  readonly embedding?: { readonly model: string; readonly embedded: number; readonly total: number };
}

export interface SearchOptions {
  /** Number of passages (default 8). */
  readonly limit?: number;
  /** Only these files (URIs). */
  readonly uris?: readonly string[];
  /** `lexical` never calls the embedder; `hybrid` (default when vectors exist) fuses both rankings. */
  readonly mode?: 'lexical' | 'hybrid';
  readonly signal: AbortSignal;
}

/** Computes embedding vectors with the server's embedding model (when it has one). */
export interface Embedder {
  readonly model: string;
  /** Vector length. */
  readonly dimensions: number;
  /** Largest input the model takes, in tokens (the real context of the embedder). */
  readonly maxInputTokens: number;
  embed(texts: readonly string[], signal: AbortSignal): Promise<Float32Array[]>;
}

export interface UpdateOptions {
  readonly signal: AbortSignal;
  /** "312/1,000 files", with the fraction done. */
  readonly progress?: { report(message: string, fraction?: number): void };
  /** Read the failed files again (Library Status → Retry failed). */
  readonly retryFailed?: boolean;
  /**
   * Resolve only once the passages' vectors are computed too, reporting "embedding passages" progress: a
   * command-line run has no background to leave them to (it would exit first, and the index would never get
   * vectors). Cancelling stops the embedding; what is embedded by then is kept.
   */
  readonly waitForVectors?: boolean;
}

/**
 * The library as hosts use it (`assistant.library`). Built on the first library command, then kept current:
 * the host's watcher calls `changed`; an unchanged file (same content hash) is never read again.
 */
export interface Library {
  /** Brings the index up to date with the workspace's files. Cancelling keeps what is done (and saved). */
  update(options: UpdateOptions): Promise<LibraryStatus>;
  /** Files created, changed or deleted since (from a watcher): re-read by content hash, or dropped. */
  changed(uris: readonly string[], signal: AbortSignal): Promise<void>;
  status(): Promise<LibraryStatus>;
  search(query: string, options: SearchOptions): Promise<Passage[]>;
  /** Deletes the saved index (Clear Cache); the next update rebuilds it. */
  clear(): Promise<void>;
  dispose(): void;
}
