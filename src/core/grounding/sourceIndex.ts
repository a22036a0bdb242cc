/**
 * The searchable form of a block's sources, built once per source text and reused for every claim,
 * every re-check while the user edits the block, and every block that cites the same text.
 *
 * What is built eagerly is what every check needs, in one normalisation pass over the text: the
 * number tokens by canonical value (as written; format variants are derived from the claim at
 * look-up time, not stored per source number) and the quote form that quotes are looked up in with
 * `indexOf`. What only some checks need is built on first use: the q-gram index (for quotes that
 * match nowhere nearly verbatim).
 */
import type { Source } from '../sources/types';
import { buildGramIndex, type GramIndex, type QuoteTarget } from './fuzzy';
import { normalizeSource, NormalizerState, type MappedText } from './normalize';
import { canonicalKey, keyValue, scanNumbers, type NumberUnit } from './numbers';

/** How a source number stands for a value: the same, a format variant, or the value rounded. */
export type PostingKind = 'exact' | 'fromPercent' | 'toPercent' | 'unsigned' | 'rounded' | 'groupPart';

export interface NumberPosting {
  /** Offsets in the source's original `text`. */
  readonly start: number;
  readonly end: number;
  readonly unit: NumberUnit;
  readonly decimals: number;
  readonly kind: PostingKind;
}

/** A number of the source as written, with its canonical key. */
export interface SourceNumber {
  readonly value: number;
  readonly key: string;
  readonly posting: NumberPosting;
}

/** The index of one text; shared by every Source object with the same text. */
export class TextIndex implements QuoteTarget {
  private gramIndex: GramIndex | undefined;

  constructor(
    /** The indexed text itself (a hit in the shared cache is confirmed against it). */
    readonly source: string,
    /**
     * Postings of the numbers as written (`exact`) and of the parts of space-grouped ones (`groupPart`),
     * by canonical key; the first per (kind, unit, with or without decimals) is enough, since the
     * check needs one place to point at and "1" occurs thousands of times in 500 pages.
     */
    readonly numbers: ReadonlyMap<string, readonly NumberPosting[]>,
    /**
     * Every number as written, in text order, with its value in `values` (same order): what the
     * nearest-value and rounding look-ups scan. A scan of ~25,000 values per unsupported figure costs
     * less than sorting them up front for every source.
     */
    readonly all: readonly SourceNumber[],
    readonly values: Float64Array,
    readonly quoteForm: MappedText,
    /** Offsets of the `[page N]` markers and their page numbers, ascending. */
    readonly pageStarts: Int32Array,
    readonly pageNumbers: Int32Array,
  ) {}

  get chars(): number {
    return this.source.length;
  }

  get text(): string {
    return this.quoteForm.text;
  }

  /** The q-gram index of the quote form, built on first use (~50 ms for 500 pages). */
  grams(): GramIndex {
    return (this.gramIndex ??= buildGramIndex(this.quoteForm.text));
  }

  get hasGrams(): boolean {
    return this.gramIndex !== undefined;
  }

  get builtGrams(): GramIndex | undefined {
    return this.gramIndex;
  }
}

/** One source of a check: the Source (for ids, titles and snippets) and the index of its text. */
export interface IndexedSource {
  readonly source: Source;
  readonly index: TextIndex;
}

export interface GroundingIndex {
  readonly sources: readonly IndexedSource[];
  /** Milliseconds spent building (or reusing) the parts (reported by the bench). */
  readonly buildMs: number;
}

/** The page of a source offset, from the last `[page N]` marker before it (PDF sources). */
export function pageAt(source: IndexedSource, offset: number): number | undefined {
  const starts = source.index.pageStarts;
  let lo = 0;
  let hi = starts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (starts[mid]! <= offset) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 ? undefined : source.index.pageNumbers[lo - 1];
}

/** `[page N]` markers (ours, not the paper's) by `indexOf`: offsets, ends and page numbers. */
function pageMarkers(text: string): { ranges: Array<[number, number]>; starts: Int32Array; numbers: Int32Array } {
  const ranges: Array<[number, number]> = [];
  const numbers: number[] = [];
  for (let at = text.indexOf('[page '); at >= 0; at = text.indexOf('[page ', at + 1)) {
    let i = at + 6;
    let page = 0;
    while (i < text.length && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57 && i - at < 14)
      page = page * 10 + text.charCodeAt(i++) - 48;
    if (i === at + 6 || text.charCodeAt(i) !== 0x5d) continue;
    ranges.push([at, i + 1]);
    numbers.push(page);
  }
  return { ranges, starts: Int32Array.from(ranges, (r) => r[0]), numbers: Int32Array.from(numbers) };
}

