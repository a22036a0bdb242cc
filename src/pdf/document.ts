/**
 * pdf.js documents: pdfjs-dist (legacy build, which runs on Node 20) opened and turned into positioned text
 * items, and those laid out by the host-neutral code in src/core/pdf. Used on the calling thread by the
 * engine (engine.ts) and inside the pool's worker threads (parallel.ts), which both import it.
 */
import { restoreBuiltins } from './polyfill';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as pdfjs from 'pdfjs-dist/legacy/build/pdf.mjs';
import * as pdfjsWorker from 'pdfjs-dist/legacy/build/pdf.worker.mjs';
import { AssistantError, throwIfAborted } from '../core/errors';
import { layoutPdf } from '../core/pdf/layout';
import type { PdfDocumentMetadata, PdfExtraction, PdfInfo, PdfPageItems, PdfTextItem } from '../core/pdf/types';

// pdf.js (imported above) has been evaluated: undo its core-js replacements of fast built-ins (polyfill.ts).
restoreBuiltins();

/**
 * pdf.js needs Adobe's CMaps for CJK fonts that are not embedded (predefined encodings such as
 * UniGB-UCS2-H, common in Chinese papers); without them such text is lost. esbuild.mjs copies them to
 * dist/cmaps beside the bundle; unbundled (tests, bench) they come from pdfjs-dist itself.
 */
function cMapDir(): string {
  const bundled = join(__dirname, 'cmaps');
  if (existsSync(join(bundled, 'UniGB-UCS2-H.bcmap'))) return `${bundled}/`;
  return `${join(dirname(require.resolve('pdfjs-dist/package.json')), 'cmaps')}/`;
}

let cMapUrl: string | undefined;

// Static imports: this module is itself the lazily loaded part (dist/pdfEngine.js), and the polyfill
// import must come first so DOMMatrix exists when pdf.js evaluates.
function fail(reason: string, name: string, message: string, cause?: unknown): AssistantError {
  return new AssistantError('SourceUnreadable', `${name}: ${message}`, {
    data: { file: name, reason },
    ...(cause === undefined ? {} : { cause }),
  });
}

export interface ReadItemsOptions {
  readonly firstPage?: number;
  readonly lastPage?: number;
  readonly name?: string;
  readonly signal?: AbortSignal;
}

export type PdfDocument = Awaited<ReturnType<typeof pdfjs.getDocument>['promise']>;

/** An opened document and how to release it (pdf.js keeps its parsed objects until destroy). */
export interface OpenedPdf {
  readonly doc: PdfDocument;
  readonly destroy: () => Promise<void>;
}

export async function openDocument(bytes: Uint8Array, name: string): Promise<OpenedPdf> {
  if (bytes.length === 0) throw fail('empty', name, 'the file is empty');
  // The worker code runs on this thread ("fake worker") from the bundle itself, so no pdf.worker.mjs file
  // has to ship beside the bundle.
  (globalThis as { pdfjsWorker?: unknown }).pdfjsWorker ??= pdfjsWorker;
  // pdf.js takes ownership of (detaches) the buffer it is given, and refuses Node Buffers (what
  // workspace.fs returns in the extension host): pass a plain Uint8Array copy.
  const task = pdfjs.getDocument({
    data: new Uint8Array(bytes),
    disableFontFace: true,
    isEvalSupported: false,
    useSystemFonts: false,
    stopAtErrors: false,
    verbosity: 0,
    cMapUrl: (cMapUrl ??= cMapDir()),
    cMapPacked: true,
  });
  try {
    return { doc: await task.promise, destroy: () => task.destroy() };
  } catch (error) {
    await task.destroy();
    const errName = (error as { name?: string }).name;
    if (errName === 'PasswordException') throw fail('encrypted', name, 'the PDF is password-protected', error);
    throw fail('corrupt', name, `not a readable PDF (${error instanceof Error ? error.message : String(error)})`, error);
  }
}

/** Page count only (parses the cross-reference table, not the pages). */
export async function countPages(bytes: Uint8Array, name = 'PDF'): Promise<number> {
  const { doc, destroy } = await openDocument(bytes, name);
  try {
    return doc.numPages;
  } finally {
    await destroy();
  }
}

/** The direction of a text run in quarter turns counter-clockwise (landscape tables on portrait pages), or undefined when skewed. */
function quarterTurns(a: number, b: number): 0 | 1 | 2 | 3 | undefined {
  if (Math.abs(b) <= 1e-3 * Math.abs(a)) return a > 0 ? 0 : 2;
  if (Math.abs(a) <= 1e-3 * Math.abs(b)) return b > 0 ? 1 : 3;
  return undefined;
}

