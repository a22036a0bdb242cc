import type { Logger } from '../ports/logger';
import type { KeyValueStore } from '../ports/files';
import type { PdfExtraction } from '../pdf/types';

/**
 * Bump when the layout or normalisation changes, so stale extractions are not reused.
 * Part of every key: old entries are simply never read again (and age out of the bounded store).
 */
export const EXTRACTION_VERSION = 1;

/** SHA-256 of the bytes, hex (Web Crypto: available in the extension host, browsers and Node). */
export async function contentHash(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Extracted PDF text keyed by content hash (issue #4 §5; PRODUCT.md §9). */
export class ExtractionCache {
  constructor(
    private readonly store: KeyValueStore,
    private readonly logger?: Logger,
  ) {}

  private key(hash: string, variant: string): string {
    return `pdf-v${EXTRACTION_VERSION}-${hash}${variant === '' ? '' : `-${variant}`}`;
  }

  async get(hash: string, variant = ''): Promise<PdfExtraction | undefined> {
    try {
      const raw = await this.store.get(this.key(hash, variant));
      return raw === undefined ? undefined : (JSON.parse(raw) as PdfExtraction);
    } catch (error) {
      // A damaged entry is a cache miss, never a failure.
      this.logger?.warn(`extraction cache: unreadable entry ${hash.slice(0, 12)}: ${String(error)}`);
      return undefined;
    }
  }

  async set(hash: string, extraction: PdfExtraction, variant = ''): Promise<void> {
    try {
      await this.store.set(this.key(hash, variant), JSON.stringify(extraction));
    } catch (error) {
      this.logger?.warn(`extraction cache: could not store ${hash.slice(0, 12)}: ${String(error)}`);
    }
  }

  clear(): Promise<void> {
    return this.store.clear();
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
