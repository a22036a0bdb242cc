/**
 * The grounding of a block, remembered by what decided it: the block's content, its kind and the texts of its
 * sources. An answer served from the result cache is then grounded without indexing its sources again — that
 * index was most of what a cached command-line `summarize` still computed (a 1.4 MB paper: ~20 ms of ~300).
 * A fresh answer is new text and is always checked; its grounding is remembered for the re-run.
 */
import type { KeyValueStore } from '../ports/files';
import { sha256Hex, type TextHasher } from '../results/resultCache';
import type { Source } from '../sources/types';
import type { GroundingItem } from './check';

/**
 * Bump when the checker's verdicts change for the same input (claims found, matching, reasons): remembered
 * groundings of an older checker are then never read again.
 */
export const GROUNDING_VERSION = 1;

/** What a remembered grounding restores: the body (table cells may carry ⚠) and the header's count. */
export interface RememberedGrounding {
  readonly body: string;
  readonly checked: number;
  readonly supported: number;
  readonly items: readonly GroundingItem[];
}

export class GroundingMemo {
  constructor(
    private readonly store: KeyValueStore,
    private readonly hash: TextHasher = sha256Hex,
  ) {}

  /** The key of a check: the exact content checked, the block kind, and every source's id and text. */
  async key(content: string, kind: string, sources: readonly Source[]): Promise<string> {
    const parts = [String(GROUNDING_VERSION), kind, content];
    // \u0000 cannot occur in either part: no two different inputs join to the same text.
    for (const s of sources) parts.push(`${s.id}\u0000${s.text}`);
    return `grounding-v${GROUNDING_VERSION}-${await this.hash(parts.join('\u0000\u0001'))}`;
  }

  async get(key: string): Promise<RememberedGrounding | undefined> {
    try {
      const raw = await this.store.get(key);
      if (raw === undefined) return undefined;
      const value = JSON.parse(raw) as Partial<RememberedGrounding>;
      const valid =
        typeof value.body === 'string' &&
        Number.isInteger(value.checked) &&
        Number.isInteger(value.supported) &&
        Array.isArray(value.items) &&
        value.items.length === value.checked;
      return valid ? (value as RememberedGrounding) : undefined;
    } catch {
      // A damaged entry is only a miss: the block is checked again.
      return undefined;
    }
  }

  async set(key: string, grounding: RememberedGrounding): Promise<void> {
    try {
      await this.store.set(key, JSON.stringify(grounding));
    } catch {
      // Not remembering only costs the next re-run its check.
    }
  }
}
