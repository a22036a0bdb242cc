/**
 * The binary envelope of every file the library index writes, and the byte helpers its formats share.
 *
 * Envelope: 8-byte magic, format version (u32), kind (u32), payload length (u32), checksum of the payload
 * (u32), then the payload. A truncated, corrupted, foreign or other-version file fails `openEnvelope` with a
 * reason instead of being half-read: the caller rebuilds that part and logs the reason once.
 */

const MAGIC = [0x4c, 0x52, 0x41, 0x2d, 0x4c, 0x49, 0x42, 0x31]; // "LRA-LIB1"
const HEADER = 24;

/** Bumped whenever any stored layout changes: older files are then rebuilt rather than misread. */
export const FORMAT_VERSION = 1;

export const KIND = { manifest: 1, segment: 2, vectors: 3, snapshot: 4 } as const;
export type Kind = (typeof KIND)[keyof typeof KIND];

/** Thrown for a stored file that cannot be trusted; `reason` is what the log line says. */
export class StoredFileError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'StoredFileError';
  }
}

/**
 * A 32-bit FNV-1a variant over 4-byte words (bytes for the tail): detects truncation and flipped bytes at a
 * few hundred MB/s, which a byte-wise CRC in JavaScript does not reach.
 */
export function checksum(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  const words = bytes.length >>> 2;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < words; i++) h = Math.imul(h ^ view.getUint32(i * 4, true), 0x01000193);
  for (let i = words * 4; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return (h ^ bytes.length) >>> 0;
}

export function sealEnvelope(kind: Kind, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEADER + payload.length);
  out.set(MAGIC, 0);
  const view = new DataView(out.buffer);
  view.setUint32(8, FORMAT_VERSION, true);
  view.setUint32(12, kind, true);
  view.setUint32(16, payload.length, true);
  view.setUint32(20, checksum(payload), true);
  out.set(payload, HEADER);
  return out;
}

export function openEnvelope(kind: Kind, bytes: Uint8Array): Uint8Array {
  if (bytes.length < HEADER) throw new StoredFileError(`truncated (${bytes.length} bytes)`);
  for (let i = 0; i < MAGIC.length; i++) if (bytes[i] !== MAGIC[i]) throw new StoredFileError('not a library index file');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== FORMAT_VERSION) throw new StoredFileError(`format version ${version}, expected ${FORMAT_VERSION}`);
  if (view.getUint32(12, true) !== kind) throw new StoredFileError('a different kind of index file');
  const length = view.getUint32(16, true);
  if (bytes.length !== HEADER + length) throw new StoredFileError(`truncated (${bytes.length - HEADER} of ${length} payload bytes)`);
  const payload = bytes.subarray(HEADER);
  if (checksum(payload) !== view.getUint32(20, true)) throw new StoredFileError('checksum mismatch');
  return payload;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Appends numbers, strings and typed arrays to a growing buffer (little-endian, typed arrays 4-byte aligned). */
export class ByteWriter {
  private buf = new Uint8Array(1024);
  private view = new DataView(this.buf.buffer);
  private pos = 0;

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u32(n: number): this {
    this.room(4);
    this.view.setUint32(this.pos, n, true);
    this.pos += 4;
    return this;
  }

  f32(n: number): this {
    this.room(4);
    this.view.setFloat32(this.pos, n, true);
    this.pos += 4;
    return this;
  }

  bytes(data: Uint8Array): this {
    this.u32(data.length);
    this.room(data.length + 3);
    this.buf.set(data, this.pos);
    this.pos += data.length;
    this.pos = (this.pos + 3) & ~3;
    return this;
  }

  string(s: string): this {
    return this.bytes(encoder.encode(s));
  }

  json(value: unknown): this {
    return this.string(JSON.stringify(value));
  }

  typed(array: Uint32Array | Int32Array | Float32Array | Uint16Array | Int8Array): this {
    return this.bytes(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

/** Reads what ByteWriter wrote; any read past the end throws StoredFileError. */
export class ByteReader {
  private readonly view: DataView;
  private pos = 0;

  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new StoredFileError('ends early');
  }

  u32(): number {
    this.need(4);
    const n = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return n;
  }

  f32(): number {
    this.need(4);
    const n = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return n;
  }

  /** The next `bytes` field as a view of the file's buffer, not a copy (see {@link aligned}). */
  bytesView(): Uint8Array {
    const { buffer, offset, length } = this.aligned(1);
    return new Uint8Array(buffer, offset, length);
  }

  string(): string {
    return decoder.decode(this.bytesView());
  }

  json<T>(): T {
    try {
      return JSON.parse(this.string()) as T;
    } catch {
      throw new StoredFileError('unreadable JSON');
    }
  }

  /**
   * The next `bytes` field as a typed array over `n`-byte elements: a view of the file's buffer where it is
   * aligned for them (the writer pads every field to 4 bytes), else a copy. Views keep no more alive than the
   * stored file itself, whose every part is in use (the snapshot: postings and codes), and cost no copy: copying
   * the 150 MB snapshot of 300,000 passages was a fifth of the first search.
   */
  private aligned(size: 1 | 2 | 4): { buffer: ArrayBufferLike; offset: number; length: number } {
    const n = this.u32();
    this.need(n);
    const at = this.pos;
    this.pos = (this.pos + n + 3) & ~3;
    const offset = this.buf.byteOffset + at;
    if (offset % size === 0) return { buffer: this.buf.buffer, offset, length: Math.floor(n / size) };
    return { buffer: this.buf.slice(at, at + n).buffer, offset: 0, length: Math.floor(n / size) };
  }

  u32s(): Uint32Array {
    const { buffer, offset, length } = this.aligned(4);
    return new Uint32Array(buffer, offset, length);
  }

  i32s(): Int32Array {
    const { buffer, offset, length } = this.aligned(4);
    return new Int32Array(buffer, offset, length);
  }

  f32s(): Float32Array {
    const { buffer, offset, length } = this.aligned(4);
    return new Float32Array(buffer, offset, length);
  }

  u16s(): Uint16Array {
    const { buffer, offset, length } = this.aligned(2);
    return new Uint16Array(buffer, offset, length);
  }

  i8s(): Int8Array {
    const { buffer, offset, length } = this.aligned(1);
    return new Int8Array(buffer, offset, length);
  }
}

/** A small least-recently-used map (stored files decoded for searches). */
export class Lru<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly max: number) {}
  get(key: string): V | undefined {
    const value = this.map.get(key);
    if (value !== undefined) {
      this.map.delete(key);
      this.map.set(key, value);
    }
    return value;
  }
  set(key: string, value: V): void {
    this.map.set(key, value);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value!);
  }
  clear(): void {
    this.map.clear();
  }
}