/** Positioned text items of pages first..last (1-based, inclusive) of an opened document. */
export async function readPagesOf(doc: PdfDocument, first: number, last: number, signal?: AbortSignal): Promise<PdfPageItems[]> {
  const pages: PdfPageItems[] = [];
  for (let n = first; n <= last; n++) {
    if (signal) throwIfAborted(signal);
    const page = await doc.getPage(n);
    const [x0 = 0, y0 = 0, x1 = 0, y1 = 0] = page.view;
    const content = await page.getTextContent({ includeMarkedContent: false });
    const items: PdfTextItem[] = [];
    for (const raw of content.items) {
      if (!('str' in raw)) continue;
      const [a = 1, b = 0, c = 0, d = 1, e = 0, f = 0] = raw.transform as number[];
      if (raw.str === '' && !raw.hasEOL) continue;
      const size = Math.hypot(c, d) || Math.abs(raw.height) || 1;
      items.push({
        str: raw.str,
        x: e - x0,
        y: f - y0,
        w: raw.width,
        size,
        rotated: Math.abs(b) > 1e-3 * Math.abs(a) || a <= 0,
        quarter: quarterTurns(a, b),
        eol: raw.hasEOL,
      });
    }
    pages.push({ page: n, width: x1 - x0, height: y1 - y0, items });
    page.cleanup();
  }
  return pages;
}

/** Positioned text items of pages firstPage..lastPage (1-based, inclusive), and the page count. */
export async function readPdfItems(
  bytes: Uint8Array,
  options: ReadItemsOptions = {},
): Promise<{ pageCount: number; pages: PdfPageItems[] }> {
  const { doc, destroy } = await openDocument(bytes, options.name ?? 'PDF');
  try {
    const first = Math.max(1, options.firstPage ?? 1);
    const last = Math.min(doc.numPages, options.lastPage ?? doc.numPages);
    return { pageCount: doc.numPages, pages: await readPagesOf(doc, first, last, options.signal) };
  } finally {
    await destroy();
  }
}

/** An XMP packet longer than this is mostly thumbnails and edit history: the properties are kept, not the text. */
const MAX_XMP_CHARS = 64_000;

const INFO_FIELDS = { Title: 'title', Author: 'author', Subject: 'subject', Keywords: 'keywords', CreationDate: 'creationDate' } as const;

/**
 * The info dictionary's text fields and the XMP metadata of an opened document. Metadata never decides
 * whether the text can be read: a broken dictionary or packet gives undefined, and the extraction goes on.
 */
export async function readDocumentMetadata(doc: PdfDocument): Promise<Pick<PdfDocumentMetadata, 'info' | 'xmp' | 'xmpFields'> | undefined> {
  let raw: Awaited<ReturnType<PdfDocument['getMetadata']>>;
  try {
    raw = await doc.getMetadata();
  } catch {
    return undefined;
  }
  const dict = (raw.info ?? {}) as Record<string, unknown>;
  const info: Record<string, string> = {};
  for (const [key, field] of Object.entries(INFO_FIELDS)) {
    const value = dict[key];
    if (typeof value === 'string' && value.trim() !== '') info[field] = value.trim();
  }
  const xmpFields: Record<string, string | string[]> = {};
  let xmp: string | undefined;
  if (raw.metadata) {
    for (const [key, value] of raw.metadata as unknown as Iterable<[string, unknown]>) {
      if (typeof value === 'string') xmpFields[key] = value;
      else if (Array.isArray(value)) xmpFields[key] = value.filter((v): v is string => typeof v === 'string');
    }
    const packet = raw.metadata.getRaw();
    if (typeof packet === 'string' && packet.length <= MAX_XMP_CHARS) xmp = packet;
  }
  return {
    ...(Object.keys(info).length > 0 ? { info: info as PdfInfo } : {}),
    ...(xmp !== undefined ? { xmp } : {}),
    ...(Object.keys(xmpFields).length > 0 ? { xmpFields } : {}),
  };
}

/** The layout of read pages, or the error for a PDF without text; `documentMeta` joins the first page's lines. */
export function layoutOrFail(
  pages: readonly PdfPageItems[],
  pageCount: number,
  name: string,
  documentMeta?: Pick<PdfDocumentMetadata, 'info' | 'xmp' | 'xmpFields'>,
): PdfExtraction {
  const laidOut = layoutPdf(pages, pageCount);
  const metadata: PdfDocumentMetadata = { ...documentMeta, ...laidOut.metadata };
  const result = Object.keys(metadata).length > 0 ? { ...laidOut, metadata } : laidOut;
  if (result.characters === 0) {
    throw fail(
      pageCount === 0 ? 'empty' : 'imageOnly',
      name,
      pageCount === 0 ? 'the PDF has no pages' : 'the PDF has no text layer (scanned or image-only); run OCR on it first',
    );
  }
  return result;
}
