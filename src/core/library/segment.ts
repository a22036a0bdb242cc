/**
 * The stored forms of the library index, each in a checked envelope (persist.ts):
 * - the manifest: every file's record and the names of its segment and vector files, the embedding model,
 *   and the snapshot that covers most passages;
 * - a segment per file: its passages with their text (read back for search results and for rebuilding);
 * - a vector file per file: its passages' int8 rows and scales;
 * - the snapshot: the lexical index and the vectors' sign bits for a set of segments, so that opening a large
 *   library reads one file instead of re-reading and re-tokenizing every passage.
 * Names carry a generation number: a changed file gets new names, and the manifest switches to them in one
 * atomic write, so a process killed at any moment leaves the previous manifest and the files it names.
 */
import type { Chunk, FileRecord } from './types';
import type { LexicalIndex } from './lexical';
import type { QuantizedVector, VectorCodes } from './vectors';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
import { ByteReader, ByteWriter, KIND, openEnvelope, sealEnvelope, StoredFileError } from './persist';

export interface ManifestFile {
  readonly record: FileRecord;
  /** Undefined for a file without passages (failed, skipped, empty). */
  readonly segment?: string;
  readonly vectors?: string;
  readonly chunks: number;
}

export interface Manifest {
  /** Last generation number handed out: new names are always above it. */
  readonly generation: number;
  readonly embeddingModel?: string;
  readonly dimensions?: number;
  readonly snapshot?: string;
  readonly files: readonly ManifestFile[];
}

export const MANIFEST = 'manifest';
export const segmentName = (generation: number): string => `${generation.toString(36)}.seg`;
export const vectorsName = (generation: number): string => `${generation.toString(36)}.vec`;
export const snapshotName = (generation: number): string => `${generation.toString(36)}.idx`;

export function encodeManifest(manifest: Manifest): Uint8Array {
  return sealEnvelope(KIND.manifest, new ByteWriter().json(manifest).finish());
}

export function decodeManifest(bytes: Uint8Array): Manifest {
  const manifest = new ByteReader(openEnvelope(KIND.manifest, bytes)).json<Manifest>();
  if (typeof manifest?.generation !== 'number' || !Array.isArray(manifest.files)) throw new StoredFileError('manifest without files');
  return manifest;
}

/**
 * A segment holds each passage as its own JSON text behind a table of offsets: a search result decodes only
 * its passage, not the file's hundred others.
 */
export function encodeSegment(uri: string, chunks: readonly Chunk[]): Uint8Array {
  const parts = chunks.map((c) => encoder.encode(JSON.stringify(c)));
  const offsets = new Uint32Array(parts.length + 1);
  parts.forEach((part, i) => (offsets[i + 1] = offsets[i]! + part.length));
  const blob = new Uint8Array(offsets[parts.length]!);
  parts.forEach((part, i) => blob.set(part, offsets[i]!));
  return sealEnvelope(KIND.segment, new ByteWriter().string(uri).typed(offsets).bytes(blob).finish());
}

export class StoredSegment {
  private constructor(
    private readonly offsets: Uint32Array,
    private readonly blob: Uint8Array,
  ) {}

  static decode(bytes: Uint8Array, uri: string): StoredSegment {
    const r = new ByteReader(openEnvelope(KIND.segment, bytes));
    if (r.string() !== uri) throw new StoredFileError('segment of another file');
    const offsets = r.u32s();
    const blob = r.bytesView();
    if (offsets.length === 0 || offsets[offsets.length - 1] !== blob.length) throw new StoredFileError('segment offsets do not match');
    return new StoredSegment(offsets, blob);
  }

  get count(): number {
    return this.offsets.length - 1;
  }

  chunk(i: number): Chunk | undefined {
    if (i < 0 || i >= this.count) return undefined;
    try {
      return JSON.parse(decoder.decode(this.blob.subarray(this.offsets[i], this.offsets[i + 1]))) as Chunk;
    } catch {
      throw new StoredFileError('unreadable passage');
    }
  }

  all(): Chunk[] {
    return Array.from({ length: this.count }, (_, i) => this.chunk(i)!);
  }
}

export interface StoredVectors {
  readonly dimensions: number;
  readonly scales: Float32Array;
  /** count × dimensions, row by row. */
  readonly rows: Int8Array;
}

export function packRows(rows: readonly QuantizedVector[], dimensions: number): StoredVectors {
  const packed = new Int8Array(rows.length * dimensions);
  const scales = new Float32Array(rows.length);
  rows.forEach((r, i) => {
    packed.set(r.row, i * dimensions);
    scales[i] = r.scale;
  });
  return { dimensions, scales, rows: packed };
}

export function encodeVectors(vectors: StoredVectors): Uint8Array {
  const w = new ByteWriter().u32(vectors.dimensions).typed(vectors.scales).typed(vectors.rows);
  return sealEnvelope(KIND.vectors, w.finish());
}

export function decodeVectors(bytes: Uint8Array): StoredVectors {
  const r = new ByteReader(openEnvelope(KIND.vectors, bytes));
  const dimensions = r.u32();
  const scales = r.f32s();
  const rows = r.i8s();
  if (rows.length !== scales.length * dimensions) throw new StoredFileError('vector rows do not match their count');
  return { dimensions, scales, rows };
}

export interface SnapshotFile {
  readonly segment: string;
  readonly docStart: number;
  readonly count: number;
}

export interface Snapshot {
  readonly files: readonly SnapshotFile[];
  readonly docs: number;
  readonly lexical: Uint8Array;
  /** Sign bits of the passages' vectors (by snapshot doc id), when the library has vectors. */
  readonly codes?: { readonly dimensions: number; readonly present: Uint8Array; readonly bits: Uint32Array };
}

/** The search structures as a snapshot: the passages of the files with a segment, renumbered without gaps in file order. */
export function snapshotOf(
  entries: Iterable<{ readonly segment?: string; readonly docStart: number; readonly chunks: number }>,
  lexical: LexicalIndex,
  codes: VectorCodes | undefined,
): Uint8Array {
  const remap = new Int32Array(lexical.size).fill(-1);
  const files: SnapshotFile[] = [];
  let next = 0;
  for (const entry of entries) {
    if (!entry.segment || entry.docStart < 0) continue;
    files.push({ segment: entry.segment, docStart: next, count: entry.chunks });
    for (let i = 0; i < entry.chunks; i++) remap[entry.docStart + i] = next++;
  }
  return encodeSnapshot({ files, docs: next, lexical: lexical.serialize(remap, next), codes: codes?.export(remap, next) });
}

export function encodeSnapshot(snapshot: Snapshot): Uint8Array {
  const w = new ByteWriter().json({ files: snapshot.files, docs: snapshot.docs }).bytes(snapshot.lexical);
  if (snapshot.codes) w.u32(snapshot.codes.dimensions).bytes(snapshot.codes.present).typed(snapshot.codes.bits);
  else w.u32(0);
  return sealEnvelope(KIND.snapshot, w.finish());
}

export function decodeSnapshot(bytes: Uint8Array): Snapshot {
  const r = new ByteReader(openEnvelope(KIND.snapshot, bytes));
  const head = r.json<{ files: SnapshotFile[]; docs: number }>();
  const lexical = r.bytesView();
  const dimensions = r.u32();
  const codes = dimensions > 0 ? { dimensions, present: r.bytesView(), bits: r.u32s() } : undefined;
  return { files: head.files, docs: head.docs, lexical, codes };
}