function add(map: Map<string, NumberPosting[]>, key: string, posting: NumberPosting): void {
  const list = map.get(key);
  if (list === undefined) {
    map.set(key, [posting]);
    return;
  }
  for (const p of list) if (p.kind === posting.kind && p.unit === posting.unit && p.decimals > 0 === posting.decimals > 0) return;
  list.push(posting);
}

/** Indexes one text (see TextIndex). */
export function indexText(text: string, normalizer: NormalizerState = new NormalizerState()): TextIndex {
  const markers = pageMarkers(text);
  // One pass builds both forms; the page markers read as whitespace, so their numbers support nothing.
  const { numberForm: norm, quoteForm } = normalizeSource(text, markers.ranges, normalizer);
  const numbers = new Map<string, NumberPosting[]>();
  const tokens: SourceNumber[] = [];
  const orig = (i: number): number => norm.map[i] ?? text.length;
  for (const t of scanNumbers(norm.text, 'source')) {
    const start = orig(t.start);
    const end = orig(t.end - 1) + 1;
    const exact: NumberPosting = { start, end, unit: t.unit, decimals: t.decimals, kind: 'exact' };
    add(numbers, t.key, exact);
    tokens.push({ value: keyValue(t.key), key: t.key, posting: exact });
    // "12 345" may be one number or two table cells: index the parts too.
    if (t.spaceGrouped) {
      const raw = norm.text.slice(t.start, t.end);
      let at = 0;
      for (const part of raw.split(/[ \u2009]/u)) {
        const idx = raw.indexOf(part, at);
        at = idx + part.length;
        const digits = /\d+(?:\.\d+)?/u.exec(part)?.[0];
        if (digits === undefined) continue;
        const dot = digits.indexOf('.');
        const key = canonicalKey(dot < 0 ? digits : digits.slice(0, dot), dot < 0 ? '' : digits.slice(dot + 1), 0, false);
        add(numbers, key, {
          start: orig(t.start + idx),
          end: orig(t.start + idx + part.length - 1) + 1,
          unit: 'none',
          decimals: 0,
          kind: 'groupPart',
        });
      }
    }
  }
  const values = new Float64Array(tokens.length);
  for (let i = 0; i < tokens.length; i++) values[i] = tokens[i]!.value;
  return new TextIndex(text, numbers, tokens, values, quoteForm, markers.starts, markers.numbers);
}

/** Texts shorter than this are indexed again rather than hashed and kept (table-cell quotes, short notes). */
const CACHE_MIN_CHARS = 1_000;
/**
 * Bound of the shared cache in source characters: ~750 pages, about 40 MB (some 16 bytes per character
 * with the q-grams: quote form and its offset map, q-gram positions and buckets, the text itself).
 */
const CACHE_MAX_CHARS = 2_500_000;

/**
 * The key of the shared cache: the length and a hash of a sample of the characters (every 7th, and
 * all of the first and last 256). Cheap (~0.3 ms for 500 pages); a hit is confirmed by comparing the
 * whole text, so two texts with the same key never share an index.
 */
export function textFingerprint(text: string): string {
  const n = text.length;
  let h = 0x811c9dc5;
  const step = (i: number): void => {
    h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  };
  for (let i = 0; i < Math.min(n, 256); i++) step(i);
  for (let i = 256; i < n - 256; i += 7) step(i);
  for (let i = Math.max(256, n - 256); i < n; i++) step(i);
  return `${n}:${(h >>> 0).toString(36)}`;
}

/** Least recently used text indexes, bounded by their characters. */
class IndexCache {
  private readonly entries = new Map<string, TextIndex>();
  private chars = 0;

