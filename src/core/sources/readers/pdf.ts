/**
 * PDFs as sources: extracted once per content (the extraction cache, by hash of the bytes), read whole, by
 * pages, or by a detected section.
 */
import { contentHash, type ExtractionCache } from '../../cache/extractionCache';
import { throwIfAborted } from '../../errors';
import { normaliseHeading } from '../../markdown/sections';
import type { FileReader } from '../../ports/files';
import type { Logger } from '../../ports/logger';
import type { PdfExtraction, PdfExtractOptions } from '../../pdf/types';
import { pageMarker } from '../../pdf/types';
import type { Source, SourceSection } from '../types';
import { basename } from '../uri';
import { fileSource, problemSource, type ReadTarget } from './result';

/** Turns PDF bytes into clean text (src/pdf/engine.ts, loaded lazily by the host). */
export interface PdfTextExtractor {
  extract(bytes: Uint8Array, options: PdfExtractOptions): Promise<PdfExtraction>;
  /**
   * Optional: gets the engine ready (threads started, code compiled) before the first extraction; `samples` are
   * papers about to be extracted, whose first pages compile the code papers like them need.
   */
  prewarm?(samples?: readonly Uint8Array[]): Promise<void>;
}

/** The detail of a PDF that warming found not yet extracted (its first action will extract it). */
export const NOT_EXTRACTED = 'not extracted yet';

export interface PdfReaderDeps {
  readonly files: FileReader;
  /** Loaded on first use: the PDF engine is a separate, lazily loaded bundle. */
  readonly pdf: () => Promise<PdfTextExtractor>;
  readonly cache?: ExtractionCache;
  readonly logger: Logger;
  readonly maxPages: number;
  /**
   * Extractions run at once (default 1: the engine spreads one long PDF's pages over its workers itself). A
   * library build of many short papers sets the core count, one paper per worker.
   */
  readonly extractions?: number;
}

/** A PDF's title: its first detected heading when that looks like a title, else its file name. */
export function pdfTitle(extraction: PdfExtraction, uri: string): string {
  const first = extraction.sections[0];
  if (first && first.title !== 'Front matter' && first.level === 1 && first.location.page === 1 && first.title.length > 10)
    return first.title;
  return basename(uri).replace(/\.pdf$/i, '');
}

/**
 * Reads PDFs through the extraction cache. Extractions run one at a time unless told otherwise (the engine
 * parallelises one PDF's pages itself); reads of cached papers overlap freely.
 */
export class PdfReader {
  /** Extractions running, and those waiting for one to end. */
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly deps: PdfReaderDeps) {}

  /**
   * The PDF as a source. With `extract` false only what the cache holds is read (warming ahead of an action):
   * a PDF never extracted is reported `unreadable`, "not extracted yet".
   */
  async read(target: ReadTarget, signal: AbortSignal, extract = true): Promise<Source> {
    const { uri, name, stamp } = target;
    const { cache } = this.deps;
    // Unchanged since it was last read (in this session: same size and mtime; in an earlier one: same size, mtime and
    // change time): neither read nor hashed again.
    let hash = stamp && cache ? (cache.hashFor(uri, stamp) ?? (await cache.storedHashFor(uri, stamp))) : undefined;
    let extraction = hash === undefined ? undefined : await cache?.get(hash);
    if (!extraction || hash === undefined) {
      const bytes = await this.deps.files.readBytes(uri, signal);
      const bytesHash = await (cache ? cache.hashBytes(bytes) : contentHash(bytes));
      hash = bytesHash;
      extraction = await cache?.get(bytesHash);
      // The stamp was taken before the read: a file changed since has a newer stamp and is read again.
      if (stamp && extraction) await cache?.rememberHash(uri, stamp, bytesHash);
      if (!extraction && !extract) return problemSource(target, target.title ?? name, 'unreadable', `${name}: ${NOT_EXTRACTED}`, bytesHash);
      if (!extraction) {
        extraction = await this.extract(bytes, bytesHash, name, signal);
        if (stamp) await cache?.rememberHash(uri, stamp, bytesHash);
      }
    }
    return pdfSource(target, extraction, hash);
  }

  /** Extracts and caches one PDF, after any extraction already running. */
  private extract(bytes: Uint8Array, hash: string, name: string, signal: AbortSignal): Promise<PdfExtraction> {
    const run = async (): Promise<PdfExtraction> => {
      throwIfAborted(signal);
      // Another read of the same bytes may have extracted them meanwhile.
      const cached = await this.deps.cache?.get(hash);
      if (cached) return cached;
      const started = performance.now();
      const extractor = await this.deps.pdf();
      const extraction = await extractor.extract(bytes, { name, maxPages: this.deps.maxPages, signal });
      const ms = (performance.now() - started).toFixed(0);
      const { pagesRead, pageCount, characters, stats } = extraction;
      this.deps.logger.info(`PDF ${name}: ${pagesRead}/${pageCount} pages, ${characters} chars in ${ms} ms ${JSON.stringify(stats)}`);
      await this.deps.cache?.set(hash, extraction);
      return extraction;
    };
    return this.inSlot(run);
  }

  /** Runs `work` when fewer than `extractions` are running, in call order. */
  private async inSlot<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= Math.max(1, this.deps.extractions ?? 1)) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await work();
    } finally {
      // The slot passes straight to the next waiter (running stays counted), else it is freed.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

/** The part of an extraction the target asks for: all of it, its pages, or a detected section. */
export function pdfSource(target: ReadTarget, extraction: PdfExtraction, hash: string): Source {
  const { uri, name, anchor } = target;
  const title = target.title ?? pdfTitle(extraction, uri);
  // The PDF's own metadata (info dictionary, XMP, page 1 by font size) goes with it, for per-paper front matter.
  const withHash = { contentHash: hash, ...(extraction.metadata ? { pdfMetadata: extraction.metadata } : {}) };
  if (anchor?.kind === 'page') {
    const from = Math.max(1, anchor.from);
    const to = Math.min(extraction.pagesRead, anchor.to);
    if (from > to)
      return problemSource(target, title, 'missing', `${name}: no page ${anchor.from} (the PDF has ${extraction.pageCount})`, hash);
    const sections: SourceSection[] = [];
    for (let p = from; p <= to; p++) {
      const text = `${pageMarker(p)}\n\n${extraction.pages[p - 1] ?? ''}`;
      sections.push({ title: `${title}, p. ${p}`, level: 1, text, location: { page: p }, role: 'body' });
    }
    const text = sections.map((s) => s.text).join('\n\n');
    return fileSource(target, `${title} (p. ${from === to ? from : `${from}–${to}`})`, text, sections, withHash);
  }
  if (anchor?.kind === 'heading') {
    // [[paper.pdf#Methods]]: the detected section of that title ("2 Methods", "METHODS" match too).
    const wanted = normaliseHeading(anchor.heading);
    const section = extraction.sections.find(
      (s) => normaliseHeading(s.title.replace(/^((\d+\.)*\d+|[IVX]+)\.?\s+/, '')) === wanted || normaliseHeading(s.title) === wanted,
    );
    if (!section) return problemSource(target, title, 'missing', `${name}: no section "${anchor.heading}" detected`, hash);
    return fileSource(target, `${title} § ${section.title}`, section.text, [section], withHash);
  }
  const truncated =
    extraction.pagesRead < extraction.pageCount
      ? `${name}: only the first ${extraction.pagesRead} of ${extraction.pageCount} pages were read (page limit)`
      : undefined;
  return fileSource(target, title, extraction.text, extraction.sections, truncated ? { ...withHash, statusDetail: truncated } : withHash);
}
