/**
 * The PDF engine: clean text of a PDF, read on the calling thread or on the warm worker pool (parallel.ts).
 * Bundled separately as dist/pdfEngine.js and loaded only when a note links a PDF, so activation never pays
 * for pdf.js. Plain Node can import it too (bench, tests).
 */
import { isMainThread } from 'node:worker_threads';
import type { PdfExtractOptions, PdfExtraction, PdfPageItems } from '../core/pdf/types';
import { layoutOrFail, openDocument, readDocumentMetadata, readPagesOf } from './document';
import { extractOnWorker, readPagesParallel, workersFor } from './parallel';

export { countPages, readPdfItems, type ReadItemsOptions } from './document';

/**
 * Clean text of a PDF: reading order, de-hyphenation, ligatures, headers/footers removed, page markers,
 * sections and the references section. Throws AssistantError('SourceUnreadable') naming the file for
 * empty, encrypted, corrupt and image-only PDFs.
 */
export interface EngineOptions extends PdfExtractOptions {
  /** Worker threads for page-parallel reading (default: the cores, for PDFs of 16+ pages). */
  readonly workers?: number;
  /** Read pages on worker threads even when one is enough, so the caller's thread stays free (the extension host). */
  readonly offMainThread?: boolean;
}

export async function extractPdfText(bytes: Uint8Array, options: EngineOptions = {}): Promise<PdfExtraction> {
  const name = options.name ?? 'PDF';
  const signal = options.signal;
  if (options.offMainThread === true && options.workers !== 1 && isMainThread) {
    // Everything on the warm worker pool (parallel.ts), which splits long PDFs over its workers.
    return extractOnWorker(bytes, options.maxPages ?? Number.MAX_SAFE_INTEGER, name, signal);
  }
  // One open for the page count and, on one thread, the reading too.
  const { doc, destroy } = await openDocument(bytes, name);
  let pages: PdfPageItems[];
  let pageCount: number;
  let documentMeta: Awaited<ReturnType<typeof readDocumentMetadata>>;
  try {
    pageCount = doc.numPages;
    documentMeta = await readDocumentMetadata(doc);
    const lastPage = Math.min(pageCount, options.maxPages ?? pageCount);
    const workers = options.workers === 1 ? 1 : workersFor(lastPage, options.workers);
    pages = workers > 1 ? await readPagesParallel(bytes, lastPage, workers, name, signal) : await readPagesOf(doc, 1, lastPage, signal);
  } finally {
    await destroy();
  }
  return layoutOrFail(pages, pageCount, name, documentMeta);
}