  get(key: string): TextIndex | undefined {
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      // Map order is insertion order: re-inserting makes it the most recent.
      this.entries.delete(key);
      this.entries.set(key, hit);
    }
    return hit;
  }

  set(key: string, index: TextIndex): void {
    const old = this.entries.get(key);
    if (old !== undefined) {
      this.entries.delete(key);
      this.chars -= old.chars;
    }
    if (index.chars > CACHE_MAX_CHARS) return;
    this.entries.set(key, index);
    this.chars += index.chars;
    for (const [k, v] of this.entries) {
      if (this.chars <= CACHE_MAX_CHARS) break;
      this.entries.delete(k);
      this.chars -= v.chars;
    }
  }

  clear(): void {
    this.entries.clear();
    this.chars = 0;
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * The text indexes one owner keeps (an assistant's note grounding): by Source object
 * (immutable, so the index found for one is remembered for as long as it lives), else by the text's
 * fingerprint in a bounded LRU.
 */
export class GroundingIndexCache {
  private readonly bySource = new WeakMap<Source, TextIndex>();
  private readonly byText = new IndexCache();
  /** Buffers and character folds reused from one text to the next. */
  private readonly normalizer = new NormalizerState();

  /** The index of a source's text: by the Source object, else by the text's fingerprint, else built now. */
  textIndexOf(source: Source): TextIndex {
    let index = this.bySource.get(source);
    if (index !== undefined) return index;
    // Short texts, and the note itself (a new text after every edit), would only churn the shared cache.
    if (source.text.length < CACHE_MIN_CHARS || source.kind === 'note' || source.kind === 'selection') {
      index = indexText(source.text, this.normalizer);
    } else {
      const key = textFingerprint(source.text);
      index = this.byText.get(key);
      // Same key, different text (a one-character edit between samples): index it and keep the new one.
      if (index === undefined || index.source !== source.text) {
        index = indexText(source.text, this.normalizer);
        this.byText.set(key, index);
      }
    }
    this.bySource.set(source, index);
    return index;
  }

  /** Whether a source's index is ready (built, and with `grams` its q-gram index too). */
  isIndexed(source: Source, grams = false): boolean {
    const index = this.bySource.get(source);
    return index !== undefined && (!grams || index.hasGrams);
  }

  /** Empties the cache by text. Indexes of live Source objects stay with them. */
  clear(): void {
    this.byText.clear();
  }

  /** The index of a block's sources; parts already built for the same texts are reused. */
  build(sources: readonly Source[]): GroundingIndex {
    const started = performance.now();
    const indexed = usable(sources).map((source) => ({ source, index: this.textIndexOf(source) }));
    return { sources: indexed, buildMs: performance.now() - started };
  }

  /**
   * Builds the index of `sources` ahead of the check (while the model generates), one source at a time,
   * letting the host run between sources so streaming into the editor is not held up. The check that
   * follows the generated block then finds everything built. Stops quietly when `signal` aborts.
   */
  async prepare(sources: readonly Source[], options: PrepareOptions = {}): Promise<void> {
    const pause = options.yieldToHost ?? nextTask;
    const list = usable(sources);
    // The host runs before each step, so the caller (a streamed delta, say) is never held up by the first one.
    for (const source of list) {
      if (this.bySource.has(source)) continue;
      await pause();
      if (options.signal?.aborted) return;
      this.textIndexOf(source);
    }
    if (options.grams === false) return;
    for (const source of list) {
      if (this.textIndexOf(source).hasGrams) continue;
      await pause();
      if (options.signal?.aborted) return;
      this.textIndexOf(source).grams();
    }
  }
}

/** Only sources that were read: a missing or unreadable file supports nothing. */
function usable(sources: readonly Source[]): Source[] {
  return sources.filter((s) => s.status === 'ok' && s.text.length > 0);
}

/**
 * The index of `sources` for one check, through the owner's cache when given; without one nothing is kept
 * (a one-off check: a table's quotes, a test). Whoever checks often (an assistant) owns a GroundingIndexCache.
 */
export function buildGroundingIndex(sources: readonly Source[], cache: GroundingIndexCache = new GroundingIndexCache()): GroundingIndex {
  return cache.build(sources);
}

export interface PrepareOptions {
  readonly signal?: AbortSignal;
  /** Also build the q-gram indexes (for quotes that match nowhere nearly verbatim). Default true. */
  readonly grams?: boolean;

  /** Lets the host run between two sources (default: a zero-delay timer). */
  readonly yieldToHost?: () => Promise<void>;
}

const nextTask = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));
