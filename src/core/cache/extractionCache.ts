import type { Logger } from '../ports/logger';
import type { FileStamp, KeyValueStore } from '../ports/files';
import type { PdfDocumentMetadata, PdfExtraction } from '../pdf/types';
import type { SourceSection } from '../sources/types';

/**
 * Bump when the layout or normalisation changes, so stale extractions are not reused.
 * Part of every key: old entries are simply never read again (and age out of the bounded store).
 * 2: extractions carry the document's metadata (info dictionary, XMP, page 1's lines with font sizes).
 */
export const EXTRACTION_VERSION = 2;

/**
 * The first 256 bits of SHA-512 of the bytes, hex (Web Crypto: available in the extension host, browsers and
 * Node). SHA-512 rather than SHA-256 because it is a quarter faster on 64-bit CPUs without SHA instructions,
 * and hashing the linked PDFs is most of what the first action of a session pays before its request (bench).
 */
export async function contentHash(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-512', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest, 0, 32), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * A string of the stored form: a literal, a span `[start, end]` of the extraction's text, or a literal
 * prefix plus a span (a section starts with its page marker, which the whole text has only at page changes).
 */
type Piece = string | readonly [number, number] | readonly [string, number, number];

/** Page 1's lines as `[text, size, x, y]`, the text a span of the extraction's text where it is one. */
type StoredLine = readonly [Piece, number, number, number];

/**
 * The stored form: the text once, pages and section texts as spans of it (a third of the plain JSON); page 1's
 * lines in the metadata likewise.
 */
interface StoredExtraction extends Omit<PdfExtraction, 'pages' | 'sections' | 'metadata'> {
  readonly format: typeof STORED_FORMAT | 2;
  readonly pages: readonly Piece[];
  readonly sections: readonly (Omit<SourceSection, 'text'> & { readonly text: Piece })[];
  readonly metadata?: Omit<PdfDocumentMetadata, 'firstPage'> & {
    readonly firstPage?: { readonly width: number; readonly height: number; readonly lines: readonly StoredLine[] };
  };
}

const STORED_FORMAT = 3;
/** Shorter strings are stored as they are: a span would not be smaller. */
const MIN_SPAN = 24;
/** A literal prefix longer than this is not a page marker: the string is stored as it is. */
const MAX_PREFIX = 32;

/** Encodes `s` against `text`, searching from `from` first (pages and sections follow the text's order). */
function encodePiece(s: string, text: string, from: number): { piece: Piece; next: number } {
  if (s.length < MIN_SPAN) return { piece: s, next: from };
  const find = (part: string): number => {
    const at = text.indexOf(part, from);
    return at >= 0 || from === 0 ? at : text.indexOf(part);
  };
  const at = find(s);
  if (at >= 0) return { piece: [at, at + s.length], next: at + s.length };
  const cut = s.indexOf('\n\n');
  if (cut >= 0 && cut + 2 <= MAX_PREFIX && s.length - cut - 2 >= MIN_SPAN) {
    const rest = s.slice(cut + 2);
    const restAt = find(rest);
    if (restAt >= 0) return { piece: [s.slice(0, cut + 2), restAt, restAt + rest.length], next: restAt + rest.length };
  }
  return { piece: s, next: from };
}

function decodePiece(piece: Piece, text: string): string {
  if (typeof piece === 'string') return piece;
  const [prefix, start, end] = piece.length === 2 ? ['', piece[0], piece[1]] : piece;
  if (typeof prefix !== 'string' || !Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start || end > text.length) {
    throw new Error('bad span in stored extraction');
  }
  // A slice shares the text's memory (V8 sliced strings): the decoded extraction holds the text once.
  return prefix + text.slice(start, end);
}

/** The stored form of an extraction (exported for tests: decode(encode(x)) is x). */
export function encodeExtraction(extraction: PdfExtraction): string {
  const { text } = extraction;
  let cursor = 0;
  const pages = extraction.pages.map((p) => {
    const { piece, next } = encodePiece(p, text, cursor);
    cursor = next;
    return piece;
  });
  cursor = 0;
  const sections = extraction.sections.map((s) => {
    const { piece, next } = encodePiece(s.text, text, cursor);
    cursor = next;
    return { ...s, text: piece };
  });
  let metadata: StoredExtraction['metadata'];
  if (extraction.metadata) {
    const { firstPage, ...rest } = extraction.metadata;
    cursor = 0;
    const lines = firstPage?.lines.map((l): StoredLine => {
      const { piece, next } = encodePiece(l.text, text, cursor);
      cursor = next;
      return [piece, l.size, l.x, l.y];
    });
    metadata = { ...rest, ...(firstPage && lines ? { firstPage: { width: firstPage.width, height: firstPage.height, lines } } : {}) };
  }
  const { metadata: _plain, ...plain } = extraction;
  const stored: StoredExtraction = { ...plain, format: STORED_FORMAT, pages, sections, ...(metadata ? { metadata } : {}) };
  return JSON.stringify(stored);
}

export function decodeExtraction(raw: string): PdfExtraction {
  const value = JSON.parse(raw) as StoredExtraction | PdfExtraction;
  // Entries written before the compact form hold the plain extraction.
  if (!('format' in value)) return value;
  // Format 2 is format 3 without metadata.
  if ((value.format !== STORED_FORMAT && value.format !== 2) || typeof value.text !== 'string')
    throw new Error(`unknown stored format ${String(value.format)}`);
  const { format: _format, metadata: storedMetadata, ...rest } = value;
  let metadata: PdfDocumentMetadata | undefined;
  if (storedMetadata) {
    const { firstPage, ...fields } = storedMetadata;
    metadata = {
      ...fields,
      ...(firstPage
        ? {
            firstPage: {
              width: firstPage.width,
              height: firstPage.height,
              lines: firstPage.lines.map(([piece, size, x, y]) => ({ text: decodePiece(piece, value.text), size, x, y })),
            },
          }
        : {}),
    };
  }
  return {
    ...rest,
    pages: value.pages.map((p) => decodePiece(p, value.text)),
    sections: value.sections.map((s) => ({ ...s, text: decodePiece(s.text, value.text) })),
    ...(metadata ? { metadata } : {}),
  };
}

/** Computes {@link contentHash}: the same 64 hex digits, by whatever means the host has. */
export type ContentHasher = (bytes: Uint8Array) => Promise<string>;

export interface ExtractionCacheOptions {
  /** Characters of extracted text kept in memory (least recently used go first); default 16 M (≈ 100 papers). */
  readonly memoryChars?: number;
  /** The host's hasher (see AssistantPorts.hash); default Web Crypto. */
  readonly hash?: ContentHasher;
}

const DEFAULT_MEMORY_CHARS = 16_000_000;
const MAX_STAMPS = 4096;

/** A file's hash as stored for later sessions, with the stamp it was read under (the URI guards against collisions). */
interface StoredStamp {
  readonly uri: string;
  readonly size: number;
  readonly mtime: number;
  readonly ctime: number;
  readonly hash: string;
}

/** A stamp a later session may trust: known mtime and change time. */
function trustedAcrossSessions(stamp: FileStamp): boolean {
  return stamp.mtime > 0 && stamp.ctime !== undefined && stamp.ctime > 0;
}

/**
 * Extracted PDF text keyed by content hash, persisted in a KeyValueStore,
 * with two in-memory layers for the session:
 *  - the extractions used lately, by hash, so a paper is not read back and parsed from the store again;
 *  - each file's hash by (uri, size, mtime), so an unchanged file is neither read nor hashed again. Size and
 *    mtime are what VS Code, git and make trust within a session. A stamp with mtime 0 (hosts that do not
 *    report it) is never trusted.
 * Across sessions (a new cache object) a file's hash is also kept in the store, under its URI, but trusted only
 * when size, mtime AND the status change time (ctime) are unchanged, as git's index does: an edit that kept size
 * and mtime (a restored backup, `cp -p`, `touch -d`) still moved ctime, so it is never served stale after a
 * restart. A host without a change time (FileStamp.ctime absent) gets no such trust: the bytes are read and hashed
 * (a new session's first action otherwise reads and hashes every linked paper: 7 MB, ~25 ms here).
 */
export class ExtractionCache {
  private readonly memory = new Map<string, PdfExtraction>();
  private memoryChars = 0;
  private readonly maxMemoryChars: number;
  private readonly hasher: ContentHasher;
  private readonly stamps = new Map<string, { readonly size: number; readonly mtime: number; readonly hash: string }>();
  /** Counts clear() calls: a store read that began before a clear does not refill the memory after it. */
  private generation = 0;

  constructor(
    private readonly store: KeyValueStore,
    private readonly logger?: Logger,
    options: ExtractionCacheOptions = {},
  ) {
    this.maxMemoryChars = options.memoryChars ?? DEFAULT_MEMORY_CHARS;
    this.hasher = options.hash ?? contentHash;
  }

  /** The content hash of a file's bytes, the key its extraction is stored under. */
  hashBytes(bytes: Uint8Array): Promise<string> {
    return this.hasher(bytes);
  }

  private key(hash: string, variant: string): string {
    return `pdf-v${EXTRACTION_VERSION}-${hash}${variant === '' ? '' : `-${variant}`}`;
  }

  /** The content hash recorded for this file in this session, when its size and mtime are unchanged. */
  hashFor(uri: string, stamp: FileStamp): string | undefined {
    const known = this.stamps.get(uri);
    return known && stamp.mtime > 0 && known.size === stamp.size && known.mtime === stamp.mtime ? known.hash : undefined;
  }

  /**
   * The content hash stored for this file by an earlier session, when its size, mtime and change time are all
   * unchanged (see the class comment); undefined without a change time, or when any differs.
   */
  async storedHashFor(uri: string, stamp: FileStamp): Promise<string | undefined> {
    if (!trustedAcrossSessions(stamp)) return undefined;
    try {
      const raw = await this.store.get(await this.stampKey(uri));
      if (raw === undefined) return undefined;
      const stored = JSON.parse(raw) as Partial<StoredStamp>;
      const same = stored.uri === uri && stored.size === stamp.size && stored.mtime === stamp.mtime && stored.ctime === stamp.ctime;
      if (!same || typeof stored.hash !== 'string' || !/^[0-9a-f]{64}$/.test(stored.hash)) return undefined;
      this.rememberInSession(uri, stamp, stored.hash);
      return stored.hash;
    } catch {
      // A damaged entry is a miss: the bytes are read and hashed.
      return undefined;
    }
  }

  /**
   * Records the hash of a file's bytes with the stamp taken before reading them (a later change gets a new stamp):
   * for this session, and in the store for later ones when the stamp has a change time.
   */
  async rememberHash(uri: string, stamp: FileStamp, hash: string): Promise<void> {
    if (!this.rememberInSession(uri, stamp, hash) || !trustedAcrossSessions(stamp)) return;
    const stored: StoredStamp = { uri, size: stamp.size, mtime: stamp.mtime, ctime: stamp.ctime ?? 0, hash };
    try {
      await this.store.set(await this.stampKey(uri), JSON.stringify(stored));
    } catch (error) {
      this.logger?.warn(`extraction cache: could not store the stamp of ${uri}: ${String(error)}`);
    }
  }

  private rememberInSession(uri: string, stamp: FileStamp, hash: string): boolean {
    if (stamp.mtime <= 0) return false;
    this.stamps.delete(uri);
    if (this.stamps.size >= MAX_STAMPS) this.stamps.delete(this.stamps.keys().next().value ?? '');
    this.stamps.set(uri, { size: stamp.size, mtime: stamp.mtime, hash });
    return true;
  }

  /** The store key of a file's stamp: a hash of its URI (keys become file names; a URI can be long). */
  private async stampKey(uri: string): Promise<string> {
    return `stamp-v1-${await this.hasher(new TextEncoder().encode(uri))}`;
  }

  async get(hash: string, variant = ''): Promise<PdfExtraction | undefined> {
    const key = this.key(hash, variant);
    const held = this.memory.get(key);
    if (held) {
      // Most recently used last.
      this.memory.delete(key);
      this.memory.set(key, held);
      return held;
    }
    const generation = this.generation;
    try {
      const raw = await this.store.get(key);
      if (raw === undefined) return undefined;
      const extraction = decodeExtraction(raw);
      if (generation === this.generation) this.hold(key, extraction);
      return extraction;
    } catch (error) {
      // A damaged entry is a cache miss, never a failure.
      this.logger?.warn(`extraction cache: unreadable entry ${hash.slice(0, 12)}: ${String(error)}`);
      return undefined;
    }
  }

  async set(hash: string, extraction: PdfExtraction, variant = ''): Promise<void> {
    const key = this.key(hash, variant);
    const stored = encodeExtraction(extraction);
    // Held as read back from the stored form: pages and sections share the text's memory (a third of the original).
    this.hold(key, decodeExtraction(stored));
    try {
      await this.store.set(key, stored);
    } catch (error) {
      this.logger?.warn(`extraction cache: could not store ${hash.slice(0, 12)}: ${String(error)}`);
    }
  }

  /** Empties the store and the session's memory (Clear Cache). */
  clear(): Promise<void> {
    this.generation++;
    this.memory.clear();
    this.memoryChars = 0;
    this.stamps.clear();
    return this.store.clear();
  }

  private hold(key: string, extraction: PdfExtraction): void {
    const old = this.memory.get(key);
    if (old) {
      this.memory.delete(key);
      this.memoryChars -= old.text.length;
    }
    if (extraction.text.length > this.maxMemoryChars) return;
    this.memory.set(key, extraction);
    this.memoryChars += extraction.text.length;
    for (const [k, e] of this.memory) {
      if (this.memoryChars <= this.maxMemoryChars) break;
      this.memory.delete(k);
      this.memoryChars -= e.text.length;
    }
  }
}

/** A KeyValueStore in memory, for tests and hosts without storage. */
export class InMemoryKeyValueStore implements KeyValueStore {
  readonly map = new Map<string, string>();
  get(key: string): Promise<string | undefined> {
    return Promise.resolve(this.map.get(key));
  }
  set(key: string, value: string): Promise<void> {
    this.map.set(key, value);
    return Promise.resolve();
  }
  delete(key: string): Promise<void> {
    this.map.delete(key);
    return Promise.resolve();
  }
  clear(): Promise<void> {
    this.map.clear();
    return Promise.resolve();
  }
}
