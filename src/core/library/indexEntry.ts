// The library index's per-file bookkeeping and the options of its writes (libraryIndex.ts holds the index itself).
import type { LexicalIndex } from './lexical';
import type { FileRecord } from './types';
import type { VectorCodes } from './vectors';

export interface FileVectors {
  /** The embedding model that computed them; a different model replaces every stored vector. */
  readonly model: string;
  /** One per chunk, in the chunks' order. */
  readonly vectors: readonly Float32Array[];
}

export interface SaveOptions {
  /** Also rewrite the snapshot so that the next open loads nothing else (end of a build). */
  readonly compact?: boolean;
}

export interface Entry {
  record: FileRecord;
  segment?: string;
  vectors?: string;
  chunks: number;
  /** First doc id in the loaded search structures (−1 while they are not loaded). */
  docStart: number;
}

export interface Loaded {
  readonly lexical: LexicalIndex;
  codes?: VectorCodes;
  /** doc id → its file (undefined once removed). */
  readonly owners: (Entry | undefined)[];
}
