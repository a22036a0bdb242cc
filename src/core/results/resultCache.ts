/**
 * Result cache: results keyed by a hash of (template id + version, model,
 * parameters, input). A repeated action on unchanged input returns without a request; map-reduce
 * parts are cached one by one, so a cancelled run resumes where it stopped.
 */
import type { KeyValueStore } from '../ports/files';

/** SHA-256 hex of a string's UTF-8 bytes: the keys of cached results and remembered groundings. */
export type TextHasher = (text: string) => Promise<string>;

/** SHA-256 hex of a string with Web Crypto (available in Node 20, browsers and Obsidian): the default TextHasher. */
export const sha256Hex: TextHasher = async (text) => {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
};

export interface CacheKeyParts {
  readonly templateId: string;
  readonly templateVersion: number;
  readonly model: string;
  /** Temperature, max tokens, language, columns… anything that changes the answer. */
  readonly params: Readonly<Record<string, unknown>>;
  /** The exact input text (or messages) sent. */
  readonly input: string;
}

export async function cacheKey(parts: CacheKeyParts, hash: TextHasher = sha256Hex): Promise<string> {
  // The input (often hundreds of kB) is hashed as is, after a NUL-separated header: no JSON escaping of it.
  const header = JSON.stringify([parts.templateId, parts.templateVersion, parts.model, parts.params]);
  return `result:${await hash(`${header}\u0000${parts.input}`)}`;
}

/** The messages of a request as cache input (role and content, unambiguous separators). */
export function messagesInput(messages: readonly { readonly role: string; readonly content: string }[]): string {
  return messages.map((m) => `${m.role}\u0001${m.content}`).join('\u0002');
}

export interface CachedResult {
  readonly text: string;
  readonly model: string;
  readonly createdAt: number;
}

/**
 * A cache over the host's key-value store; `bypass` (regenerate) skips reads but still writes. `hash` makes the
 * keys: the first action of a session hashes its whole prompt (~280 kB for a note and five papers), which
 * node:crypto does in under a millisecond where Web Crypto takes ~3 ms (it encodes and copies the text first).
 */
export class ResultCache {
  constructor(
    private readonly store: KeyValueStore,
    private readonly bypass = false,
    readonly hash: TextHasher = sha256Hex,
  ) {}

  /** A view of the same store that ignores cached entries (the user asked to regenerate). */
  regenerating(): ResultCache {
    return new ResultCache(this.store, true, this.hash);
  }

  /** The key of a result: see cacheKey. */
  key(parts: CacheKeyParts): Promise<string> {
    return cacheKey(parts, this.hash);
  }

  async get(key: string): Promise<CachedResult | undefined> {
    if (this.bypass) return undefined;
    const raw = await this.store.get(key);
    if (raw === undefined) return undefined;
    try {
      const value = JSON.parse(raw) as CachedResult;
      return typeof value.text === 'string' ? value : undefined;
    } catch {
      return undefined;
    }
  }

  async set(key: string, value: CachedResult): Promise<void> {
    await this.store.set(key, JSON.stringify(value));
  }
}
